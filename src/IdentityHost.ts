/**
 * The trusted identity host check (WIRE.md section 2): the bearer token is only
 * ever sent to an `https:` host under an allowed suffix that is not a private
 * address.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { isPrivateHostname } from "./internal/ip.js"

/**
 * The identity-host suffixes every Authdog SDK trusts.
 *
 * @example
 * ```ts
 * import { defaultAllowedIdentityHosts } from "@authdog/effect"
 *
 * console.log(defaultAllowedIdentityHosts) // ["authdog.com", "authdog.xyz"]
 * ```
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultAllowedIdentityHosts: ReadonlyArray<string> = ["authdog.com", "authdog.xyz"]

/**
 * Why an identity host was refused. The message is the reference SDKs' message,
 * word for word: `Invalid identity host`, `Identity host must use https` or
 * `Untrusted identity host`.
 *
 * @example
 * ```ts
 * import { assertTrustedIdentityHost } from "@authdog/effect"
 * import { Either } from "effect"
 *
 * const result = assertTrustedIdentityHost("http://id.authdog.com")
 * if (Either.isLeft(result)) console.log(result.left.reason, result.left.message) // "NotHttps" "Identity host must use https"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class UntrustedIdentityHost extends Schema.TaggedError<UntrustedIdentityHost>()("UntrustedIdentityHost", {
  reason: Schema.Literal("InvalidUrl", "NotHttps", "PrivateAddress", "NotAllowed"),
  host: Schema.String
}) {
  override get message(): string {
    switch (this.reason) {
      case "InvalidUrl":
        return "Invalid identity host"
      case "NotHttps":
        return "Identity host must use https"
      default:
        return "Untrusted identity host"
    }
  }
}

/**
 * Normalizes a list of extra allowed suffixes the way the reference SDKs read
 * `AUTHDOG_ALLOWED_IDENTITY_HOSTS`: trimmed, lower-cased, empty entries dropped.
 * A single string is split on commas.
 *
 * @example
 * ```ts
 * import { normalizeAllowedHosts } from "@authdog/effect"
 *
 * normalizeAllowedHosts(" Auth.Example.com, ,id.acme.io ") // ["auth.example.com", "id.acme.io"]
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const normalizeAllowedHosts = (hosts: string | ReadonlyArray<string>): ReadonlyArray<string> =>
  (typeof hosts === "string" ? hosts.split(",") : hosts.flatMap((host) => host.split(",")))
    .map((host) => host.trim().toLowerCase())
    .filter((host) => host.length > 0)

/**
 * Checks that an identity host may receive bearer tokens and returns it with
 * trailing slashes removed. `extraAllowedHosts` add to `authdog.com` and
 * `authdog.xyz`; matching is on a dot boundary. IP literals are parsed, so
 * private, loopback, link-local, IPv4-mapped, unspecified and multicast
 * addresses are refused whatever their spelling.
 *
 * @example
 * ```ts
 * import { assertTrustedIdentityHost } from "@authdog/effect"
 *
 * assertTrustedIdentityHost("https://id.authdog.com///") // Either.right("https://id.authdog.com")
 * assertTrustedIdentityHost("https://authdog.com.evil.com") // Either.left(UntrustedIdentityHost)
 * assertTrustedIdentityHost("https://id.acme.io", ["acme.io"]) // Either.right("https://id.acme.io")
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const assertTrustedIdentityHost = (
  host: string,
  extraAllowedHosts: ReadonlyArray<string> = []
): Either.Either<string, UntrustedIdentityHost> => {
  const fail = (reason: UntrustedIdentityHost["reason"]) => Either.left(new UntrustedIdentityHost({ reason, host }))
  let url: URL
  try {
    url = new URL(host)
  } catch {
    return fail("InvalidUrl")
  }
  if (url.protocol !== "https:") return fail("NotHttps")
  const hostname = url.hostname.toLowerCase()
  if (isPrivateHostname(hostname)) return fail("PrivateAddress")
  const allowed = [...defaultAllowedIdentityHosts, ...normalizeAllowedHosts(extraAllowedHosts)]
  if (!allowed.some((suffix) => hostname === suffix || hostname.endsWith(`.${suffix}`))) return fail("NotAllowed")
  return Either.right(host.replace(/\/+$/, ""))
}
