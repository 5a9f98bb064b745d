/**
 * The Authdog public key (`pk_...`, WIRE.md section 1).
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { Buffer } from "node:buffer"
import { assertTrustedIdentityHost } from "./IdentityHost.js"

/**
 * The decoded public key. Unknown fields are kept; `identityHost` has its
 * trailing `/` removed.
 *
 * @example
 * ```ts
 * import type { PublicKeyPayload } from "@authdog/effect"
 *
 * const payload: PublicKeyPayload = { environmentId: "env_1", identityHost: "https://id.authdog.com" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface PublicKeyPayload {
  readonly environmentId: string
  readonly identityHost: string
  readonly version?: string
  readonly region?: "EU" | "US" | "APAC"
  readonly [extra: string]: unknown
}

const reasons = {
  Missing: "Public key is not defined",
  MissingPrefix: "Invalid public key",
  NotBase64Json: "Failed to parse public key",
  NotAnObject: "Invalid public key payload",
  MissingEnvironmentId: "Invalid public key: missing environmentId",
  MissingIdentityHost: "Invalid public key: missing identityHost",
  InvalidIdentityHost: "Invalid identity host",
  IdentityHostNotHttps: "Identity host must use https",
  UntrustedIdentityHost: "Untrusted identity host"
} as const

/**
 * A public key that cannot be used. Its `message` is the reference SDKs'
 * message, word for word; when the key came from configuration, `setting`
 * names where it came from and the message says how to fix it.
 *
 * @example
 * ```ts
 * import { parsePublicKey } from "@authdog/effect"
 * import { Either } from "effect"
 *
 * const result = parsePublicKey("abc")
 * if (Either.isLeft(result)) console.log(result.left.message) // "Invalid public key"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidPublicKey extends Schema.TaggedError<InvalidPublicKey>()("InvalidPublicKey", {
  reason: Schema.Literal(...(Object.keys(reasons) as Array<keyof typeof reasons>)),
  setting: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const message = reasons[this.reason]
    return this.setting === undefined
      ? message
      : `${message}. Set ${this.setting} to the public key of your Authdog environment ` +
        `("pk_" followed by base64 JSON with environmentId and an https identityHost under authdog.com, ` +
        `authdog.xyz or AUTHDOG_ALLOWED_IDENTITY_HOSTS), as shown in the Authdog dashboard.`
  }
}

const hostReasons = {
  InvalidUrl: "InvalidIdentityHost",
  NotHttps: "IdentityHostNotHttps",
  PrivateAddress: "UntrustedIdentityHost",
  NotAllowed: "UntrustedIdentityHost"
} as const

/**
 * Decodes and validates a public key: `pk_` followed by base64 (standard or
 * URL-safe, padding optional) of a JSON object with a non-empty `environmentId`
 * and a trusted `identityHost` (see `assertTrustedIdentityHost`).
 *
 * @example
 * ```ts
 * import { parsePublicKey } from "@authdog/effect"
 *
 * const key = "pk_" + btoa(JSON.stringify({ environmentId: "env_1", identityHost: "https://id.authdog.com/" }))
 * parsePublicKey(key) // Either.right({ environmentId: "env_1", identityHost: "https://id.authdog.com" })
 * ```
 *
 * @since 0.1.0
 * @category parsing
 */
export const parsePublicKey = (
  key: string,
  extraAllowedHosts: ReadonlyArray<string> = []
): Either.Either<PublicKeyPayload, InvalidPublicKey> => {
  const fail = (reason: InvalidPublicKey["reason"]) => Either.left(new InvalidPublicKey({ reason }))
  if (!key) return fail("Missing")
  if (!key.startsWith("pk_")) return fail("MissingPrefix")
  let payload: unknown
  try {
    payload = JSON.parse(Buffer.from(key.slice(3), "base64").toString("utf-8"))
  } catch {
    return fail("NotBase64Json")
  }
  if (typeof payload !== "object" || payload === null) return fail("NotAnObject")
  const { environmentId, identityHost } = payload as Record<string, unknown>
  if (typeof environmentId !== "string" || environmentId.length === 0) return fail("MissingEnvironmentId")
  if (typeof identityHost !== "string" || identityHost.length === 0) return fail("MissingIdentityHost")
  return Either.match(assertTrustedIdentityHost(identityHost, extraAllowedHosts), {
    onLeft: (error) => fail(hostReasons[error.reason]),
    onRight: (host) => Either.right({ ...payload, environmentId, identityHost: host })
  })
}
