/**
 * Open-redirect guard for logout targets (WIRE.md section 7).
 *
 * @since 0.1.0
 */

const backslashOrControl = /[\\\x00-\x1f]/
const scheme = /^[a-z][a-z0-9+.-]*:/i

/**
 * Returns `target` when it is a same-origin path, else `fallback`. A target is
 * refused when it is not a non-empty string, does not start with `/`, starts
 * with `//` or `/\`, contains a backslash or a control character
 * (U+0000..U+001F), or starts with a URL scheme.
 *
 * @example
 * ```ts
 * import { sanitizeRedirectPath } from "@authdog/effect"
 *
 * sanitizeRedirectPath("/dashboard") // "/dashboard"
 * sanitizeRedirectPath("//evil.com") // "/"
 * sanitizeRedirectPath("javascript:alert(1)", "/home") // "/home"
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const sanitizeRedirectPath = (target: unknown, fallback: string = "/"): string =>
  typeof target !== "string" ||
    target.length === 0 ||
    !target.startsWith("/") ||
    target.startsWith("//") ||
    target.startsWith("/\\") ||
    backslashOrControl.test(target) ||
    scheme.test(target)
    ? fallback
    : target

// Characters a Location header may carry as they are; anything else is
// percent-encoded (as Express's `res.redirect` does), and a `%` that does not
// start an escape is encoded too.
const unsafeLocation = /[^\x21\x23-\x3b\x3d\x3f-\x5b\x5d\x5f\x61-\x7a\x7e]|%(?![0-9a-fA-F]{2})/gu

/**
 * Percent-encodes the characters of a sanitized path that may not appear in a
 * `Location` header (space, DEL, non-ASCII, a bare `%`), leaving valid escapes
 * and URL punctuation untouched. Node refuses such characters in a header, so
 * without this a hostile `redirect_uri` could turn a logout into a 500.
 *
 * @example
 * ```ts
 * import { encodeLocation } from "@authdog/effect"
 *
 * encodeLocation("/café?q=a b") // "/caf%C3%A9?q=a%20b"
 * ```
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeLocation = (path: string): string =>
  path.replace(unsafeLocation, (char) => (char === "%" ? "%25" : encodeUtf8(char)))

const encodeUtf8 = (char: string): string => {
  try {
    return encodeURIComponent(char)
  } catch {
    return "%EF%BF%BD" // a lone surrogate becomes U+FFFD
  }
}
