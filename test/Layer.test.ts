import { FetchHttpClient, HttpServerRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Layer, Redacted } from "effect"
import { Authdog, AuthdogLive, currentSession, InvalidPublicKey, layer } from "../src/index.js"
import { publicKeyFor, testPublicKey } from "./support/app.js"

const build = (env: Record<string, string>) =>
  Effect.flatMap(Authdog, (authdog) => Effect.succeed(authdog)).pipe(
    Effect.provide(AuthdogLive.pipe(Layer.provide(FetchHttpClient.layer))),
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))
  )

const failure = (env: Record<string, string>) =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(build(env))
    assert.isTrue(Exit.isFailure(exit))
    const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
    assert.instanceOf(error, InvalidPublicKey)
    return error as InvalidPublicKey
  })

describe("AuthdogLive", () => {
  it.effect("a missing PK_AUTHDOG fails at startup saying what to set", () =>
    Effect.gen(function*() {
      const error = yield* failure({})
      assert.strictEqual(error.reason, "Missing")
      assert.match(error.message, /^Public key is not defined\. Set PK_AUTHDOG to the public key/)
    }))

  it.effect("a malformed PK_AUTHDOG fails at startup with the reference message and the fix", () =>
    Effect.gen(function*() {
      const bad = yield* failure({ PK_AUTHDOG: "not-a-key" })
      assert.strictEqual(bad.reason, "MissingPrefix")
      assert.match(bad.message, /^Invalid public key\. Set PK_AUTHDOG/)
      const untrusted = yield* failure({
        PK_AUTHDOG: publicKeyFor({ environmentId: "e", identityHost: "https://169.254.169.254" })
      })
      assert.match(untrusted.message, /^Untrusted identity host\. Set PK_AUTHDOG/)
    }))

  it.effect("AUTHDOG_ALLOWED_IDENTITY_HOSTS extends the allowlist", () =>
    Effect.gen(function*() {
      const key = publicKeyFor({ environmentId: "e", identityHost: "https://id.acme.io/" })
      yield* failure({ PK_AUTHDOG: key })
      const authdog = yield* build({ PK_AUTHDOG: key, AUTHDOG_ALLOWED_IDENTITY_HOSTS: " other.org, ACME.IO ," })
      assert.strictEqual(authdog.publicKey.identityHost, "https://id.acme.io")
      assert.strictEqual(
        authdog.publicKeyJson,
        JSON.stringify({ environmentId: "e", identityHost: "https://id.acme.io" })
      )
    }))

  it.effect("NODE_ENV=production sets secure cookies; outage mode and Retry-After are read", () =>
    Effect.gen(function*() {
      const plain = yield* build({ PK_AUTHDOG: testPublicKey })
      assert.isFalse(plain.secureCookies)
      assert.isUndefined(plain.outageRetryAfterSeconds)
      const production = yield* build({
        PK_AUTHDOG: testPublicKey,
        NODE_ENV: "production",
        AUTHDOG_OUTAGE_MODE: "true",
        AUTHDOG_RETRY_AFTER: "1500 millis"
      })
      assert.isTrue(production.secureCookies)
      assert.strictEqual(production.outageRetryAfterSeconds, 2)
    }))

  it.effect("AUTHDOG_FETCH_USER=false: token kept, not authenticated, no outbound call", () =>
    Effect.gen(function*() {
      const session = yield* currentSession.pipe(
        Effect.provideService(
          HttpServerRequest.HttpServerRequest,
          HttpServerRequest.fromWeb(new Request("http://app/", { headers: { authorization: "Bearer abc" } }))
        ),
        Effect.provide(AuthdogLive.pipe(Layer.provide(FetchHttpClient.layer))),
        Effect.provide(Layer.succeed(FetchHttpClient.Fetch, () => Promise.reject(new Error("no call expected")))),
        Effect.withConfigProvider(
          ConfigProvider.fromMap(new Map([["PK_AUTHDOG", testPublicKey], ["AUTHDOG_FETCH_USER", "false"]]))
        )
      )
      assert.isFalse(session.isAuthenticated)
      assert.isNull(session.user)
      assert.isNotNull(session.token)
    }))
})

describe("layer", () => {
  it.effect("fails at construction, never on a request", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        Layer.build(layer({ publicKey: "pk_" }).pipe(Layer.provide(FetchHttpClient.layer)))
      )
      assert.isTrue(Exit.isFailure(exit))
      assert.include(
        String(Exit.isFailure(exit) ? exit.cause : ""),
        "Failed to parse public key. Set the publicKey option"
      )
    }).pipe(Effect.scoped))
})

describe("AuthdogLive, the call settings", () => {
  const envelope = JSON.stringify({ meta: { code: 200 }, session: { remainingSeconds: 60 }, user: { id: "u" } })
  const withEnv =
    (env: Record<string, string>, fetch: typeof globalThis.fetch) => <A, E>(effect: Effect.Effect<A, E, Authdog>) =>
      effect.pipe(
        Effect.provide(AuthdogLive.pipe(Layer.provide(FetchHttpClient.layer))),
        Effect.provide(Layer.succeed(FetchHttpClient.Fetch, fetch)),
        Effect.withConfigProvider(
          ConfigProvider.fromMap(new Map(Object.entries({ PK_AUTHDOG: testPublicKey, ...env })))
        )
      )

  it.live("AUTHDOG_CACHE_TTL turns the cache on; without it every lookup calls", () =>
    Effect.gen(function*() {
      let calls = 0
      const fetch = () => {
        calls++
        return Promise.resolve(new Response(envelope, { headers: { "content-type": "application/json" } }))
      }
      const twice = Effect.flatMap(Authdog, (authdog) =>
        Effect.zipRight(authdog.lookup(Redacted.make("tok")), authdog.lookup(Redacted.make("tok"))))
      const cached = yield* withEnv({ AUTHDOG_CACHE_TTL: "30 seconds", AUTHDOG_CACHE_CAPACITY: "5" }, fetch)(twice)
      assert.strictEqual(cached.outcome, "authenticated")
      assert.strictEqual(calls, 1)
      yield* withEnv({}, fetch)(twice)
      assert.strictEqual(calls, 3)
    }))

  it.live("AUTHDOG_USERINFO_TIMEOUT bounds a call that never answers", () =>
    Effect.gen(function*() {
      const never = () => new Promise<Response>(() => {})
      const start = Date.now()
      const resolution = yield* withEnv({ AUTHDOG_USERINFO_TIMEOUT: "100 millis" }, never)(
        Effect.flatMap(Authdog, (authdog) => authdog.lookup(Redacted.make("tok")))
      )
      assert.strictEqual(resolution.outcome, "unavailable")
      assert.isFalse(resolution.session.isAuthenticated)
      assert.isBelow(Date.now() - start, 1000)
    }))
})
