/**
 * The detached userinfo call and its timer: whichever comes first settles the
 * call, exactly once, whatever the call does after its timeout. Clients here
 * are fakes built with `HttpClient.make`, to control what happens after the
 * timer fires (the fault suite covers real sockets).
 */
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Logger, Metric, Redacted } from "effect"
import { userinfoCalls } from "../src/index.js"
import { makeCache } from "../src/internal/cache.js"
import { makeLookup, type Resolution } from "../src/internal/userinfo.js"

const answer = (request: Parameters<Parameters<typeof HttpClient.make>[0]>[0]) =>
  HttpClientResponse.fromWeb(
    request,
    new Response(JSON.stringify({ meta: { code: 200 }, user: { id: "u" } }), {
      status: 200,
      headers: { "content-type": "application/json" }
    })
  )

/** A client whose n-th call does what `behaviour(n)` says; counts its calls. */
const fakeClient = (behaviour: (n: number, request: Parameters<typeof answer>[0]) => Effect.Effect<any>) => {
  let calls = 0
  const client = HttpClient.make((request) => behaviour(++calls, request))
  return { client, calls: () => calls }
}

const lookupWith = (client: HttpClient.HttpClient) =>
  makeLookup({
    client,
    identityHost: "https://id.authdog.com",
    environmentId: "e",
    allowedIdentityHosts: [],
    timeout: Duration.millis(100)
  })

const count = (outcome: string) =>
  Effect.map(Metric.value(Metric.tagged(userinfoCalls, "outcome", outcome)), (s) => s.count)

const warnings: Array<unknown> = []
const CaptureWarnings = Logger.replace(
  Logger.defaultLogger,
  Logger.make(({ message }) => {
    if (String(message).includes("lookup failed")) warnings.push(message)
  })
)

describe("a call and its timeout", () => {
  it.live("a call whose interruption takes a while is settled once; later calls are still shared", () =>
    Effect.gen(function*() {
      // hangs; once interrupted, takes 50 ms to clean up (as a fetch body's cancel does)
      const idp = fakeClient(() => Effect.never.pipe(Effect.onInterrupt(() => Effect.sleep("50 millis"))))
      const lookup = yield* lookupWith(idp.client)
      const cache = makeCache({ ttl: "1 hour" }, lookup.start)
      const token = Redacted.make("tok")
      const before = yield* count("unavailable")
      const first = yield* Effect.fork(cache.lookup(token))
      yield* Effect.sleep("120 millis") // the first call timed out; its fiber is still cleaning up
      const second = yield* Effect.fork(cache.lookup(token))
      yield* Effect.sleep("60 millis") // the first call's fiber has ended by now
      const third = yield* Effect.fork(cache.lookup(token))
      const outcomes = yield* Effect.forEach(
        [first, second, third],
        (fiber) => Effect.map(fiber.await, (exit) => exit._tag === "Success" ? exit.value.outcome : "died")
      )
      assert.deepStrictEqual(outcomes, ["unavailable", "unavailable", "unavailable"])
      assert.strictEqual(idp.calls(), 2, "the third lookup shared the second call")
      yield* Effect.sleep("100 millis")
      assert.strictEqual((yield* count("unavailable")) - before, 2, "one sample per call")
    }))

  it.live("an interruption that ends in a defect after the timeout is not counted twice", () =>
    Effect.gen(function*() {
      const idp = fakeClient(() => Effect.never.pipe(Effect.onInterrupt(() => Effect.die("cleanup failed"))))
      const lookup = yield* lookupWith(idp.client)
      const before = yield* count("unavailable")
      warnings.length = 0
      const settled: Array<Resolution> = []
      yield* Effect.withFiberRuntime<void>((fiber) => {
        lookup.start(Redacted.make("tok"), (resolution) => settled.push(resolution), fiber)
        return Effect.void
      }).pipe(Effect.provide(CaptureWarnings))
      yield* Effect.sleep("250 millis")
      assert.deepStrictEqual(settled.map((r) => r.outcome), ["unavailable"])
      assert.strictEqual((yield* count("unavailable")) - before, 1)
      assert.strictEqual(warnings.length, 1)
    }))

  it.live("an answer that arrives after the timeout changes nothing, and is not cached", () =>
    Effect.gen(function*() {
      // the answer comes at 150 ms, in a region the timer cannot interrupt
      const idp = fakeClient((_, request) =>
        Effect.uninterruptible(Effect.as(Effect.sleep("150 millis"), answer(request)))
      )
      const lookup = yield* lookupWith(idp.client)
      const cache = makeCache({ ttl: "1 hour" }, lookup.start)
      const before = yield* count("authenticated")
      const resolution = yield* cache.lookup(Redacted.make("tok"))
      assert.strictEqual(resolution.outcome, "unavailable")
      assert.isFalse(resolution.session.isAuthenticated)
      yield* Effect.sleep("150 millis")
      assert.deepStrictEqual(cache.keys(), [], "the late success was not stored")
      assert.strictEqual((yield* count("authenticated")) - before, 0)
    }))

  it.live("a call that completes at once (an in-memory client) is settled once, before any timer", () =>
    Effect.gen(function*() {
      const idp = fakeClient((_, request) => Effect.succeed(answer(request)))
      const lookup = yield* lookupWith(idp.client)
      const resolution = yield* lookup.lookup(Redacted.make("tok"))
      assert.strictEqual(resolution.outcome, "authenticated")
      assert.strictEqual(idp.calls(), 1)
    }))
})
