import { HttpRouter, HttpServerResponse } from "@effect/platform"
import { assert, describe, it, layer } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Layer, Metric, Redacted, TestClock } from "effect"
import { createHash } from "node:crypto"
import { AuthdogUser, cacheLookups, logout, requireAuth } from "../src/index.js"
import { digest, makeCache } from "../src/internal/cache.js"
import type { Lookup, Resolution } from "../src/internal/userinfo.js"
import { AuthdogLoopback, get, serve } from "./support/app.js"
import { IdpLive, IdpServer } from "./support/idp.js"

const authenticated = (token: Redacted.Redacted<string>, id: string, remainingSeconds?: number): Resolution => ({
  session: {
    token,
    user: { id },
    isAuthenticated: true,
    userInfo: {
      meta: { code: 200 },
      user: { id },
      ...(remainingSeconds === undefined ? {} : { session: { remainingSeconds } })
    }
  },
  outcome: "authenticated"
})

/** A fake identity provider: counts calls, answers per token. */
const counting = (answer: (token: Redacted.Redacted<string>) => Resolution) => {
  const calls: Array<string> = []
  const compute = (token: Redacted.Redacted<string>) =>
    Effect.sync(() => {
      calls.push(Redacted.value(token))
      return answer(token)
    })
  return { calls, compute }
}

/** Runs an effectful fake identity provider as the cache's detached call. */
const starter =
  (compute: (token: Redacted.Redacted<string>) => Effect.Effect<Resolution>): Lookup["start"] => (token, complete) => {
    Effect.runFork(compute(token)).addObserver((exit) => {
      if (Exit.isSuccess(exit)) complete(exit.value)
    })
  }

const t = (value: string) => Redacted.make(value)
const idOf = (resolution: Resolution) => resolution.session.user?.id ?? null

describe("cross-request cache", () => {
  it.effect("reuses a successful lookup until the TTL", () =>
    Effect.gen(function*() {
      const idp = counting((token) => authenticated(token, Redacted.value(token)))
      const cache = makeCache({ ttl: "30 seconds" }, starter(idp.compute))
      assert.strictEqual(idOf(yield* cache.lookup(t("a"))), "a")
      yield* TestClock.adjust("29 seconds")
      const hit = yield* cache.lookup(t("a"))
      assert.strictEqual(idOf(hit), "a")
      assert.strictEqual(idp.calls.length, 1)
      yield* TestClock.adjust("2 seconds")
      yield* cache.lookup(t("a"))
      assert.strictEqual(idp.calls.length, 2, "expired after the TTL")
    }))

  it.effect("never outlives the session's remainingSeconds", () =>
    Effect.gen(function*() {
      const idp = counting((token) => authenticated(token, "a", 5))
      const cache = makeCache({ ttl: "1 hour" }, starter(idp.compute))
      yield* cache.lookup(t("a"))
      yield* TestClock.adjust("4 seconds")
      yield* cache.lookup(t("a"))
      assert.strictEqual(idp.calls.length, 1)
      yield* TestClock.adjust("2 seconds")
      yield* cache.lookup(t("a"))
      assert.strictEqual(idp.calls.length, 2)
      const expired = counting((token) => authenticated(token, "a", 0))
      const none = makeCache({ ttl: "1 hour" }, starter(expired.compute))
      yield* none.lookup(t("a"))
      yield* none.lookup(t("a"))
      assert.strictEqual(expired.calls.length, 2, "a session with no time left is not cached")
    }))

  it.effect("evicts the least recently used past capacity", () =>
    Effect.gen(function*() {
      const idp = counting((token) => authenticated(token, Redacted.value(token)))
      const cache = makeCache({ ttl: "1 hour", capacity: 2 }, starter(idp.compute))
      yield* cache.lookup(t("a"))
      yield* cache.lookup(t("b"))
      yield* cache.lookup(t("a")) // a is now the most recent
      yield* cache.lookup(t("c")) // evicts b
      assert.deepStrictEqual(idp.calls, ["a", "b", "c"])
      yield* cache.lookup(t("a"))
      assert.strictEqual(idp.calls.length, 3, "a stayed")
      yield* cache.lookup(t("b"))
      assert.deepStrictEqual(idp.calls, ["a", "b", "c", "b"], "b was evicted")
      assert.strictEqual(cache.keys().length, 2)
    }))

  it.effect("never caches rejections or failures", () =>
    Effect.gen(function*() {
      for (const outcome of ["rejected", "unavailable", "invalid_response"] as const) {
        const idp = counting((token) => ({
          session: { token, user: null, isAuthenticated: false, userInfo: null },
          outcome
        }))
        const cache = makeCache({ ttl: "1 hour" }, starter(idp.compute))
        yield* cache.lookup(t("a"))
        yield* cache.lookup(t("a"))
        assert.strictEqual(idp.calls.length, 2, outcome)
        assert.deepStrictEqual(cache.keys(), [])
      }
    }))

  it.effect("concurrent lookups of one uncached token share one call", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      let calls = 0
      const cache = makeCache(
        { ttl: "1 hour" },
        starter((token) =>
          Effect.zipRight(
            Effect.sync(() => calls++),
            Effect.as(Deferred.await(gate), authenticated(token, "a"))
          )
        )
      )
      const before = yield* Metric.value(Metric.tagged(cacheLookups, "result", "shared"))
      const fibers = yield* Effect.forEach(Array.from({ length: 10 }), () => Effect.fork(cache.lookup(t("a"))))
      yield* Effect.yieldNow()
      // Interrupting the reader that started the call does not fail the others.
      yield* Fiber.interrupt(fibers[0]!)
      yield* Deferred.succeed(gate, undefined)
      const results = yield* Effect.forEach(fibers.slice(1), Fiber.join)
      assert.deepStrictEqual(results.map(idOf), Array(9).fill("a"))
      assert.strictEqual(calls, 1)
      const after = yield* Metric.value(Metric.tagged(cacheLookups, "result", "shared"))
      assert.strictEqual(after.count - before.count, 9)
    }))

  it.effect("holds digests, never raw tokens, as keys or values", () =>
    Effect.gen(function*() {
      const secret = "s3cr3t-token-value"
      const idp = counting((token) => authenticated(token, "a"))
      const cache = makeCache({ ttl: "1 hour" }, starter(idp.compute))
      const hit = yield* cache.lookup(t(secret))
      assert.deepStrictEqual(cache.keys(), [createHash("sha256").update(secret).digest("base64url")])
      assert.strictEqual(digest(t(secret)), cache.keys()[0])
      assert.notInclude(JSON.stringify(cache.keys()), secret)
      // A hit carries the caller's token, not one stored in the cache.
      const again = yield* cache.lookup(t(secret))
      assert.notStrictEqual(again.session.token, hit.session.token)
      assert.strictEqual(Redacted.value(again.session.token!), secret)
    }))

  it.effect("evict drops a token's entry", () =>
    Effect.gen(function*() {
      const idp = counting((token) => authenticated(token, "a"))
      const cache = makeCache({ ttl: "1 hour" }, starter(idp.compute))
      yield* cache.lookup(t("a"))
      yield* cache.evict(t("a"))
      yield* cache.lookup(t("a"))
      assert.strictEqual(idp.calls.length, 2)
    }))
})

const router = HttpRouter.empty.pipe(
  HttpRouter.get("/me", requireAuth(Effect.flatMap(AuthdogUser, (user) => HttpServerResponse.text(user.id ?? "")))),
  HttpRouter.get("/logout", logout)
)

layer(AuthdogLoopback({ cache: { ttl: "1 minute" } }).pipe(Layer.provideMerge(IdpLive)), { excludeTestServices: true })(
  "cache over a real server",
  (it) => {
    it.scoped("a working set of 100 tokens costs 100 calls for 1 000 requests", () =>
      Effect.gen(function*() {
        const idp = yield* IdpServer
        const base = yield* serve(router)
        idp.reset()
        const bodies = yield* Effect.forEach(
          Array.from({ length: 1000 }, (_, i) => i % 100),
          (n) => get(`${base}/me`, { authorization: `Bearer user-w${n}` }),
          { concurrency: 20 }
        )
        assert.deepStrictEqual(bodies.map((r) => r.body), Array.from({ length: 1000 }, (_, i) => `w${i % 100}`))
        assert.strictEqual(idp.calls(), 100)
      }))

    it.scoped("logout evicts the token it clears; rejections are asked again", () =>
      Effect.gen(function*() {
        const idp = yield* IdpServer
        const base = yield* serve(router)
        idp.reset()
        yield* get(`${base}/me`, { cookie: "authdog-session=user-out" })
        yield* get(`${base}/me`, { cookie: "authdog-session=user-out" })
        assert.strictEqual(idp.calls(), 1)
        yield* get(`${base}/logout`, { cookie: "authdog-session=user-out" })
        const after = yield* get(`${base}/me`, { cookie: "authdog-session=user-out" })
        assert.strictEqual(after.body, "out")
        assert.strictEqual(idp.calls(), 2)
        yield* get(`${base}/me`, { authorization: "Bearer nobody" })
        yield* get(`${base}/me`, { authorization: "Bearer nobody" })
        assert.strictEqual(idp.calls(), 4)
      }))
  }
)
