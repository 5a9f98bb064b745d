/**
 * Where the session token comes from (WIRE.md sections 3 and 8).
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { getCookie, sessionCookieName } from "./Cookies.js"

/**
 * The longest token accepted as a plausible credential.
 *
 * @example
 * ```ts
 * import { maxTokenLength } from "@authdog/effect"
 *
 * console.log(maxTokenLength) // 4096
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const maxTokenLength = 4096

const b64token = /^[A-Za-z0-9\-._~+/]+=*$/
const bearer = /^Bearer\s+/i

/**
 * Whether a string is a plausible credential: at most 4096 characters of the
 * RFC 6750 b64token set (`A-Z a-z 0-9 - . _ ~ + /`, then trailing `=`).
 *
 * @example
 * ```ts
 * import { isPlausibleToken } from "@authdog/effect"
 *
 * isPlausibleToken("eyJhbGciOi.eyJzdWIi.c2ln==") // true
 * isPlausibleToken("a b\r\nX-Injected: 1") // false
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const isPlausibleToken = (token: string): boolean => token.length <= maxTokenLength && b64token.test(token)

/**
 * Where a token was found.
 *
 * @example
 * ```ts
 * import type { TokenSource } from "@authdog/effect"
 *
 * const source: TokenSource = "bearer"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type TokenSource = "bearer" | "cookie"

/**
 * The request headers the token is read from (lower-case names, as Node and
 * `HttpServerRequest.headers` give them).
 *
 * @example
 * ```ts
 * import type { TokenHeaders } from "@authdog/effect"
 *
 * const headers: TokenHeaders = { authorization: "Bearer abc" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenHeaders {
  readonly authorization?: string | undefined
  readonly cookie?: string | undefined
}

/**
 * A token with the place it came from.
 *
 * @example
 * ```ts
 * import { findToken } from "@authdog/effect"
 *
 * findToken({ cookie: "authdog-session=abc" }) // Option.some({ source: "cookie", token: <redacted> })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FoundToken {
  readonly source: TokenSource
  readonly token: Redacted.Redacted<string>
}

/**
 * Finds the session token and says where it came from: `Authorization: Bearer`
 * first (scheme case-insensitive, token trimmed, empty counts as absent), then
 * the first `authdog-session` cookie. A token from the chosen source that is not
 * plausible ({@link isPlausibleToken}) counts as absent and does not fall back
 * to the other source.
 *
 * @example
 * ```ts
 * import { findToken } from "@authdog/effect"
 *
 * findToken({ authorization: "Basic dXNlcjpwdw==", cookie: "authdog-session=abc" }) // cookie "abc"
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const findToken = (headers: TokenHeaders): Option.Option<FoundToken> => {
  const found = rawToken(headers)
  return found !== undefined && isPlausibleToken(found.value)
    ? Option.some({ source: found.source, token: Redacted.make(found.value) })
    : Option.none()
}

const rawToken = (headers: TokenHeaders): { readonly source: TokenSource; readonly value: string } | undefined => {
  const authorization = headers.authorization
  if (typeof authorization === "string") {
    const match = bearer.exec(authorization)
    if (match !== null) {
      const value = authorization.slice(match[0].length).trim()
      if (value.length > 0) return { source: "bearer", value }
    }
  }
  const value = getCookie(headers.cookie, sessionCookieName)
  return value === undefined || value.length === 0 ? undefined : { source: "cookie", value }
}

/**
 * The session token of a request, as a `Redacted` so that it never reaches a
 * log by accident. See {@link findToken} for the rules.
 *
 * @example
 * ```ts
 * import { extractToken } from "@authdog/effect"
 * import { Option, Redacted } from "effect"
 *
 * const token = extractToken({ authorization: "Bearer abc", cookie: "authdog-session=def" })
 * Option.map(token, Redacted.value) // Option.some("abc")
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const extractToken = (headers: TokenHeaders): Option.Option<Redacted.Redacted<string>> =>
  Option.map(findToken(headers), (found) => found.token)
