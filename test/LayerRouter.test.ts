import { HttpLayerRouter, HttpServerResponse } from "@effect/platform"
import { assert, layer } from "@effect/vitest"
import { Effect, Fiber, Layer } from "effect"
import {
  AuthdogOptional,
  AuthdogOptionalGlobal,
  AuthdogRequired,
  AuthdogRequiredGlobal,
  AuthdogSession,
  AuthdogUser,
  currentSession,
  logout,
  requireAuth,
  withSession
} from "../src/index.js"
import { AuthdogLoopback, get, listen, rawHeader } from "./support/app.js"
import { IdpLive, IdpServer } from "./support/idp.js"

const options = { disableLogger: true, disableListenLog: true } as const

const unauthorizedBody = "{\"error\":\"Unauthorized\"}"

const whoami = Effect.map(currentSession, (session) => session.user?.id ?? null)

const Public = HttpLayerRouter.add("GET", "/public", HttpServerResponse.text("public"))

const me = Effect.gen(function*() {
  const session = yield* AuthdogSession
  const user = yield* AuthdogUser
  assert.strictEqual(session.user, user)
  return yield* HttpServerResponse.json({ id: user.id })
})

const Me = HttpLayerRouter.add("GET", "/me", me).pipe(Layer.provide(AuthdogRequired.layer))

const Maybe = HttpLayerRouter.add(
  "GET",
  "/maybe",
  Effect.flatMap(AuthdogSession, (session) => HttpServerResponse.json({ signedIn: session.isAuthenticated }))
).pipe(Layer.provide(AuthdogOptional.layer))

// requireAuth keeps working inside a route, with no middleware at all.
const Classic = HttpLayerRouter.add(
  "GET",
  "/classic",
  requireAuth(Effect.flatMap(AuthdogUser, (user) => HttpServerResponse.text(user.id ?? "")))
)

// The gate, then forked and sequential readers of every kind: one call.
const Many = HttpLayerRouter.add(
  "GET",
  "/many",
  Effect.gen(function*() {
    const session = yield* AuthdogSession
    const ids = [session.user?.id ?? null, yield* whoami, yield* requireAuth(Effect.map(AuthdogUser, (u) => u.id))]
    ids.push(yield* withSession(Effect.map(AuthdogSession, (s) => s.user?.id ?? null)))
    const forked = yield* Effect.all(Array.from({ length: 10 }, () => whoami), { concurrency: "unbounded" })
    const fiber = yield* Effect.fork(whoami)
    ids.push(...forked, yield* Fiber.join(fiber))
    return yield* HttpServerResponse.json(ids)
  })
).pipe(Layer.provide(AuthdogRequired.layer))

const Logout = HttpLayerRouter.add("GET", "/logout", logout)

const PerRoute = HttpLayerRouter.serve(Layer.mergeAll(Public, Me, Maybe, Classic, Many, Logout), options)

const GlobalOptional = HttpLayerRouter.serve(
  Layer.mergeAll(
    Public,
    Many,
    Classic,
    HttpLayerRouter.add(
      "GET",
      "/home",
      Effect.flatMap(AuthdogSession, (session) => HttpServerResponse.json({ signedIn: session.isAuthenticated }))
    )
  ).pipe(Layer.provide(AuthdogOptionalGlobal)),
  options
)

const GlobalGate = HttpLayerRouter.serve(
  Layer.mergeAll(Public, HttpLayerRouter.add("GET", "/me", me)).pipe(Layer.provide(AuthdogRequiredGlobal)),
  options
)

const AuthdogWithIdp = AuthdogLoopback().pipe(Layer.provideMerge(IdpLive))

layer(AuthdogWithIdp, { excludeTestServices: true })("HttpLayerRouter middleware per route", (it) => {
  it.scoped("no token: 401 with the exact body and content type, no outbound call", () =>
    Effect.gen(function*() {
      const idp = yield* IdpServer
      const base = yield* listen(PerRoute)
      idp.reset()
      const response = yield* get(`${base}/me`)
      assert.strictEqual(response.status, 401)
      assert.strictEqual(response.body, unauthorizedBody)
      assert.deepStrictEqual(rawHeader(response, "content-type"), ["application/json"])
      assert.strictEqual(idp.calls(), 0)
    }))

  it.scoped("Bearer or cookie: the route runs with the user, one call each", () =>
    Effect.gen(function*() {
      const idp = yield* IdpServer
      const base = yield* listen(PerRoute)
      idp.reset()
      const bearer = yield* get(`${base}/me`, { authorization: "Bearer user-ada" })
      assert.strictEqual(bearer.status, 200)
      assert.deepStrictEqual(JSON.parse(bearer.body), { id: "ada" })
      assert.strictEqual(idp.calls(), 1)
      const cookie = yield* get(`${base}/me`, { cookie: "theme=dark; authdog-session=user-bob" })
      assert.deepStrictEqual(JSON.parse(cookie.body), { id: "bob" })
      assert.strictEqual(idp.calls(), 2)
      const rejected = yield* get(`${base}/me`, { cookie: "authdog-session=nobody" })
      assert.strictEqual(rejected.status, 401)
      assert.strictEqual(rejected.body, unauthorizedBody)
      assert.strictEqual(idp.calls(), 3)
    }))

  it.scoped("Bearer first: Basic plus a valid cookie authenticates by the cookie, a bad Bearer is rejected", () =>
    Effect.gen(function*() {
      const idp = yield* IdpServer
      const base = yield* listen(PerRoute)
      idp.reset()
      const basic = yield* get(`${base}/me`, { authorization: "Basic dXNlcjpwdw==", cookie: "authdog-session=user-c" })
      assert.strictEqual(basic.status, 200)
      assert.deepStrictEqual(JSON.parse(basic.body), { id: "c" })
      const bad = yield* get(`${base}/me`, { authorization: "Bearer nobody", cookie: "authdog-session=user-c" })
      assert.strictEqual(bad.status, 401)
      assert.deepStrictEqual(idp.tokens(), ["user-c", "nobody"])
      idp.reset()
      const implausible = yield* get(`${base}/me`, {
        authorization: "Bearer has\"quote",
        cookie: "authdog-session=user-c"
      })
      assert.strictEqual(implausible.status, 401)
      assert.strictEqual(idp.calls(), 0)
    }))

  it.scoped("the optional session serves anonymous, signed-in and rejected callers", () =>
    Effect.gen(function*() {
      const idp = yield* IdpServer
      const base = yield* listen(PerRoute)
      idp.reset()
      const anonymous = yield* get(`${base}/maybe`)
      assert.deepStrictEqual(JSON.parse(anonymous.body), { signedIn: false })
      assert.strictEqual(idp.calls(), 0)
      const signedIn = yield* get(`${base}/maybe`, { cookie: "authdog-session=user-d" })
      assert.deepStrictEqual(JSON.parse(signedIn.body), { signedIn: true })
      const rejected = yield* get(`${base}/maybe`, { authorization: "Bearer nobody" })
      assert.strictEqual(rejected.status, 200)
      assert.deepStrictEqual(JSON.parse(rejected.body), { signedIn: false })
      assert.strictEqual(idp.calls(), 2)
    }))

  it.scoped("requireAuth keeps working inside a route", () =>
    Effect.gen(function*() {
      const idp = yield* IdpServer
      const base = yield* listen(PerRoute)
      idp.reset()
      const denied = yield* get(`${base}/classic`)
      assert.strictEqual(denied.status, 401)
      assert.strictEqual(denied.body, unauthorizedBody)
      const ok = yield* get(`${base}/classic`, { authorization: "Bearer user-e" })
      assert.strictEqual(ok.body, "e")
      assert.strictEqual(idp.calls(), 1)
    }))

  it.scoped("the gate, forked readers, requireAuth and withSession in one request: one call", () =>
    Effect.gen(function*() {
      const idp = yield* IdpServer
      const base = yield* listen(PerRoute)
      for (const headers of [{ authorization: "Bearer slow-20-m" }, { cookie: "authdog-session=slow-20-m" }]) {
        idp.reset()
        const response = yield* get(`${base}/many`, headers)
        assert.strictEqual(response.status, 200)
        assert.deepStrictEqual(JSON.parse(response.body), Array(15).fill("m"))
        assert.strictEqual(idp.calls(), 1)
      }
    }))

  it.scoped("routes without the middleware make zero calls, even with a token", () =>
    Effect.gen(function*() {
      const idp = yield* IdpServer
      const base = yield* listen(PerRoute)
      idp.reset()
      const response = yield* get(`${base}/public`, { authorization: "Bearer user-f" })
      assert.strictEqual(response.body, "public")
      yield* get(`${base}/public`, { cookie: "authdog-session=user-f" })
      const logoutResponse = yield* get(`${base}/logout?redirect_uri=//evil.com`, { cookie: "authdog-session=user-f" })
      assert.strictEqual(logoutResponse.status, 302)
      assert.deepStrictEqual(rawHeader(logoutResponse, "location"), ["/"])
      assert.deepStrictEqual(rawHeader(logoutResponse, "set-cookie"), [
        "authdog-session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax"
      ])
      assert.strictEqual(idp.calls(), 0)
    }))
})

layer(AuthdogWithIdp, { excludeTestServices: true })("HttpLayerRouter global middleware", (it) => {
  it.scoped("global optional session with a gated route and forked readers: one call per request", () =>
    Effect.gen(function*() {
      const idp = yield* IdpServer
      const base = yield* listen(GlobalOptional)
      idp.reset()
      const many = yield* get(`${base}/many`, { authorization: "Bearer slow-20-g" })
      assert.deepStrictEqual(JSON.parse(many.body), Array(15).fill("g"))
      assert.strictEqual(idp.calls(), 1)
      const classic = yield* get(`${base}/classic`, { cookie: "authdog-session=user-g" })
      assert.strictEqual(classic.body, "g")
      assert.strictEqual(idp.calls(), 2)
      const home = yield* get(`${base}/home`, { cookie: "authdog-session=user-g" })
      assert.deepStrictEqual(JSON.parse(home.body), { signedIn: true })
      assert.strictEqual(idp.calls(), 3)
      const denied = yield* get(`${base}/many`)
      assert.strictEqual(denied.status, 401)
      assert.strictEqual(denied.body, unauthorizedBody)
      assert.strictEqual(idp.calls(), 3)
    }))

  it.scoped("global optional session: no token, no call; a token costs one call even where nothing reads it", () =>
    Effect.gen(function*() {
      const idp = yield* IdpServer
      const base = yield* listen(GlobalOptional)
      idp.reset()
      assert.strictEqual((yield* get(`${base}/public`)).body, "public")
      assert.deepStrictEqual(JSON.parse((yield* get(`${base}/home`)).body), { signedIn: false })
      assert.strictEqual(idp.calls(), 0)
      // Global middleware runs before routing: it cannot know the route never reads the session.
      assert.strictEqual((yield* get(`${base}/public`, { authorization: "Bearer user-h" })).body, "public")
      assert.strictEqual(idp.calls(), 1)
      assert.strictEqual((yield* get(`${base}/nowhere`, { authorization: "Bearer user-h" })).status, 404)
      assert.strictEqual(idp.calls(), 2)
    }))

  it.scoped("global gate: every path is protected, Bearer first", () =>
    Effect.gen(function*() {
      const idp = yield* IdpServer
      const base = yield* listen(GlobalGate)
      idp.reset()
      for (const path of ["/public", "/me", "/nowhere"]) {
        const response = yield* get(`${base}${path}`)
        assert.strictEqual(response.status, 401, path)
        assert.strictEqual(response.body, unauthorizedBody, path)
        assert.deepStrictEqual(rawHeader(response, "content-type"), ["application/json"], path)
      }
      assert.strictEqual(idp.calls(), 0)
      const me = yield* get(`${base}/me`, { authorization: "Bearer user-i" })
      assert.deepStrictEqual(JSON.parse(me.body), { id: "i" })
      assert.strictEqual(idp.calls(), 1)
      const basic = yield* get(`${base}/me`, { authorization: "Basic dXNlcjpwdw==", cookie: "authdog-session=user-j" })
      assert.deepStrictEqual(JSON.parse(basic.body), { id: "j" })
      const bad = yield* get(`${base}/me`, { authorization: "Bearer nobody", cookie: "authdog-session=user-j" })
      assert.strictEqual(bad.status, 401)
      assert.strictEqual(idp.calls(), 3)
    }))
})

layer(AuthdogLoopback({ outageMode: true }).pipe(Layer.provideMerge(IdpLive)), { excludeTestServices: true })(
  "HttpLayerRouter middleware in outage mode",
  (it) => {
    it.scoped("identity provider down: 503 with Retry-After; a rejected token is still 401", () =>
      Effect.gen(function*() {
        for (const served of [PerRoute, GlobalGate]) {
          const base = yield* listen(served)
          const down = yield* get(`${base}/me`, { authorization: "Bearer status-503-x" })
          assert.strictEqual(down.status, 503)
          assert.strictEqual(down.body, "{\"error\":\"Unavailable\"}")
          assert.deepStrictEqual(rawHeader(down, "retry-after"), ["5"])
          assert.deepStrictEqual(rawHeader(down, "content-type"), ["application/json"])
          const rejected = yield* get(`${base}/me`, { authorization: "Bearer nobody" })
          assert.strictEqual(rejected.status, 401)
        }
        const base = yield* listen(PerRoute)
        const optional = yield* get(`${base}/maybe`, { authorization: "Bearer status-503-x" })
        assert.deepStrictEqual(JSON.parse(optional.body), { signedIn: false })
      }))
  }
)

layer(AuthdogWithIdp, { excludeTestServices: true })("HttpLayerRouter middleware without outage mode", (it) => {
  it.scoped("identity provider down: 401", () =>
    Effect.gen(function*() {
      const base = yield* listen(PerRoute)
      const down = yield* get(`${base}/me`, { authorization: "Bearer status-503-x" })
      assert.strictEqual(down.status, 401)
      assert.strictEqual(down.body, unauthorizedBody)
      assert.deepStrictEqual(rawHeader(down, "retry-after"), [])
    }))
})
