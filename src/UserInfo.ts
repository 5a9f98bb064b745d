/**
 * The userinfo envelope returned by Authdog's OIDC `userinfo` endpoint
 * (WIRE.md section 4).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const field = <S extends Schema.Schema.Any>(schema: S) => Schema.optional(Schema.NullOr(schema))
const text = field(Schema.String)
const preserve = { parseOptions: { onExcessProperty: "preserve" } } as const

/**
 * A user's name parts.
 *
 * @example
 * ```ts
 * import { UserNames } from "@authdog/effect"
 * import { Schema } from "effect"
 *
 * Schema.decodeUnknownSync(UserNames)({ givenName: "Ada", familyName: "Lovelace" })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const UserNames = Schema.Struct({
  id: text,
  formatted: text,
  familyName: text,
  givenName: text,
  middleName: text,
  honorificPrefix: text,
  honorificSuffix: text
}).annotations(preserve)

/**
 * A typed value with an id (photos, emails).
 *
 * @example
 * ```ts
 * import { UserValue } from "@authdog/effect"
 * import { Schema } from "effect"
 *
 * Schema.decodeUnknownSync(UserValue)({ id: "e1", value: "ada@example.com", type: "work" })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const UserValue = Schema.Struct({ id: text, value: text, type: text }).annotations(preserve)

/**
 * An email verification record.
 *
 * @example
 * ```ts
 * import { UserVerification } from "@authdog/effect"
 * import { Schema } from "effect"
 *
 * Schema.decodeUnknownSync(UserVerification)({ email: "ada@example.com", verified: true })
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const UserVerification = Schema.Struct({
  id: text,
  email: text,
  verified: field(Schema.Boolean),
  createdAt: text,
  updatedAt: text
}).annotations(preserve)

/**
 * The Authdog user, as Authdog's own Node SDK types it. Every field may be
 * absent or null; unknown fields are kept.
 *
 * @example
 * ```ts
 * import { User } from "@authdog/effect"
 * import { Schema } from "effect"
 *
 * const user = Schema.decodeUnknownSync(User)({ id: "u1", displayName: "Ada" })
 * console.log(user.displayName) // "Ada"
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const User = Schema.Struct({
  id: text,
  externalId: text,
  userName: text,
  displayName: text,
  nickName: text,
  profileUrl: text,
  title: text,
  userType: text,
  preferredLanguage: text,
  locale: text,
  timezone: text,
  active: field(Schema.Boolean),
  names: field(UserNames),
  photos: field(Schema.Array(UserValue)),
  phoneNumbers: field(Schema.Array(Schema.Unknown)),
  addresses: field(Schema.Array(Schema.Unknown)),
  emails: field(Schema.Array(UserValue)),
  verifications: field(Schema.Array(UserVerification)),
  provider: text,
  createdAt: text,
  updatedAt: text,
  environmentId: text
}).annotations({ ...preserve, identifier: "AuthdogUser" })

/**
 * @since 0.1.0
 * @category models
 */
export interface User extends Schema.Schema.Type<typeof User> {}

/**
 * The userinfo envelope: `meta`, `session` and `user`; unknown fields are kept.
 *
 * @example
 * ```ts
 * import { UserInfo } from "@authdog/effect"
 * import { Schema } from "effect"
 *
 * const info = Schema.decodeUnknownSync(UserInfo)({ meta: { code: 200 }, user: { id: "u1" } })
 * console.log(info.meta?.code) // 200
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const UserInfo = Schema.Struct({
  meta: field(Schema.Struct({ code: field(Schema.Number), message: text }).annotations(preserve)),
  session: field(Schema.Struct({ remainingSeconds: field(Schema.Number) }).annotations(preserve)),
  user: field(Schema.Unknown)
}).annotations({ ...preserve, identifier: "AuthdogUserInfo" })

/**
 * @since 0.1.0
 * @category models
 */
export interface UserInfo extends Schema.Schema.Type<typeof UserInfo> {}

/**
 * The reference rule for an authenticated envelope: `meta.code` is the number
 * 200 and `user` is truthy. (The binding itself also requires `user` to be a
 * JSON object; see the README's deliberate differences.)
 *
 * @example
 * ```ts
 * import { isAuthenticatedUserInfo } from "@authdog/effect"
 *
 * isAuthenticatedUserInfo({ meta: { code: 200 }, user: { id: "u1" } }) // true
 * isAuthenticatedUserInfo({ meta: { code: 401 } }) // false
 * ```
 *
 * @since 0.1.0
 * @category validation
 */
export const isAuthenticatedUserInfo = (envelope: unknown): boolean => {
  if (!envelope) return false
  const { meta, user } = envelope as { readonly meta?: { readonly code?: unknown } | null; readonly user?: unknown }
  return meta?.code === 200 && Boolean(user)
}
