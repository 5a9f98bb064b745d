/**
 * The Authdog service: the validated public key, the userinfo lookup and the
 * per-request session resolution, with the layers that build it.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import { anonymous } from "./AuthdogSession.js"
import { normalizeAllowedHosts } from "./IdentityHost.js"
import { makeCache } from "./internal/cache.js"
import { makeRequestMemo } from "./internal/memo.js"
import { isTracing, traced } from "./internal/telemetry.js"
import { anonymousWith, makeLookup, type Outcome, type Resolution } from "./internal/userinfo.js"
import { InvalidPublicKey, parsePublicKey, type PublicKeyPayload } from "./PublicKey.js"
import { findToken } from "./Token.js"

export type {
  /**
   * How a session resolution ended.
   *
   * @since 0.1.0
   * @category models
   */
  Outcome,
  /**
   * A resolved session with how it was resolved.
   *
   * @since 0.1.0
   * @category models
   */
  Resolution
}

/**
 * The Authdog service of an app, built once by {@link layer}.
 *
 * @example
 * ```ts
 * import { Authdog } from "@authdog/effect"
 * import { Effect } from "effect"
 *
 * const environment = Effect.map(Authdog, (authdog) => authdog.publicKey.environmentId)
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class Authdog extends Context.Tag("@authdog/effect/Authdog")<Authdog, {
  /** The validated public key payload. */
  readonly publicKey: PublicKeyPayload
  /** The payload as a JSON string, to inline into HTML for the browser SDK. */
  readonly publicKeyJson: string
  /** Whether logout sets `Secure` on the expired cookie. */
  readonly secureCookies: boolean
  /** Outage mode: `Retry-After` seconds when protected routes answer 503, or `undefined` when off. */
  readonly outageRetryAfterSeconds: number | undefined
  /** The session of the current request, resolved at most once per request. */
  readonly resolve: Effect.Effect<Resolution, never, HttpServerRequest.HttpServerRequest>
  /** One lookup of a token, without the per-request memo (through the cache when it is on). */
  readonly lookup: (token: Redacted.Redacted<string>) => Effect.Effect<Resolution>
  /** Drops a token's cache entry (logout calls it); does nothing when the cache is off. */
  readonly forget: (token: Redacted.Redacted<string>) => Effect.Effect<void>
}>() {}

/**
 * The opt-in cross-request cache: a successful lookup is reused by later
 * requests with the same token for up to `ttl` (never longer than the
 * session's `remainingSeconds`). A token revoked at Authdog stays accepted
 * here for up to `ttl`.
 *
 * @example
 * ```ts
 * import type { CacheOptions } from "@authdog/effect"
 *
 * const cache: CacheOptions = { ttl: "30 seconds", capacity: 10_000 }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface CacheOptions {
  /** How long a successful lookup is reused. */
  readonly ttl: Duration.DurationInput
  /** How many tokens are remembered at most (default 10 000); the least recently used go first. */
  readonly capacity?: number | undefined
}

/**
 * Options of {@link layer}.
 *
 * @example
 * ```ts
 * import type { AuthdogOptions } from "@authdog/effect"
 *
 * const options: AuthdogOptions = { publicKey: "pk_...", timeout: "2 seconds" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthdogOptions {
  /** The public key of the Authdog environment (`pk_...`). */
  readonly publicKey: string
  /** Identity-host suffixes trusted besides `authdog.com` and `authdog.xyz`. */
  readonly allowedIdentityHosts?: ReadonlyArray<string> | undefined
  /** Ask the identity provider about tokens (default `true`). When `false`, no request is authenticated. */
  readonly fetchUser?: boolean | undefined
  /** Longest wait for a userinfo answer, body included (default 5 seconds). */
  readonly timeout?: Duration.DurationInput | undefined
  /** `Secure` on the logout cookie (default `false`; `layerConfig` sets it when `NODE_ENV=production`). */
  readonly secureCookies?: boolean | undefined
  /**
   * Outage mode (default `false`): when the identity provider fails (not when
   * it rejects the token), protected routes answer 503 `{"error":"Unavailable"}`
   * with `Retry-After` instead of 401.
   */
  readonly outageMode?: boolean | undefined
  /** `Retry-After` of outage mode (default 5 seconds, rounded up to whole seconds). */
  readonly retryAfter?: Duration.DurationInput | undefined
  /** The cross-request cache (default off). */
  readonly cache?: CacheOptions | undefined
}

/**
 * Builds the service. A bad public key fails here, at startup, never on a
 * request. `setting` names where the key came from, for the error message.
 *
 * @example
 * ```ts
 * import { make } from "@authdog/effect"
 * import { FetchHttpClient } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const authdog = make({ publicKey: process.env.PK_AUTHDOG ?? "" }).pipe(Effect.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: AuthdogOptions,
  setting: string = "the publicKey option"
): Effect.Effect<Context.Tag.Service<Authdog>, InvalidPublicKey, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const allowedIdentityHosts = normalizeAllowedHosts(options.allowedIdentityHosts ?? [])
    const publicKey = yield* Effect.mapError(
      parsePublicKey(options.publicKey, allowedIdentityHosts),
      (error) => new InvalidPublicKey({ reason: error.reason, setting })
    )
    const client = yield* HttpClient.HttpClient
    const userinfo = yield* makeLookup({
      client,
      identityHost: publicKey.identityHost,
      environmentId: publicKey.environmentId,
      allowedIdentityHosts,
      timeout: Duration.decode(options.timeout ?? "5 seconds")
    })
    const cache = options.cache === undefined ? undefined : makeCache(options.cache, userinfo.start)
    const lookup = cache === undefined ? userinfo.lookup : cache.lookup
    const fetchUser = options.fetchUser ?? true
    const memo = makeRequestMemo<Resolution>()
    const noToken: Resolution = { session: anonymous, outcome: "no_token" }
    // How the first reader of a request starts its call, detached from itself
    // (through the cache when it is on).
    const start =
      (fiber: Fiber.RuntimeFiber<unknown, unknown>, token: Redacted.Redacted<string>) =>
      (complete: (resolution: Resolution) => void): void =>
        (cache === undefined ? userinfo.start : cache.start)(token, complete, fiber)
    // One step of the fiber for everything: no token, no fetching, a cache
    // hit, or the start of (or wait for) the request's one call.
    const resolve = Effect.withFiberRuntime<Resolution, never, HttpServerRequest.HttpServerRequest>((fiber) => {
      const request = Context.unsafeGet(fiber.currentContext, HttpServerRequest.HttpServerRequest)
      const headers = request.headers
      const found = findToken({ authorization: headers.authorization, cookie: headers.cookie })
      const session = (attributes: Record<string, string>) =>
        traced(fiber, "authdog.session", { captureStackTrace: false, attributes })
      if (Option.isNone(found)) {
        return session({ "authdog.token_source": "none", "authdog.outcome": "no_token" })(Effect.succeed(noToken))
      }
      const { source, token } = found.value
      if (!fetchUser) {
        return session({ "authdog.token_source": source, "authdog.outcome": "disabled" })(
          Effect.succeed({ session: anonymousWith(token, null), outcome: "disabled" })
        )
      }
      const cached = cache?.hit(token, fiber)
      if (cached !== undefined) {
        return session({ "authdog.token_source": source, "authdog.outcome": "authenticated", "authdog.cache": "hit" })(
          Effect.succeed(cached)
        )
      }
      if (!isTracing(fiber)) return memo(request, start(fiber, token))
      // Traced: the call starts inside the session span, and joins it.
      return Effect.withFiberRuntime<Resolution>((inner) => memo(request, start(inner, token))).pipe(
        Effect.tap((resolution) => Effect.annotateCurrentSpan("authdog.outcome", resolution.outcome)),
        session({ "authdog.token_source": source })
      )
    })
    return {
      publicKey,
      publicKeyJson: JSON.stringify(publicKey),
      secureCookies: options.secureCookies ?? false,
      outageRetryAfterSeconds: options.outageMode === true
        ? Math.max(1, Math.ceil(Duration.toSeconds(options.retryAfter ?? "5 seconds")))
        : undefined,
      resolve,
      lookup,
      forget: cache === undefined ? () => Effect.void : cache.evict
    }
  })

/**
 * The Authdog layer configured in code. It requires an `HttpClient`
 * (`NodeHttpClient.layerUndici`, `FetchHttpClient.layer`, or your own).
 *
 * @example
 * ```ts
 * import { layer } from "@authdog/effect"
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Layer } from "effect"
 *
 * const AuthdogLayer = layer({ publicKey: "pk_..." }).pipe(Layer.provide(NodeHttpClient.layerUndici))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: AuthdogOptions): Layer.Layer<Authdog, InvalidPublicKey, HttpClient.HttpClient> =>
  Layer.effect(Authdog, make(options))

/**
 * The Authdog layer configured through `Config`.
 *
 * @example
 * ```ts
 * import { layerConfig } from "@authdog/effect"
 * import { Config } from "effect"
 *
 * const AuthdogLayer = layerConfig({
 *   publicKey: Config.string("MY_APP_AUTHDOG_KEY"),
 *   timeout: Config.succeed("2 seconds")
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config.Wrap<AuthdogOptions>,
  setting: string = "the publicKey config"
): Layer.Layer<Authdog, InvalidPublicKey | ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(Authdog, Effect.flatMap(Config.unwrap(config), (options) => make(options, setting)))

/**
 * The configuration `AuthdogLive` reads:
 *
 * | variable | meaning | default |
 * | --- | --- | --- |
 * | `PK_AUTHDOG` | public key of the environment | required |
 * | `AUTHDOG_ALLOWED_IDENTITY_HOSTS` | extra trusted identity-host suffixes, comma-separated | none |
 * | `AUTHDOG_FETCH_USER` | ask the identity provider about tokens | `true` |
 * | `AUTHDOG_USERINFO_TIMEOUT` | userinfo timeout, e.g. `5 seconds`, `800 millis` | `5 seconds` |
 * | `AUTHDOG_OUTAGE_MODE` | 503 instead of 401 when the identity provider fails | `false` |
 * | `AUTHDOG_RETRY_AFTER` | `Retry-After` of outage mode, e.g. `5 seconds` | `5 seconds` |
 * | `AUTHDOG_CACHE_TTL` | turns the cross-request cache on, e.g. `30 seconds` | off |
 * | `AUTHDOG_CACHE_CAPACITY` | tokens the cache remembers at most | `10000` |
 * | `NODE_ENV` | `production` sets `Secure` on the logout cookie | |
 *
 * @example
 * ```ts
 * import { config } from "@authdog/effect"
 * import { ConfigProvider, Effect } from "effect"
 *
 * const options = Effect.withConfigProvider(
 *   Config.unwrap(config),
 *   ConfigProvider.fromJson({ PK_AUTHDOG: "pk_..." })
 * )
 * ```
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config.Wrap<AuthdogOptions> = {
  publicKey: Config.string("PK_AUTHDOG").pipe(Config.withDefault("")),
  allowedIdentityHosts: Config.string("AUTHDOG_ALLOWED_IDENTITY_HOSTS").pipe(
    Config.withDefault(""),
    Config.map(normalizeAllowedHosts)
  ),
  fetchUser: Config.boolean("AUTHDOG_FETCH_USER").pipe(Config.withDefault(true)),
  timeout: Config.duration("AUTHDOG_USERINFO_TIMEOUT").pipe(Config.withDefault(Duration.seconds(5))),
  outageMode: Config.boolean("AUTHDOG_OUTAGE_MODE").pipe(Config.withDefault(false)),
  retryAfter: Config.duration("AUTHDOG_RETRY_AFTER").pipe(Config.withDefault(Duration.seconds(5))),
  cache: Config.all({
    ttl: Config.option(Config.duration("AUTHDOG_CACHE_TTL")),
    capacity: Config.integer("AUTHDOG_CACHE_CAPACITY").pipe(Config.withDefault(10_000))
  }).pipe(Config.map(({ capacity, ttl }) => Option.isSome(ttl) ? { ttl: ttl.value, capacity } : undefined)),
  secureCookies: Config.string("NODE_ENV").pipe(
    Config.withDefault(""),
    Config.map((env) => env === "production")
  )
}

/**
 * The Authdog layer configured from the environment (see {@link config}).
 * Apps provide it at their root, with an `HttpClient`. A missing or bad
 * `PK_AUTHDOG` fails the app at startup with an `InvalidPublicKey` that says
 * what is wrong and what to set.
 *
 * @example
 * ```ts
 * import { AuthdogLive } from "@authdog/effect"
 * import { HttpRouter, HttpServer } from "@effect/platform"
 * import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
 * import { Layer } from "effect"
 * import { createServer } from "node:http"
 *
 * const app = HttpServer.serve(HttpRouter.empty).pipe(
 *   Layer.provide(AuthdogLive),
 *   Layer.provide(NodeHttpClient.layerUndici),
 *   Layer.provide(NodeHttpServer.layer(createServer, { port: 3000 }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const AuthdogLive: Layer.Layer<Authdog, InvalidPublicKey | ConfigError.ConfigError, HttpClient.HttpClient> =
  layerConfig(config, "PK_AUTHDOG")
