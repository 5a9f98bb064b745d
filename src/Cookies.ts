/**
 * `Cookie` header parsing, as every Authdog SDK does it (WIRE.md section 3).
 *
 * @since 0.1.0
 */

/**
 * The cookie that carries the Authdog session token.
 *
 * @example
 * ```ts
 * import { sessionCookieName } from "@authdog/effect"
 *
 * console.log(sessionCookieName) // "authdog-session"
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const sessionCookieName = "authdog-session"

/**
 * A parsed cookie.
 *
 * @example
 * ```ts
 * import type { ParsedCookie } from "@authdog/effect"
 *
 * const cookie: ParsedCookie = { name: "authdog-session", value: "abc" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ParsedCookie {
  readonly name: string
  readonly value: string
}

const decode = (value: string): string => {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/**
 * Parses a `Cookie` header into name/value pairs, in order. Segments are split
 * on `;` and trimmed; empty segments, segments without `=` and segments with
 * an empty name are skipped; the value is everything after the FIRST `=`
 * (base64 padding survives), trimmed and URL-decoded when it is valid
 * percent-encoding. Names are case-sensitive and duplicates are all kept (the
 * first one wins when looking a name up).
 *
 * @example
 * ```ts
 * import { parseCookies } from "@authdog/effect"
 *
 * parseCookies("a=1; authdog-session=h.p.s==; b=%E0%A4%A")
 * // [{ name: "a", value: "1" }, { name: "authdog-session", value: "h.p.s==" }, { name: "b", value: "%E0%A4%A" }]
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseCookies = (header: string | null | undefined): Array<ParsedCookie> => {
  if (!header) return []
  const cookies: Array<ParsedCookie> = []
  for (const segment of header.split(";")) {
    const trimmed = segment.trim()
    const equals = trimmed.indexOf("=")
    if (equals === -1) continue
    const name = trimmed.slice(0, equals).trim()
    if (name.length === 0) continue
    cookies.push({ name, value: decode(trimmed.slice(equals + 1).trim()) })
  }
  return cookies
}

/**
 * The value of the first cookie called `name`, if any.
 *
 * @example
 * ```ts
 * import { getCookie } from "@authdog/effect"
 *
 * getCookie("a=1; a=2", "a") // "1"
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const getCookie = (header: string | null | undefined, name: string): string | undefined =>
  parseCookies(header).find((cookie) => cookie.name === name)?.value
