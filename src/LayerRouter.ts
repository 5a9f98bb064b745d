/**
 * Authdog middleware for `HttpLayerRouter`: a gate that answers 401 like
 * `requireAuth`, and an optional session, each per route (`.layer`) or for
 * the whole router (the `Global` forms).
 *
 * Both resolve the session through the per-request memo of `Authdog`, so
 * whatever reads it in one request (a global middleware, a route middleware,
 * `requireAuth`, `currentSession`, forked fibers) makes one userinfo call.
 *
 * @since 0.1.0
 */
import * as HttpLayerRouter from "@effect/platform/HttpLayerRouter"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import { Authdog } from "./Authdog.js"
import { AuthdogSession, AuthdogUser } from "./AuthdogSession.js"
import { authenticate, currentSession } from "./Gate.js"
import type { Unauthorized } from "./Unauthorized.js"
import type { Unavailable } from "./Unavailable.js"

type Inner<Provides> = Effect.Effect<HttpServerResponse.HttpServerResponse, HttpLayerRouter.unhandled, Provides>

type Outer<E> = Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  HttpLayerRouter.unhandled | E,
  HttpServerRequest.HttpServerRequest
>

// The Authdog service is read when the middleware layer is built, so that
// the per-request function only needs what the router provides.
const gate: Effect.Effect<
  (httpEffect: Inner<AuthdogSession | AuthdogUser>) => Outer<Unauthorized | Unavailable>,
  never,
  Authdog
> = Effect.map(Authdog, (authdog) => {
  const decide = Effect.provideService(authenticate, Authdog, authdog)
  return (httpEffect) =>
    Effect.flatMap(decide, (session) =>
      httpEffect.pipe(
        Effect.provideService(AuthdogSession, session),
        Effect.provideService(AuthdogUser, session.user)
      ))
})

const optional: Effect.Effect<(httpEffect: Inner<AuthdogSession>) => Outer<never>, never, Authdog> = Effect.map(
  Authdog,
  (authdog) => {
    const session = Effect.provideService(currentSession, Authdog, authdog)
    return (httpEffect) => Effect.flatMap(session, (value) => Effect.provideService(httpEffect, AuthdogSession, value))
  }
)

/**
 * The type of {@link AuthdogRequired}: provides `AuthdogSession` and
 * `AuthdogUser`, fails with `Unauthorized` (or `Unavailable` in outage mode),
 * needs `Authdog` when its layer is built.
 *
 * @example
 * ```ts
 * import { AuthdogRequired, type AuthdogRequiredMiddleware } from "@authdog/effect"
 *
 * const gate: AuthdogRequiredMiddleware = AuthdogRequired
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type AuthdogRequiredMiddleware = HttpLayerRouter.Middleware<{
  provides: AuthdogSession | AuthdogUser
  handles: never
  error: Unauthorized | Unavailable
  requires: never
  layerError: never
  layerRequires: Authdog
}>

/**
 * The type of {@link AuthdogOptional}: provides `AuthdogSession`, signed in
 * or not, and never fails.
 *
 * @example
 * ```ts
 * import { AuthdogOptional, type AuthdogOptionalMiddleware } from "@authdog/effect"
 *
 * const optional: AuthdogOptionalMiddleware = AuthdogOptional
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type AuthdogOptionalMiddleware = HttpLayerRouter.Middleware<{
  provides: AuthdogSession
  handles: never
  error: never
  requires: never
  layerError: never
  layerRequires: Authdog
}>

/**
 * Route middleware that gates: an authenticated request reaches the route
 * with `AuthdogSession` and `AuthdogUser` provided; any other gets 401
 * `{"error":"Unauthorized"}` (503 with `Retry-After` in outage mode when the
 * identity provider failed) and the route does not run. Provide
 * `AuthdogRequired.layer` to the routes it protects; routes without it never
 * call the identity provider.
 *
 * @example
 * ```ts
 * import { AuthdogRequired, AuthdogUser } from "@authdog/effect"
 * import { HttpLayerRouter, HttpServerResponse } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 *
 * const Me = HttpLayerRouter.add("GET", "/me", Effect.flatMap(AuthdogUser, (user) => HttpServerResponse.json(user)))
 *   .pipe(Layer.provide(AuthdogRequired.layer))
 * ```
 *
 * @since 0.1.0
 * @category middleware
 */
export const AuthdogRequired: AuthdogRequiredMiddleware = HttpLayerRouter.middleware<{
  provides: AuthdogSession | AuthdogUser
}>()(gate)

/**
 * Route middleware that provides the session of the request, signed in or
 * not, for routes that serve both signed-in and anonymous callers. Never
 * fails: a rejected token or an identity-provider failure is an anonymous
 * session.
 *
 * @example
 * ```ts
 * import { AuthdogOptional, AuthdogSession } from "@authdog/effect"
 * import { HttpLayerRouter, HttpServerResponse } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 *
 * const Home = HttpLayerRouter.add(
 *   "GET",
 *   "/",
 *   Effect.flatMap(AuthdogSession, (session) => HttpServerResponse.json({ signedIn: session.isAuthenticated }))
 * ).pipe(Layer.provide(AuthdogOptional.layer))
 * ```
 *
 * @since 0.1.0
 * @category middleware
 */
export const AuthdogOptional: AuthdogOptionalMiddleware = HttpLayerRouter.middleware<{
  provides: AuthdogSession
}>()(optional)

/**
 * {@link AuthdogRequired} for every request of the router. Global middleware
 * runs before routing, so it gates everything: unknown paths answer 401 too,
 * and every request with a token makes one userinfo call, even on routes that
 * never read the session. Prefer `AuthdogRequired.layer` per route unless the
 * whole router is private.
 *
 * @example
 * ```ts
 * import { AuthdogRequiredGlobal, AuthdogUser } from "@authdog/effect"
 * import { HttpLayerRouter, HttpServerResponse } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 *
 * const Private = HttpLayerRouter.add("GET", "/me", Effect.flatMap(AuthdogUser, (user) => HttpServerResponse.json(user)))
 *   .pipe(Layer.provide(AuthdogRequiredGlobal))
 * ```
 *
 * @since 0.1.0
 * @category middleware
 */
export const AuthdogRequiredGlobal: Layer.Layer<
  | HttpLayerRouter.Request.From<"Requires", AuthdogSession | AuthdogUser>
  | HttpLayerRouter.Request.From<"GlobalRequires", AuthdogSession | AuthdogUser>,
  never,
  | HttpLayerRouter.HttpRouter
  | Authdog
  | HttpLayerRouter.Request.From<"GlobalError", Unauthorized | Unavailable>
> = HttpLayerRouter.middleware<{ provides: AuthdogSession | AuthdogUser }>()(gate, { global: true })

/**
 * {@link AuthdogOptional} for every request of the router. Global middleware
 * runs before routing and cannot know whether the route will read the
 * session, so every request with a token makes one userinfo call (never
 * more; none without a token), even on routes that never read it and on
 * unknown paths. Routes that must not call the identity provider should use
 * `AuthdogOptional.layer` per route instead, or `currentSession`.
 *
 * @example
 * ```ts
 * import { AuthdogOptionalGlobal, AuthdogSession } from "@authdog/effect"
 * import { HttpLayerRouter, HttpServerResponse } from "@effect/platform"
 * import { Effect, Layer } from "effect"
 *
 * const Home = HttpLayerRouter.add(
 *   "GET",
 *   "/",
 *   Effect.flatMap(AuthdogSession, (session) => HttpServerResponse.json({ signedIn: session.isAuthenticated }))
 * ).pipe(Layer.provide(AuthdogOptionalGlobal))
 * ```
 *
 * @since 0.1.0
 * @category middleware
 */
export const AuthdogOptionalGlobal: Layer.Layer<
  | HttpLayerRouter.Request.From<"Requires", AuthdogSession>
  | HttpLayerRouter.Request.From<"GlobalRequires", AuthdogSession>,
  never,
  HttpLayerRouter.HttpRouter | Authdog
> = HttpLayerRouter.middleware<{ provides: AuthdogSession }>()(optional, { global: true })
