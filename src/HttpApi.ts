/**
 * Authdog for `HttpApi`: a security middleware that documents the bearer and
 * cookie schemes and answers 401 `{"error":"Unauthorized"}` as every Authdog
 * SDK does, a companion that hands handlers the non-null user, and an
 * optional-authentication variant.
 *
 * The scheme handlers ignore the credentials HttpApi decodes and run the
 * binding's own gate (`authenticate`): Bearer first with its scheme checked,
 * then the `authdog-session` cookie, implausible tokens refused (WIRE.md
 * sections 3 and 8), through the per-request memo of `Authdog`. HttpApi
 * tries the schemes one after the other; both reach the same memoized
 * decision, so a request makes at most one userinfo call whichever scheme
 * carried the token, shared with handlers that read `AuthdogSession`.
 *
 * @since 0.1.0
 */
import * as HttpApiMiddleware from "@effect/platform/HttpApiMiddleware"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as HttpApiSecurity from "@effect/platform/HttpApiSecurity"
import * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as OpenApi from "@effect/platform/OpenApi"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { Authdog } from "./Authdog.js"
import { AuthdogSession, AuthdogUser, type AuthenticatedSession } from "./AuthdogSession.js"
import { sessionCookieName } from "./Cookies.js"
import { authenticate, currentSession } from "./Gate.js"
import { Unauthorized } from "./Unauthorized.js"
import { Unavailable } from "./Unavailable.js"

/**
 * `Unauthorized` on the HttpApi wire: status 401, body exactly
 * `{"error":"Unauthorized"}`, documented as such in OpenAPI. Use this schema
 * wherever an endpoint fails with `Unauthorized`, never the bare class
 * (HttpApi would send its tagged encoding, and two schemas for one class
 * collide). The reason is not on the wire: a client decodes `Rejected`.
 *
 * @example
 * ```ts
 * import { UnauthorizedSchema } from "@authdog/effect"
 * import { HttpApiEndpoint } from "@effect/platform"
 *
 * const endpoint = HttpApiEndpoint.post("refresh", "/refresh").addError(UnauthorizedSchema)
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const UnauthorizedSchema: Schema.Schema<Unauthorized, { readonly error: "Unauthorized" }> = Schema.transform(
  Schema.Struct({ error: Schema.Literal("Unauthorized") }),
  Schema.instanceOf(Unauthorized),
  {
    strict: true,
    decode: () => new Unauthorized({ reason: "Rejected" }),
    encode: () => ({ error: "Unauthorized" as const })
  }
).annotations(HttpApiSchema.annotations({ status: 401, description: "Unauthorized" }))

/**
 * `Unavailable` (outage mode) on the HttpApi wire: status 503, body exactly
 * `{"error":"Unavailable"}`. {@link AuthdogAuthLive} adds the `Retry-After`
 * header to the response. A client decodes `retryAfterSeconds: 0`: read the
 * header for the real value.
 *
 * @example
 * ```ts
 * import { Unavailable, UnavailableSchema } from "@authdog/effect"
 * import { Schema } from "effect"
 *
 * const error = new Unavailable({ reason: "IdentityProviderUnavailable", retryAfterSeconds: 5 })
 * console.log(Schema.encodeSync(UnavailableSchema)(error)) // { error: "Unavailable" }
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const UnavailableSchema: Schema.Schema<Unavailable, { readonly error: "Unavailable" }> = Schema.transform(
  Schema.Struct({ error: Schema.Literal("Unavailable") }),
  Schema.instanceOf(Unavailable),
  {
    strict: true,
    decode: () => new Unavailable({ reason: "IdentityProviderUnavailable", retryAfterSeconds: 0 }),
    encode: () => ({ error: "Unavailable" as const })
  }
).annotations(HttpApiSchema.annotations({
  status: 503,
  description: "Identity provider unavailable (outage mode); retry after the Retry-After header"
}))

/**
 * The failure of the Authdog gate on the HttpApi wire: {@link UnauthorizedSchema}
 * or {@link UnavailableSchema}.
 *
 * @example
 * ```ts
 * import { AuthdogFailure } from "@authdog/effect"
 * import { HttpApiEndpoint } from "@effect/platform"
 *
 * const endpoint = HttpApiEndpoint.get("me", "/me").addError(AuthdogFailure)
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const AuthdogFailure: Schema.Union<[typeof UnauthorizedSchema, typeof UnavailableSchema]> = Schema.Union(
  UnauthorizedSchema,
  UnavailableSchema
)

/**
 * The security schemes of {@link AuthdogAuth}, as OpenAPI documents them:
 * HTTP bearer, and an API key in the `authdog-session` cookie.
 *
 * @example
 * ```ts
 * import { AuthdogSecurity } from "@authdog/effect"
 *
 * console.log(AuthdogSecurity.cookie.key) // "authdog-session"
 * ```
 *
 * @since 0.1.0
 * @category security
 */
export const AuthdogSecurity: {
  readonly bearer: HttpApiSecurity.Bearer
  readonly cookie: HttpApiSecurity.ApiKey
} = {
  bearer: HttpApiSecurity.bearer,
  cookie: HttpApiSecurity.apiKey({ in: "cookie", key: sessionCookieName })
}

/**
 * The Authdog gate of an `HttpApi`. Add it to a group (or an endpoint) with
 * `.middleware(AuthdogAuth)`: its operations list `bearer` and `cookie` as
 * alternative security requirements and document the 401 (and the 503 of
 * outage mode); handlers get `AuthdogSession`. Implemented by
 * {@link AuthdogAuthLive}.
 *
 * @example
 * ```ts
 * import { AuthdogAuth, AuthdogSession } from "@authdog/effect"
 * import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
 * import { Effect, Schema } from "effect"
 *
 * class Account extends HttpApiGroup.make("account")
 *   .add(HttpApiEndpoint.get("signedIn", "/signed-in").addSuccess(Schema.Boolean))
 *   .middleware(AuthdogAuth)
 * {}
 * const signedIn = Effect.map(AuthdogSession, (session) => session.isAuthenticated) // a handler
 * ```
 *
 * @since 0.1.0
 * @category middleware
 */
export class AuthdogAuth extends HttpApiMiddleware.Tag<AuthdogAuth>()("@authdog/effect/AuthdogAuth", {
  failure: AuthdogFailure,
  provides: AuthdogSession,
  security: AuthdogSecurity
}) {}

/**
 * The companion of {@link AuthdogAuth} that provides the signed-in user,
 * typed non-null, as `AuthdogUser`. It declares no security scheme (so the
 * operation's security stays `bearer` or `cookie`) and reads the same
 * per-request decision: adding it costs no userinfo call. Add it next to
 * `AuthdogAuth`: `.middleware(AuthdogAuth).middleware(AuthdogAuthUser)`.
 *
 * @example
 * ```ts
 * import { AuthdogAuth, AuthdogAuthUser, User } from "@authdog/effect"
 * import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
 *
 * class Account extends HttpApiGroup.make("account")
 *   .add(HttpApiEndpoint.get("me", "/me").addSuccess(User))
 *   .middleware(AuthdogAuth)
 *   .middleware(AuthdogAuthUser)
 * {}
 * ```
 *
 * @since 0.1.0
 * @category middleware
 */
export class AuthdogAuthUser extends HttpApiMiddleware.Tag<AuthdogAuthUser>()("@authdog/effect/AuthdogAuthUser", {
  failure: AuthdogFailure,
  provides: AuthdogUser
}) {}

/**
 * Authentication that serves signed-in and anonymous callers alike: handlers
 * get `AuthdogSession`, anonymous when there is no token, the token was
 * rejected or the identity provider failed. Never fails and declares no
 * security scheme; annotate the endpoints with {@link optionalSecurity} to
 * document that credentials are accepted.
 *
 * @example
 * ```ts
 * import { AuthdogOptionalAuth, optionalSecurity } from "@authdog/effect"
 * import { HttpApiEndpoint } from "@effect/platform"
 * import { Schema } from "effect"
 *
 * const home = HttpApiEndpoint.get("home", "/")
 *   .addSuccess(Schema.Struct({ signedIn: Schema.Boolean }))
 *   .middleware(AuthdogOptionalAuth)
 *   .annotateContext(optionalSecurity)
 * ```
 *
 * @since 0.1.0
 * @category middleware
 */
export class AuthdogOptionalAuth extends HttpApiMiddleware.Tag<AuthdogOptionalAuth>()(
  "@authdog/effect/AuthdogOptionalAuth",
  { provides: AuthdogSession }
) {}

/**
 * OpenAPI annotations for endpoints behind {@link AuthdogOptionalAuth}:
 * security `[{}, {"bearer": []}, {"cookie": []}]`, that is anonymous, or
 * either scheme. The schemes themselves are declared by `AuthdogAuth`
 * elsewhere in the same API.
 *
 * @example
 * ```ts
 * import { AuthdogOptionalAuth, optionalSecurity } from "@authdog/effect"
 * import { HttpApiEndpoint, HttpApiGroup } from "@effect/platform"
 *
 * class Site extends HttpApiGroup.make("site")
 *   .add(HttpApiEndpoint.get("home", "/"))
 *   .middleware(AuthdogOptionalAuth)
 *   .annotateEndpointsContext(optionalSecurity)
 * {}
 * ```
 *
 * @since 0.1.0
 * @category annotations
 */
export const optionalSecurity: Context.Context<never> = OpenApi.annotations({
  override: { security: [{}, { bearer: [] }, { cookie: [] }] }
})

const retryAfter = (seconds: number): HttpApp.PreResponseHandler => (_request, response) =>
  Effect.succeed(
    response.status === 503 ? HttpServerResponse.setHeader(response, "retry-after", String(seconds)) : response
  )

// The gate with `Authdog` captured. HttpApi encodes failures through their
// schema, which cannot set headers: in outage mode, a pre-response handler
// adds `Retry-After` to the 503 this request is about to answer.
const gateWith = (
  authdog: Context.Tag.Service<Authdog>
): Effect.Effect<AuthenticatedSession, Unauthorized | Unavailable, HttpServerRequest.HttpServerRequest> =>
  authenticate.pipe(
    Effect.provideService(Authdog, authdog),
    Effect.tapErrorTag("Unavailable", (error) => HttpApp.appendPreResponseHandler(retryAfter(error.retryAfterSeconds)))
  )

/**
 * Implements {@link AuthdogAuth} on the `Authdog` service of the app.
 *
 * @example
 * ```ts
 * import { AuthdogAuthLive, AuthdogLive } from "@authdog/effect"
 * import { Layer } from "effect"
 *
 * const Middleware = AuthdogAuthLive.pipe(Layer.provide(AuthdogLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const AuthdogAuthLive: Layer.Layer<AuthdogAuth, never, Authdog> = Layer.effect(
  AuthdogAuth,
  Effect.map(Authdog, (authdog) => {
    const gate = gateWith(authdog)
    return AuthdogAuth.of({ bearer: () => gate, cookie: () => gate })
  })
)

/**
 * Implements {@link AuthdogAuthUser} on the `Authdog` service of the app.
 *
 * @example
 * ```ts
 * import { AuthdogAuthUserLive, AuthdogLive } from "@authdog/effect"
 * import { Layer } from "effect"
 *
 * const Middleware = AuthdogAuthUserLive.pipe(Layer.provide(AuthdogLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const AuthdogAuthUserLive: Layer.Layer<AuthdogAuthUser, never, Authdog> = Layer.effect(
  AuthdogAuthUser,
  Effect.map(Authdog, (authdog) => Effect.map(gateWith(authdog), (session) => session.user))
)

/**
 * Implements {@link AuthdogOptionalAuth} on the `Authdog` service of the app.
 *
 * @example
 * ```ts
 * import { AuthdogLive, AuthdogOptionalAuthLive } from "@authdog/effect"
 * import { Layer } from "effect"
 *
 * const Middleware = AuthdogOptionalAuthLive.pipe(Layer.provide(AuthdogLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const AuthdogOptionalAuthLive: Layer.Layer<AuthdogOptionalAuth, never, Authdog> = Layer.effect(
  AuthdogOptionalAuth,
  Effect.map(Authdog, (authdog) => Effect.provideService(currentSession, Authdog, authdog))
)

/**
 * The three Authdog HttpApi middlewares at once: {@link AuthdogAuthLive},
 * {@link AuthdogAuthUserLive} and {@link AuthdogOptionalAuthLive}.
 *
 * @example
 * ```ts
 * import { AuthdogHttpApiLive, AuthdogLive } from "@authdog/effect"
 * import { Layer } from "effect"
 *
 * const Middleware = AuthdogHttpApiLive.pipe(Layer.provide(AuthdogLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const AuthdogHttpApiLive: Layer.Layer<AuthdogAuth | AuthdogAuthUser | AuthdogOptionalAuth, never, Authdog> =
  Layer.mergeAll(AuthdogAuthLive, AuthdogAuthUserLive, AuthdogOptionalAuthLive)
