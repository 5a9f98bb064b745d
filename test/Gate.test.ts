import { HttpRouter, HttpServerResponse } from "@effect/platform"
import { assert, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { AuthdogSession, AuthdogUser, requireAuth, withSession } from "../src/index.js"
import { AuthdogLoopback, get, rawHeader, serve } from "./support/app.js"
import { IdpLive, IdpServer } from "./support/idp.js"

const me = requireAuth(Effect.gen(function*() {
  const session = yield* AuthdogSession
  const user = yield* AuthdogUser
  assert.strictEqual(session.user, user)
  return yield* HttpServerResponse.json({ id: user.id, displayName: user.displayName })
}))

const home = withSession(Effect.gen(function*() {
  const session = yield* AuthdogSession
  return yield* HttpServerResponse.json({ signedIn: session.isAuthenticated })
}))

let handlerRuns = 0
const counted = requireAuth(Effect.sync(() => {
  handlerRuns++
  return HttpServerResponse.text("ran")
}))

const router = HttpRouter.empty.pipe(
  HttpRouter.get("/me", me),
  HttpRouter.get("/", home),
  HttpRouter.get("/counted", counted),
  HttpRouter.get("/plain", HttpServerResponse.text("plain"))
)

const unauthorizedBody = "{\"error\":\"Unauthorized\"}"

layer(Layer.merge(IdpLive, AuthdogLoopback().pipe(Layer.provideMerge(IdpLive))), { excludeTestServices: true })(
  "gate over a real server",
  (it) => {
    it.scoped("no token: 401 with the exact body and content type, no outbound call", () =>
      Effect.gen(function*() {
        const idp = yield* IdpServer
        const base = yield* serve(router)
        idp.reset()
        const response = yield* get(`${base}/me`)
        assert.strictEqual(response.status, 401)
        assert.strictEqual(response.body, unauthorizedBody)
        assert.deepStrictEqual(rawHeader(response, "content-type"), ["application/json"])
        assert.strictEqual(idp.calls(), 0)
      }))

    it.scoped("Bearer token of a known user: the handler runs with the user", () =>
      Effect.gen(function*() {
        const idp = yield* IdpServer
        const base = yield* serve(router)
        idp.reset()
        const response = yield* get(`${base}/me`, { authorization: "Bearer user-ada" })
        assert.strictEqual(response.status, 200)
        assert.deepStrictEqual(JSON.parse(response.body), { id: "ada", displayName: "User ada" })
        assert.strictEqual(idp.calls(), 1)
        assert.deepStrictEqual(idp.tokens(), ["user-ada"])
        assert.deepStrictEqual(idp.paths(), ["/oidc/env%201%2Fx/userinfo"])
      }))

    it.scoped("the authdog-session cookie authenticates too", () =>
      Effect.gen(function*() {
        const base = yield* serve(router)
        const response = yield* get(`${base}/me`, { cookie: "theme=dark; authdog-session=user-bob" })
        assert.strictEqual(response.status, 200)
        assert.strictEqual(JSON.parse(response.body).id, "bob")
      }))

    it.scoped("rejected token: 401 and the handler never runs", () =>
      Effect.gen(function*() {
        const base = yield* serve(router)
        handlerRuns = 0
        const response = yield* get(`${base}/counted`, { authorization: "Bearer nobody" })
        assert.strictEqual(response.status, 401)
        assert.strictEqual(response.body, unauthorizedBody)
        assert.strictEqual(handlerRuns, 0)
        const ok = yield* get(`${base}/counted`, { authorization: "Bearer user-c" })
        assert.strictEqual(ok.body, "ran")
        assert.strictEqual(handlerRuns, 1)
      }))

    it.scoped("Bearer first: a bad Bearer with a valid cookie is rejected, Basic falls to the cookie", () =>
      Effect.gen(function*() {
        const base = yield* serve(router)
        const bad = yield* get(`${base}/me`, { authorization: "Bearer nobody", cookie: "authdog-session=user-c" })
        assert.strictEqual(bad.status, 401)
        const basic = yield* get(`${base}/me`, {
          authorization: "Basic dXNlcjpwdw==",
          cookie: "authdog-session=user-c"
        })
        assert.strictEqual(basic.status, 200)
        assert.strictEqual(JSON.parse(basic.body).id, "c")
      }))

    it.scoped("an implausible Bearer token makes no call and does not fall back to the cookie", () =>
      Effect.gen(function*() {
        const idp = yield* IdpServer
        const base = yield* serve(router)
        idp.reset()
        const response = yield* get(`${base}/me`, {
          authorization: "Bearer has\"quote",
          cookie: "authdog-session=user-c"
        })
        assert.strictEqual(response.status, 401)
        const long = yield* get(`${base}/me`, { authorization: `Bearer ${"a".repeat(4097)}` })
        assert.strictEqual(long.status, 401)
        assert.strictEqual(idp.calls(), 0)
      }))

    it.scoped("withSession serves anonymous and signed-in callers", () =>
      Effect.gen(function*() {
        const base = yield* serve(router)
        const anonymous = yield* get(`${base}/`)
        assert.strictEqual(anonymous.status, 200)
        assert.deepStrictEqual(JSON.parse(anonymous.body), { signedIn: false })
        const signedIn = yield* get(`${base}/`, { authorization: "bearer user-d" })
        assert.deepStrictEqual(JSON.parse(signedIn.body), { signedIn: true })
        const rejected = yield* get(`${base}/`, { authorization: "Bearer nobody" })
        assert.deepStrictEqual(JSON.parse(rejected.body), { signedIn: false })
      }))

    it.scoped("a route that never reads the session makes zero calls, even with a token", () =>
      Effect.gen(function*() {
        const idp = yield* IdpServer
        const base = yield* serve(router)
        idp.reset()
        const response = yield* get(`${base}/plain`, { authorization: "Bearer user-e" })
        assert.strictEqual(response.body, "plain")
        assert.strictEqual(idp.calls(), 0)
      }))
  }
)
