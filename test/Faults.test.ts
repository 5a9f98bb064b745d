/**
 * Fault injection on real sockets: a loopback identity provider that
 * misbehaves per token, a real NodeHttpServer, the real undici client. Every
 * log line, span, error and response is captured and searched for tokens.
 */
import { FetchHttpClient, HttpMiddleware, HttpRouter, HttpServerResponse } from "@effect/platform"
import { assert, describe, layer } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Logger, LogLevel, Metric, Option, Tracer } from "effect"
import { AuthdogSession, layer as authdogLayer, requireAuth, userinfoCalls, withSession } from "../src/index.js"
import { AuthdogLoopback, get, loopback, rawHeader, type RawResponse, serve, testPublicKey } from "./support/app.js"
import { IdpLive, IdpServer } from "./support/idp.js"

const timeoutMs = 300
const marginMs = 250

type Expected = "unavailable" | "invalid" | "rejected"
const cases: ReadonlyArray<readonly [string, string, Expected]> = [
  ["slower than the timeout", "slow-3000-leak", "unavailable"],
  ["never answers", "hang-leak", "unavailable"],
  ["resets the connection", "reset-leak", "unavailable"],
  ["closes the connection mid-body", "midbody-leak", "unavailable"],
  ["500", "status-500-leak", "unavailable"],
  ["502", "status-502-leak", "unavailable"],
  ["503", "status-503-leak", "unavailable"],
  ["429", "status-429-leak", "unavailable"],
  ["redirects to another place", "redirect-leak", "invalid"],
  ["answers HTML", "nonjson-leak", "invalid"],
  ["answers truncated JSON", "truncated-leak", "invalid"],
  ["answers over 1 MiB", "huge-leak", "invalid"],
  ["answers over 1 MiB without content-length", "chunkedhuge-leak", "invalid"],
  ["sends a user that is a string", "userstring-leak", "invalid"],
  ["sends a user that is an array", "userarray-leak", "invalid"],
  ["sends a user field of the wrong type", "badfield-leak", "invalid"],
  ["answers 200 with meta.code 401", "meta401-leak", "rejected"],
  ["answers 401", "status-401-leak", "rejected"],
  ["answers 403", "status-403-leak", "rejected"],
  ["answers 404", "nobody-leak", "rejected"]
]

// Everything the binding could leak through.
const captured: Array<string> = []
const capture = (value: unknown) =>
  captured.push(
    typeof value === "string"
      ? value
      : JSON.stringify(value, (_, inner) => typeof inner === "bigint" ? String(inner) : inner)
  )

const CaptureLogger = Layer.merge(
  Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ annotations, cause, logLevel, message, spans }) => {
      capture([logLevel.label, message, [...annotations], [...spans].map((span) => span.label)])
      if (!Cause.isEmpty(cause)) capture(Cause.pretty(cause))
    })
  ),
  Logger.minimumLogLevel(LogLevel.All)
)

const spans: Array<Tracer.Span> = []
const CaptureTracer = Layer.unwrapEffect(Effect.map(Effect.tracer, (native) =>
  Layer.setTracer(Tracer.make({
    context: (f, fiber) => native.context(f, fiber),
    span: (...args) => {
      const span = native.span(...args)
      spans.push(span)
      return span
    }
  }))))

const collectSpans = () => {
  for (const span of spans) {
    const status = span.status
    const exit = status._tag === "Ended" && Exit.isFailure(status.exit) ? Cause.pretty(status.exit.cause) : "ok"
    capture([span.name, [...span.attributes], exit])
  }
}

const routes = HttpRouter.empty.pipe(
  HttpRouter.get("/protected", requireAuth(Effect.map(AuthdogSession, () => HttpServerResponse.text("secret")))),
  HttpRouter.get(
    "/public",
    withSession(
      Effect.flatMap(
        AuthdogSession,
        (session) => HttpServerResponse.json({ signedIn: session.isAuthenticated, user: session.user })
      )
    )
  )
)

// Failures are recorded with their messages before the server renders them.
const app = routes.pipe(
  Effect.tapErrorCause((cause) => Effect.sync(() => capture([Cause.pretty(cause), Cause.squash(cause)]))),
  HttpMiddleware.logger
)

const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = Date.now()
    const result = yield* effect
    return [result, Date.now() - start] as const
  })

const record = (response: RawResponse) => capture([response.status, response.rawHeaders, response.body])

const serveCaptured = serve(app).pipe(Effect.provide(CaptureLogger), Effect.provide(CaptureTracer))

const FaultsLive = AuthdogLoopback({ timeout: `${timeoutMs} millis` }).pipe(Layer.provideMerge(IdpLive))

layer(FaultsLive, { excludeTestServices: true })("a misbehaving identity provider (outage mode off)", (it) => {
  for (const [name, token, expected] of cases) {
    it.scoped(`${name}: protected 401, public anonymous, in time, never authenticated`, () =>
      Effect.gen(function*() {
        const idp = yield* IdpServer
        const base = yield* serveCaptured
        idp.reset()
        for (const headers of [{ authorization: `Bearer ${token}` }, { cookie: `authdog-session=${token}` }]) {
          const [gated, gatedMs] = yield* timed(get(`${base}/protected`, headers))
          record(gated)
          assert.strictEqual(gated.status, 401, `${expected}: ${gated.body}`)
          assert.strictEqual(gated.body, "{\"error\":\"Unauthorized\"}")
          assert.isBelow(gatedMs, timeoutMs + marginMs)
          const [open, openMs] = yield* timed(get(`${base}/public`, headers))
          record(open)
          assert.strictEqual(open.status, 200)
          assert.deepStrictEqual(JSON.parse(open.body), { signedIn: false, user: null })
          assert.isBelow(openMs, timeoutMs + marginMs)
        }
        assert.strictEqual(idp.calls(), 4, "one call per request")
        assert.notInclude(idp.paths(), "/stolen", "redirects are never followed")
      }))
  }

  it.scoped("no connection is leaked: only the keep-alive pool stays open", () =>
    Effect.gen(function*() {
      const idp = yield* IdpServer
      const base = yield* serveCaptured
      for (const token of ["hang-a", "reset-b", "midbody-c", "slow-2000-d", "user-e", "huge-f", "status-503-g"]) {
        yield* get(`${base}/protected`, { authorization: `Bearer ${token}` })
      }
      yield* Effect.sleep("100 millis")
      // Sequential requests reuse at most one pooled connection; every aborted
      // call closed its own.
      assert.isAtMost(idp.openSockets(), 1)
    }))

  it.effect("userinfo calls are counted by outcome", () =>
    Effect.gen(function*() {
      const failed = yield* Metric.value(Metric.tagged(userinfoCalls, "outcome", "unavailable"))
      const invalid = yield* Metric.value(Metric.tagged(userinfoCalls, "outcome", "invalid_response"))
      const rejected = yield* Metric.value(Metric.tagged(userinfoCalls, "outcome", "rejected"))
      assert.isAtLeast(failed.count, 8 * 4)
      assert.isAtLeast(invalid.count, 8 * 4)
      assert.isAtLeast(rejected.count, 4 * 4)
    }))
})

layer(
  AuthdogLoopback({ timeout: `${timeoutMs} millis`, outageMode: true, retryAfter: "7 seconds" }).pipe(
    Layer.provideMerge(IdpLive)
  ),
  { excludeTestServices: true }
)("a misbehaving identity provider (outage mode on)", (it) => {
  for (const [name, token, expected] of cases) {
    const status = expected === "rejected" ? 401 : 503
    it.scoped(`${name}: protected ${status}, public anonymous`, () =>
      Effect.gen(function*() {
        const base = yield* serveCaptured
        const [gated, ms] = yield* timed(get(`${base}/protected`, { authorization: `Bearer ${token}` }))
        record(gated)
        assert.strictEqual(gated.status, status)
        if (status === 503) {
          assert.strictEqual(gated.body, "{\"error\":\"Unavailable\"}")
          assert.deepStrictEqual(rawHeader(gated, "retry-after"), ["7"])
          assert.deepStrictEqual(rawHeader(gated, "content-type"), ["application/json"])
        } else {
          assert.strictEqual(gated.body, "{\"error\":\"Unauthorized\"}")
          assert.deepStrictEqual(rawHeader(gated, "retry-after"), [])
        }
        assert.isBelow(ms, timeoutMs + marginMs)
        const open = yield* get(`${base}/public`, { cookie: `authdog-session=${token}` })
        record(open)
        assert.deepStrictEqual(JSON.parse(open.body), { signedIn: false, user: null })
      }))
  }

  it.scoped("a missing token is still 401 in outage mode", () =>
    Effect.gen(function*() {
      const base = yield* serveCaptured
      const response = yield* get(`${base}/protected`)
      assert.strictEqual(response.status, 401)
    }))
})

// A fetch-based client follows redirects unless told not to.
const FetchLoopback = loopback(FetchHttpClient.layer)

layer(
  authdogLayer({ publicKey: testPublicKey, timeout: `${timeoutMs} millis` }).pipe(
    Layer.orDie,
    Layer.provide(FetchLoopback),
    Layer.provideMerge(IdpLive)
  ),
  { excludeTestServices: true }
)("FetchHttpClient", (it) => {
  it.scoped("authenticates, and does not follow the identity provider's redirect", () =>
    Effect.gen(function*() {
      const idp = yield* IdpServer
      const base = yield* serveCaptured
      idp.reset()
      const ok = yield* get(`${base}/protected`, { authorization: "Bearer user-fetch" })
      assert.strictEqual(ok.body, "secret")
      const redirected = yield* get(`${base}/protected`, { authorization: "Bearer redirect-leak" })
      record(redirected)
      assert.strictEqual(redirected.status, 401)
      assert.deepStrictEqual(idp.paths().filter((path) => path === "/stolen"), [])
      assert.strictEqual(idp.calls(), 2)
    }))
})

describe("no secret leaks", () => {
  layer(FaultsLive, { excludeTestServices: true })("across the whole fault suite", (it) => {
    it.effect("no token appears in logs, spans, errors or responses", () =>
      Effect.sync(() => {
        collectSpans()
        const text = captured.join("\n")
        assert.isAbove(captured.length, 100, "the capture saw the suite")
        assert.include(text, "Unauthorized", "errors were captured")
        assert.include(text, "authdog.userinfo", "spans were captured")
        assert.include(text, "Authdog userinfo lookup failed", "logs were captured")
        for (const [, token] of cases) assert.notInclude(text, token, token)
        assert.notInclude(text, "user-fetch")
        assert.isTrue(Option.isNone(Option.fromNullable(text.match(/Bearer [A-Za-z0-9]/))), "no bearer credential")
      }))
  })
})

// The call runs on a fiber of its own, but what it reports belongs to the
// request that started it: its log annotations and its metric labels.
layer(FaultsLive, { excludeTestServices: true })("a failed lookup is reported in the request's context", (it) => {
  it.scoped("the warning carries the request's log annotations; the metric its labels", () =>
    Effect.gen(function*() {
      const lines: Array<{ message: unknown; annotations: Record<string, unknown> }> = []
      const Capture = Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ annotations, message }) => {
          lines.push({ message, annotations: Object.fromEntries(annotations) })
        })
      )
      const annotated = HttpRouter.empty.pipe(
        HttpRouter.get(
          "/annotated",
          requireAuth(HttpServerResponse.text("secret")).pipe(
            Effect.annotateLogs("request.id", "r-1"),
            Effect.tagMetrics("route", "annotated")
          )
        )
      )
      const base = yield* serve(annotated).pipe(Effect.provide(Capture))
      const counter = Metric.tagged(Metric.tagged(userinfoCalls, "outcome", "unavailable"), "route", "annotated")
      const before = (yield* Metric.value(counter)).count
      for (const token of ["status-503", "hang-x"]) {
        const response = yield* get(`${base}/annotated`, { authorization: `Bearer ${token}` })
        assert.strictEqual(response.status, 401, token)
      }
      // The warning is logged from a fiber of its own, after the answer.
      yield* Effect.sleep("50 millis")
      const warnings = lines.filter((line) => String(line.message).includes("Authdog userinfo lookup failed"))
      assert.strictEqual(warnings.length, 2, JSON.stringify(lines))
      for (const warning of warnings) {
        assert.strictEqual(warning.annotations["request.id"], "r-1")
        assert.strictEqual(warning.annotations["authdog.outcome"], "unavailable")
      }
      assert.strictEqual((yield* Metric.value(counter)).count - before, 2)
    }))
})
