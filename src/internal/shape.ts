/**
 * The `UserInfo` and `User` schemas as plain type guards, for the hot path.
 *
 * `Schema.is` walks the schema's AST on every call, building results it
 * throws away; these do the same checks directly, many times faster. The
 * schemas in `UserInfo.ts` stay the definition: a property test
 * (`test/Shape.test.ts`) holds these guards to them on generated values.
 *
 * As in the schemas: a struct is a non-null object that is not an array;
 * every known field is optional and may be `null`; unknown fields are allowed.
 *
 * @internal
 */
import type { User, UserInfo } from "../UserInfo.js"

type Check = (value: unknown) => boolean

const isStruct = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const isString: Check = (value) => typeof value === "string"
const isBoolean: Check = (value) => typeof value === "boolean"
const isNumber: Check = (value) => typeof value === "number"
const isAnything: Check = () => true

const optional = (check: Check): Check => (value) => value === undefined || value === null || check(value)

const struct = (fields: Record<string, Check>): Check => {
  const entries = Object.entries(fields)
  return (value) => {
    if (!isStruct(value)) return false
    for (const [key, check] of entries) {
      if (!check(value[key])) return false
    }
    return true
  }
}

const array = (check: Check): Check => (value) => Array.isArray(value) && value.every(check)

const text = optional(isString)

const names = struct({
  id: text,
  formatted: text,
  familyName: text,
  givenName: text,
  middleName: text,
  honorificPrefix: text,
  honorificSuffix: text
})

const value = struct({ id: text, value: text, type: text })

const verification = struct({
  id: text,
  email: text,
  verified: optional(isBoolean),
  createdAt: text,
  updatedAt: text
})

const user = struct({
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
  active: optional(isBoolean),
  names: optional(names),
  photos: optional(array(value)),
  phoneNumbers: optional(array(isAnything)),
  addresses: optional(array(isAnything)),
  emails: optional(array(value)),
  verifications: optional(array(verification)),
  provider: text,
  createdAt: text,
  updatedAt: text,
  environmentId: text
})

const userInfo = struct({
  meta: optional(struct({ code: optional(isNumber), message: text })),
  session: optional(struct({ remainingSeconds: optional(isNumber) })),
  user: isAnything
})

/**
 * `Schema.is(UserInfo)`.
 *
 * @internal
 */
export const isUserInfo = (value: unknown): value is UserInfo => userInfo(value)

/**
 * `Schema.is(User)`.
 *
 * @internal
 */
export const isUser = (value: unknown): value is User => user(value)
