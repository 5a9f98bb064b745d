/**
 * Logout (WIRE.md section 7): a 302 to a sanitized `redirect_uri` that
 * expires the session cookie exactly as the other Authdog SDKs do.
 *
 * @since 0.1.0
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Authdog } from "./Authdog.js"
import { sessionCookieName } from "./Cookies.js"
import { redirectTarget } from "./internal/request.js"
import { encodeLocation, sanitizeRedirectPath } from "./Redirect.js"
import { findToken } from "./Token.js"

/**
 * Options of {@link logoutResponse}.
 *
 * @example
 * ```ts
 * import type { LogoutOptions } from "@authdog/effect"
 *
 * const options: LogoutOptions = { secure: true, fallback: "/signed-out" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface LogoutOptions {
  /** Set `Secure` on the expired cookie (the Node SDKs do when `NODE_ENV=production`). */
  readonly secure?: boolean | undefined
  /** Where to go when the target is refused (default `/`). */
  readonly fallback?: string | undefined
}

const expired = new Date(0)

/**
 * The logout response for a given target: `302`, `Location` the sanitized
 * target (percent-encoded where a header needs it), `Cache-Control: no-store`,
 * and exactly
 * `authdog-session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax`
 * (with `Secure; ` before `SameSite` when `secure`).
 *
 * @example
 * ```ts
 * import { logoutResponse } from "@authdog/effect"
 *
 * const response = logoutResponse("/goodbye", { secure: true })
 * console.log(response.status, response.headers.location) // 302 "/goodbye"
 * ```
 *
 * @since 0.1.0
 * @category responses
 */
export const logoutResponse = (target: unknown, options: LogoutOptions = {}): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.empty({
    status: 302,
    headers: {
      location: encodeLocation(sanitizeRedirectPath(target, options.fallback ?? "/")),
      "cache-control": "no-store"
    }
  }).pipe(
    HttpServerResponse.unsafeSetCookie(sessionCookieName, "", {
      path: "/",
      expires: expired,
      httpOnly: true,
      secure: options.secure ?? false,
      sameSite: "lax"
    })
  )

/**
 * The logout response for the current request, redirecting to its
 * `redirect_uri` query parameter (sanitized, fallback `/`). `Secure` follows
 * the layer's `secureCookies`. The request's token leaves the cache.
 *
 * @example
 * ```ts
 * import { logout } from "@authdog/effect"
 * import { HttpRouter } from "@effect/platform"
 *
 * const router = HttpRouter.empty.pipe(HttpRouter.get("/logout", logout))
 * ```
 *
 * @since 0.1.0
 * @category responses
 */
export const logout: Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  never,
  Authdog | HttpServerRequest.HttpServerRequest
> = Effect.flatMap(Authdog, (authdog) =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const response = logoutResponse(redirectTarget(request.url), { secure: authdog.secureCookies })
    const found = findToken({ authorization: request.headers.authorization, cookie: request.headers.cookie })
    // The token being cleared must not live on in the cache.
    return Option.isSome(found) ? Effect.as(authdog.forget(found.value.token), response) : Effect.succeed(response)
  }))
