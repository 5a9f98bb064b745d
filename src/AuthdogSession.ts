/**
 * The per-request Authdog session (WIRE.md section 5).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Redacted from "effect/Redacted"
import type { User, UserInfo } from "./UserInfo.js"

/**
 * A request nobody is signed in to: no token, a token that was not checked
 * (`fetchUser: false`), or a token the identity provider did not accept.
 * `userInfo` is the envelope when one was received.
 *
 * @example
 * ```ts
 * import type { AnonymousSession } from "@authdog/effect"
 *
 * const anonymous: AnonymousSession = { token: null, user: null, isAuthenticated: false, userInfo: null }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface AnonymousSession {
  readonly token: Redacted.Redacted<string> | null
  readonly user: null
  readonly isAuthenticated: false
  readonly userInfo: UserInfo | null
}

/**
 * A request whose token the identity provider accepted.
 *
 * @example
 * ```ts
 * import type { AuthenticatedSession } from "@authdog/effect"
 *
 * const greet = (session: AuthenticatedSession) => `Hello ${session.user.displayName ?? "there"}`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface AuthenticatedSession {
  readonly token: Redacted.Redacted<string>
  readonly user: User
  readonly isAuthenticated: true
  readonly userInfo: UserInfo
}

/**
 * The per-request context `{ token, user, isAuthenticated, userInfo }`, the
 * same shape every Authdog SDK hands its views. Narrow on `isAuthenticated`.
 *
 * @example
 * ```ts
 * import type { Session } from "@authdog/effect"
 *
 * const name = (session: Session) => (session.isAuthenticated ? session.user.displayName : null)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Session = AnonymousSession | AuthenticatedSession

/**
 * The session of the current request. `requireAuth` and `withSession`
 * provide it; handlers read it with `yield* AuthdogSession`.
 *
 * @example
 * ```ts
 * import { AuthdogSession, withSession } from "@authdog/effect"
 * import { HttpServerResponse } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const home = withSession(Effect.gen(function*() {
 *   const session = yield* AuthdogSession
 *   return yield* HttpServerResponse.json({ signedIn: session.isAuthenticated })
 * }))
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class AuthdogSession extends Context.Tag("@authdog/effect/AuthdogSession")<AuthdogSession, Session>() {}

/**
 * The signed-in user, provided by `requireAuth` next to `AuthdogSession`, for
 * handlers that only need the user.
 *
 * @example
 * ```ts
 * import { AuthdogUser, requireAuth } from "@authdog/effect"
 * import { HttpServerResponse } from "@effect/platform"
 * import { Effect } from "effect"
 *
 * const me = requireAuth(Effect.flatMap(AuthdogUser, (user) => HttpServerResponse.json(user)))
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class AuthdogUser extends Context.Tag("@authdog/effect/AuthdogUser")<AuthdogUser, User>() {}

/**
 * The session of a request without a token.
 *
 * @example
 * ```ts
 * import { anonymous } from "@authdog/effect"
 *
 * console.log(anonymous.isAuthenticated) // false
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const anonymous: AnonymousSession = { token: null, user: null, isAuthenticated: false, userInfo: null }
