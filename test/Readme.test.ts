/**
 * The README's "Testing your app" snippet, as written there, so that it
 * cannot rot; plus the rejection path it describes.
 */
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { assert, it } from "@effect/vitest"
import { Effect } from "effect"
import { AuthdogUser, Unauthorized } from "../src/index.js"
import { AuthdogTest, requireAuth } from "../src/index.js"

const me = requireAuth(Effect.flatMap(AuthdogUser, (user) => HttpServerResponse.json(user)))

it.effect("serves the signed-in user", () =>
  Effect.gen(function*() {
    const request = HttpServerRequest.fromWeb(
      new Request("http://app/me", { headers: { authorization: "Bearer alice-token" } })
    )
    const response = yield* Effect.provideService(me, HttpServerRequest.HttpServerRequest, request)
    assert.strictEqual(response.status, 200)
    const idp = yield* AuthdogTest.IdentityProvider
    assert.strictEqual(yield* idp.calls, 1)
  }).pipe(Effect.provide(AuthdogTest.layer({ users: { "alice-token": { id: "alice", displayName: "Alice" } } }))))

it.effect("unknown and revoked tokens fail with Unauthorized", () =>
  Effect.gen(function*() {
    const idp = yield* AuthdogTest.IdentityProvider
    const ask = (token: string) =>
      Effect.flip(Effect.provideService(
        me,
        HttpServerRequest.HttpServerRequest,
        HttpServerRequest.fromWeb(new Request("http://app/me", { headers: { cookie: `authdog-session=${token}` } }))
      ))
    const unknown = yield* ask("mallory-token")
    assert.instanceOf(unknown, Unauthorized)
    assert.strictEqual((unknown as Unauthorized).reason, "Rejected")
    yield* idp.setUser("alice-token", null)
    const revoked = yield* ask("alice-token")
    assert.instanceOf(revoked, Unauthorized)
    assert.strictEqual(yield* idp.calls, 2)
  }).pipe(Effect.provide(AuthdogTest.layer({ users: { "alice-token": { id: "alice" } } }))))
