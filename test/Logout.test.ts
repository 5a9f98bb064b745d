import { HttpRouter } from "@effect/platform"
import { assert, describe, it, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { encodeLocation, logout, logoutResponse } from "../src/index.js"
import { AuthdogLoopback, get, rawHeader, serve } from "./support/app.js"
import { peerRejectedRedirects } from "./support/cases.js"
import { IdpLive } from "./support/idp.js"

const expired = "authdog-session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax"
const expiredSecure = "authdog-session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax"

const router = HttpRouter.empty.pipe(HttpRouter.get("/logout", logout))

const hostile = [...peerRejectedRedirects, "HTTPS://evil.com", "/\r\nSet-Cookie: x=1"]

for (const [name, secure, cookie] of [["development", false, expired], ["production", true, expiredSecure]] as const) {
  layer(AuthdogLoopback({ secureCookies: secure }).pipe(Layer.provide(IdpLive)), { excludeTestServices: true })(
    `logout over a real server (${name})`,
    (it) => {
      it.scoped("302 to a kept path with the exact expired cookie and no-store", () =>
        Effect.gen(function*() {
          const base = yield* serve(router)
          const response = yield* get(`${base}/logout?redirect_uri=${encodeURIComponent("/a/b/c?x=1#frag")}`, {
            cookie: "authdog-session=user-a"
          })
          assert.strictEqual(response.status, 302)
          assert.deepStrictEqual(rawHeader(response, "location"), ["/a/b/c?x=1#frag"])
          assert.deepStrictEqual(rawHeader(response, "set-cookie"), [cookie])
          assert.deepStrictEqual(rawHeader(response, "cache-control"), ["no-store"])
        }))

      it.scoped("no redirect_uri, a repeated one, or a hostile one: Location is /", () =>
        Effect.gen(function*() {
          const base = yield* serve(router)
          const bare = yield* get(`${base}/logout`)
          assert.deepStrictEqual(rawHeader(bare, "location"), ["/"])
          const repeated = yield* get(`${base}/logout?redirect_uri=/a&redirect_uri=/b`)
          assert.deepStrictEqual(rawHeader(repeated, "location"), ["/"])
          for (const target of hostile) {
            const response = yield* get(`${base}/logout?redirect_uri=${encodeURIComponent(target)}`)
            assert.strictEqual(response.status, 302, target)
            assert.deepStrictEqual(rawHeader(response, "location"), ["/"], target)
            assert.deepStrictEqual(rawHeader(response, "set-cookie"), [cookie], target)
          }
        }))

      it.scoped("a path with characters a header cannot carry is encoded, not a 500", () =>
        Effect.gen(function*() {
          const base = yield* serve(router)
          const response = yield* get(`${base}/logout?redirect_uri=${encodeURIComponent("/café\u007f?q=a b&p=%zz")}`)
          assert.strictEqual(response.status, 302)
          assert.deepStrictEqual(rawHeader(response, "location"), ["/caf%C3%A9%7F?q=a%20b&p=%25zz"])
        }))
    }
  )
}

describe("logoutResponse", () => {
  it("builds the 302 for a given target", () => {
    const response = logoutResponse("/bye")
    assert.strictEqual(response.status, 302)
    assert.strictEqual(response.headers["location"], "/bye")
    assert.strictEqual(response.headers["cache-control"], "no-store")
    const fallback = logoutResponse("https://evil.com", { fallback: "/home" })
    assert.strictEqual(fallback.headers["location"], "/home")
  })

  it("encodeLocation keeps URL punctuation and valid escapes", () => {
    assert.strictEqual(encodeLocation("/a/b?x=1&y=%20#f"), "/a/b?x=1&y=%20#f")
    assert.strictEqual(encodeLocation("/\"<>"), "/%22%3C%3E")
    assert.strictEqual(encodeLocation("/\ud800x"), "/%EF%BF%BDx")
  })
})
