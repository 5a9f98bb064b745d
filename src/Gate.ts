/**
 * Reading the session in handlers: `requireAuth` gates a route, `withSession`
 * serves signed-in and anonymous callers alike.
 *
 * @since 0.1.0
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { Authdog } from "./Authdog.js"
import { AuthdogSession, AuthdogUser, type AuthenticatedSession, type Session } from "./AuthdogSession.js"
import { isProviderFailure, unauthorizedReason } from "./internal/userinfo.js"
import { Unauthorized } from "./Unauthorized.js"
import { Unavailable } from "./Unavailable.js"

/**
 * The session of the current request, resolved at most once per request
 * however often it is read. Never fails: a failed lookup is an anonymous
 * session.
 *
 * @example
 * ```ts
 * import { currentSession } from "@authdog/effect"
 * import { Effect } from "effect"
 *
 * const signedIn = Effect.map(currentSession, (session) => session.isAuthenticated)
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const currentSession: Effect.Effect<Session, never, Authdog | HttpServerRequest.HttpServerRequest> = Effect
  .flatMap(Authdog, (authdog) => authdog.resolve).pipe(Effect.map((resolution) => resolution.session))

/**
 * The authenticated session of the current request, or the gate's failure:
 * `Unauthorized`, or in outage mode `Unavailable` when the identity provider
 * failed. The one decision behind `requireAuth` and every router middleware.
 *
 * @example
 * ```ts
 * import { authenticate } from "@authdog/effect"
 * import { Effect } from "effect"
 *
 * const userId = Effect.map(authenticate, (session) => session.user.id)
 * ```
 *
 * @since 0.1.0
 * @category accessors
 */
export const authenticate: Effect.Effect<
  AuthenticatedSession,
  Unauthorized | Unavailable,
  Authdog | HttpServerRequest.HttpServerRequest
> = Effect.flatMap(
  Authdog,
  (authdog) =>
    Effect.flatMap(authdog.resolve, (resolution): Effect.Effect<AuthenticatedSession, Unauthorized | Unavailable> => {
      const session = resolution.session
      if (session.isAuthenticated) return Effect.succeed(session)
      const retryAfterSeconds = authdog.outageRetryAfterSeconds
      if (retryAfterSeconds !== undefined && isProviderFailure(resolution.outcome)) {
        return Effect.fail(
          new Unavailable({
            reason: resolution.outcome === "unavailable"
              ? "IdentityProviderUnavailable"
              : "InvalidIdentityProviderResponse",
            retryAfterSeconds
          })
        )
      }
      return Effect.fail(new Unauthorized({ reason: unauthorizedReason(resolution) }))
    })
)

/**
 * Runs `handler` only for an authenticated request, with `AuthdogSession` and
 * `AuthdogUser` provided (so they leave its requirements); otherwise fails
 * with `Unauthorized`, which the server renders as 401
 * `{"error":"Unauthorized"}` (or, in outage mode, `Unavailable` as 503). The
 * handler does not run.
 *
 * @example
 * ```ts
 * import { AuthdogSession, requireAuth } from "@authdog/effect"
 * import { HttpRouter, HttpServerResponse } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const me = Effect.gen(function*() {
 *   const session = yield* AuthdogSession
 *   return yield* HttpServerResponse.json(session.user)
 * })
 * const router = HttpRouter.empty.pipe(HttpRouter.get("/me", requireAuth(me)))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const requireAuth = <A, E, R>(
  handler: Effect.Effect<A, E, R>
): Effect.Effect<
  A,
  E | Unauthorized | Unavailable,
  Exclude<R, AuthdogSession | AuthdogUser> | Authdog | HttpServerRequest.HttpServerRequest
> =>
  Effect.flatMap(authenticate, (session) =>
    Effect.mapInputContext(
      handler,
      // One copy of the request's context, not one per tag.
      (context: Context.Context<Exclude<R, AuthdogSession | AuthdogUser>>) =>
        Context.unsafeMake<R>(
          new Map(context.unsafeMap).set(AuthdogSession.key, session).set(AuthdogUser.key, session.user)
        )
    ))

/**
 * Runs `handler` with the session of the request provided, signed in or not.
 * Never fails on its own account; for public routes that behave differently
 * when someone is signed in.
 *
 * @example
 * ```ts
 * import { AuthdogSession, withSession } from "@authdog/effect"
 * import { HttpRouter, HttpServerResponse } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const home = Effect.gen(function*() {
 *   const session = yield* AuthdogSession
 *   return yield* HttpServerResponse.json({ signedIn: session.isAuthenticated })
 * })
 * const router = HttpRouter.empty.pipe(HttpRouter.get("/", withSession(home)))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withSession = <A, E, R>(
  handler: Effect.Effect<A, E, R>
): Effect.Effect<A, E, Exclude<R, AuthdogSession> | Authdog | HttpServerRequest.HttpServerRequest> =>
  Effect.flatMap(currentSession, (session) => Effect.provideService(handler, AuthdogSession, session))
