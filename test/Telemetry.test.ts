/**
 * Spans and metrics reach OpenTelemetry through @effect/opentelemetry with
 * no code of the binding's: the same NodeSdk layer an app would use, with
 * in-memory exporters in place of OTLP ones.
 */
import { NodeSdk } from "@effect/opentelemetry"
import { HttpRouter, HttpServerResponse } from "@effect/platform"
import { assert, layer } from "@effect/vitest"
import { MetricReader } from "@opentelemetry/sdk-metrics"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { Effect, Layer } from "effect"
import { AuthdogUser, requireAuth } from "../src/index.js"
import { AuthdogLoopback, get, serve } from "./support/app.js"
import { IdpLive } from "./support/idp.js"

class TestMetricReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve()
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve()
  }
}

const spans = new InMemorySpanExporter()
const metrics = new TestMetricReader()

const TelemetryLive = NodeSdk.layer(() => ({
  resource: { serviceName: "authdog-effect-test" },
  spanProcessor: new SimpleSpanProcessor(spans),
  metricReader: metrics
}))

const router = HttpRouter.empty.pipe(
  HttpRouter.get("/me", requireAuth(Effect.flatMap(AuthdogUser, (user) => HttpServerResponse.text(user.id ?? ""))))
)

layer(Layer.mergeAll(AuthdogLoopback().pipe(Layer.provideMerge(IdpLive)), TelemetryLive), {
  excludeTestServices: true
})(
  "OpenTelemetry",
  (it) => {
    it.scoped("the session and userinfo spans and the metrics are exported, without the token", () =>
      Effect.gen(function*() {
        const base = yield* serve(router)
        const ok = yield* get(`${base}/me`, { authorization: "Bearer user-otel" })
        assert.strictEqual(ok.body, "otel")
        const denied = yield* get(`${base}/me`, { cookie: "authdog-session=otel-denied-token" })
        assert.strictEqual(denied.status, 401)

        const finished = spans.getFinishedSpans()
        const userinfo = finished.filter((span) => span.name === "authdog.userinfo")
        const sessions = finished.filter((span) => span.name === "authdog.session")
        assert.deepStrictEqual(userinfo.map((span) => span.attributes["authdog.outcome"]).sort(), [
          "authenticated",
          "rejected"
        ])
        assert.deepStrictEqual(userinfo.map((span) => span.attributes["http.response.status_code"]).sort(), [200, 401])
        assert.deepStrictEqual(sessions.map((span) => span.attributes["authdog.token_source"]).sort(), [
          "bearer",
          "cookie"
        ])
        for (const span of userinfo) {
          const parent = sessions.find((session) => session.spanContext().spanId === span.parentSpanContext?.spanId)
          assert.isDefined(parent, "the userinfo span is a child of the session span")
        }
        const exported = JSON.stringify(finished.map((span) => [span.name, span.attributes, span.events]))
        assert.notInclude(exported, "user-otel")
        assert.notInclude(exported, "otel-denied-token")

        const { resourceMetrics } = yield* Effect.promise(() => metrics.collect())
        const all = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics)
        const calls = all.find((metric) => metric.descriptor.name === "authdog_userinfo_calls_total")
        const latency = all.find((metric) => metric.descriptor.name === "authdog_userinfo_duration_seconds")
        assert.isDefined(calls)
        assert.isDefined(latency)
        const outcomes = calls!.dataPoints.map((point) => point.attributes["outcome"])
        assert.include(outcomes, "authenticated")
        assert.include(outcomes, "rejected")
      }))
  }
)
