/**
 * The @authdog/effect app under test: HttpRouter + NodeHttpServer, with
 * `GET /public` (no auth) and `GET /me` behind `requireAuth`.
 *
 * BENCH_MODE:
 *   baseline  the same app, measured on /public (the route without auth);
 *   auth      `requireAuth`, no cache (one userinfo call per request);
 *   cache     `requireAuth`, with the `cache` option (ttl 5 minutes, capacity 1000: the
 *             warm-up fills it with the whole working set; the measured window hits it).
 *   raw       no binding: the route calls the identity provider through the same HttpClient.
 *
 * BENCH_SERVER_SPANS=off turns off the HTTP server's own span per request
 * (`HttpMiddleware.withTracerDisabledWhen`), which Effect apps have by default.
 *
 * The public key names https://id.authdog.com, so the library's https and
 * allowlist checks run as in production; the HttpClient it is given rewrites
 * that origin to IDP_URL at the URL level, over NodeHttpClient.layerUndici.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { createServer } from "node:http"
import type { AuthdogOptions } from "../../src/index.js"
import { IDENTITY_HOST, idpUrl, port, PUBLIC_KEY } from "../common.js"

// The built package, as users run it (`npm run bench` builds it first); typed
// by the sources, so that type checking needs no build.
const distEntry = "../../dist/index.js"
const { AuthdogSession, layer, requireAuth } = (await import(distEntry)) as typeof import("../../src/index.js")

const mode = process.env.BENCH_MODE ?? "auth"
if (mode !== "baseline" && mode !== "auth" && mode !== "cache" && mode !== "raw") {
  throw new Error(`BENCH_MODE must be baseline, auth, cache or raw, got ${mode}`)
}

const serverSpans = process.env.BENCH_SERVER_SPANS ?? "on"
if (serverSpans !== "on" && serverSpans !== "off") {
  throw new Error(`BENCH_SERVER_SPANS must be on or off, got ${serverSpans}`)
}

const target = idpUrl()
const prefix = IDENTITY_HOST + "/"

/** NodeHttpClient.layerUndici, with https://id.authdog.com rewritten to the loopback identity provider. */
const LoopbackHttpClient = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(
    HttpClient.HttpClient,
    HttpClient.mapRequest((request) =>
      request.url.startsWith(prefix)
        ? HttpClientRequest.setUrl(request, target + request.url.slice(IDENTITY_HOST.length))
        : request
    )
  )
).pipe(Layer.provide(NodeHttpClient.layerUndici))

const options: AuthdogOptions = mode === "cache"
  ? { publicKey: PUBLIC_KEY, cache: { ttl: Duration.minutes(5), capacity: 1000 } }
  : { publicKey: PUBLIC_KEY }

const AuthdogLive = layer(options).pipe(Layer.provide(LoopbackHttpClient))

const me = Effect.gen(function*() {
  const session = yield* AuthdogSession
  return yield* HttpServerResponse.json(session.user)
})

const unauthorized = HttpServerResponse.unsafeJson({ error: "Unauthorized" }, { status: 401 })
const userinfoUrl = `${IDENTITY_HOST}/oidc/bench/userinfo`

// The same work without the binding: one call through HttpClient, no checks.
const raw = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const token = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? "")?.[1]
  if (token === undefined) return unauthorized
  const client = yield* HttpClient.HttpClient
  const response = yield* client.execute(
    HttpClientRequest.get(userinfoUrl).pipe(HttpClientRequest.setHeader("authorization", `Bearer ${token}`))
  )
  const body = (yield* response.json) as { meta?: { code?: unknown }; user?: unknown }
  return body.meta?.code === 200 && body.user ? yield* HttpServerResponse.json(body.user) : unauthorized
}).pipe(Effect.catchAll(() => Effect.succeed(unauthorized)))

const router = HttpRouter.empty.pipe(
  HttpRouter.get("/public", HttpServerResponse.json({ ok: true })),
  HttpRouter.get("/me", requireAuth(me))
)

const ServerLive = mode === "raw"
  ? HttpServer.serve(
    HttpRouter.empty.pipe(
      HttpRouter.get("/public", HttpServerResponse.json({ ok: true })),
      HttpRouter.get("/me", raw)
    )
  ).pipe(
    Layer.provide(LoopbackHttpClient),
    Layer.provide(NodeHttpServer.layer(createServer, { port: port(), host: "127.0.0.1" }))
  )
  : HttpServer.serve(router).pipe(
    Layer.provide(AuthdogLive),
    Layer.provide(NodeHttpServer.layer(createServer, { port: port(), host: "127.0.0.1" }))
  )

NodeRuntime.runMain(Layer.launch(
  serverSpans === "off" ? HttpMiddleware.withTracerDisabledWhen(ServerLive, () => true) : ServerLive
))
