/**
 * An in-memory Authdog identity provider for testing apps: the real
 * `Authdog` service, session resolution and gate, over an `HttpClient` that
 * answers userinfo calls from a token-to-user table instead of the network.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Buffer } from "node:buffer"
import { Authdog, type AuthdogOptions, make } from "./Authdog.js"
import type { User } from "./UserInfo.js"

/**
 * The public key the test layer is built with: environment `test` on
 * `https://test.authdog.com`.
 *
 * @example
 * ```ts
 * import { AuthdogTest, parsePublicKey } from "@authdog/effect"
 *
 * parsePublicKey(AuthdogTest.publicKey) // Either.right({ environmentId: "test", ... })
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const publicKey: string = `pk_${
  Buffer.from(JSON.stringify({ environmentId: "test", identityHost: "https://test.authdog.com" })).toString("base64")
}`

/**
 * The in-memory identity provider: how many userinfo calls it answered, and
 * which users it knows.
 *
 * @example
 * ```ts
 * import { AuthdogTest } from "@authdog/effect"
 * import { Effect } from "effect"
 *
 * const calls = Effect.flatMap(AuthdogTest.IdentityProvider, (idp) => idp.calls)
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class IdentityProvider extends Context.Tag("@authdog/effect/AuthdogTest/IdentityProvider")<
  IdentityProvider,
  {
    /** Userinfo calls answered so far. */
    readonly calls: Effect.Effect<number>
    /** Accepts `token` as `user` from now on (`null` revokes it). */
    readonly setUser: (token: string, user: User | null) => Effect.Effect<void>
  }
>() {}

/**
 * Options of {@link layer}: the users by token (a table, a function, or
 * both), and any `Authdog` option but the public key.
 *
 * @example
 * ```ts
 * import type { AuthdogTest } from "@authdog/effect"
 *
 * const options: AuthdogTest.TestOptions = { users: { "demo-token": { id: "u1", displayName: "Demo" } } }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TestOptions extends Omit<AuthdogOptions, "publicKey"> {
  /** Users by token. */
  readonly users?: Readonly<Record<string, User>> | undefined
  /** Users for tokens not in `users`, computed (for load tests with many tokens). */
  readonly resolveUser?: ((token: string) => User | undefined) | undefined
}

const json = (request: HttpClientRequest.HttpClientRequest, status: number, body: unknown) =>
  HttpClientResponse.fromWeb(
    request,
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } })
  )

/**
 * Provides `Authdog` on the in-memory identity provider, and the
 * `IdentityProvider` that counts its calls. Known tokens answer
 * `{ meta: { code: 200 }, session, user }`; others a 401 envelope.
 *
 * @example
 * ```ts
 * import { AuthdogTest, requireAuth, AuthdogUser } from "@authdog/effect"
 * import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const me = requireAuth(Effect.flatMap(AuthdogUser, (user) => HttpServerResponse.json(user)))
 * const response = me.pipe(
 *   Effect.provideService(
 *     HttpServerRequest.HttpServerRequest,
 *     HttpServerRequest.fromWeb(new Request("http://app/me", { headers: { authorization: "Bearer demo-token" } }))
 *   ),
 *   Effect.provide(AuthdogTest.layer({ users: { "demo-token": { id: "u1" } } }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: TestOptions): Layer.Layer<Authdog | IdentityProvider> => {
  const { resolveUser, users, ...rest } = options
  return Layer.unwrapEffect(Effect.sync(() => {
    const table = new Map<string, User>(Object.entries(users ?? {}))
    let calls = 0
    const client = HttpClient.make((request) =>
      Effect.sync(() => {
        calls++
        const token = /^Bearer (.*)$/.exec(request.headers.authorization ?? "")?.[1]
        const user = token === undefined ? undefined : table.get(token) ?? resolveUser?.(token)
        return user === undefined
          ? json(request, 401, { meta: { code: 401, message: "Unauthorized" } })
          : json(request, 200, { meta: { code: 200, message: "OK" }, session: { remainingSeconds: 3600 }, user })
      })
    )
    const idp = IdentityProvider.of({
      calls: Effect.sync(() => calls),
      setUser: (token, user) => Effect.sync(() => user === null ? table.delete(token) : table.set(token, user))
    })
    return Layer.merge(
      Layer.effect(Authdog, make({ ...rest, publicKey }).pipe(Effect.orDie)),
      Layer.succeed(IdentityProvider, idp)
    ).pipe(Layer.provide(Layer.succeed(HttpClient.HttpClient, client)))
  }))
}
