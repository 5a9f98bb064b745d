/**
 * The hot path checks userinfo bodies with plain guards (src/internal/shape.ts)
 * instead of `Schema.is`. These properties hold the guards to the schemas,
 * which stay the definition: on valid values, on valid values with one field
 * (top-level or nested) replaced by any JSON value, and on arbitrary values.
 * fast-check is the copy `effect` bundles, which its `Arbitrary` builds on.
 */
import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, FastCheck as fc, Schema } from "effect"
import { isUser, isUserInfo } from "../src/internal/shape.js"
import { User, UserInfo } from "../src/UserInfo.js"

const schemaIsUser = Schema.is(User)
const schemaIsUserInfo = Schema.is(UserInfo)

const validUser = Arbitrary.make(User)
const validUserInfo = Arbitrary.make(UserInfo)

const userFields = Object.keys(User.fields)
const nested: Record<string, ReadonlyArray<string>> = {
  names: ["id", "formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix"],
  photos: ["id", "value", "type"],
  emails: ["id", "value", "type"],
  verifications: ["id", "email", "verified", "createdAt", "updatedAt"]
}

/** Replaces one field of a valid user, or of the first element of one of its nested values. */
const mutated = fc.tuple(validUser, fc.nat(), fc.nat(), fc.boolean(), fc.jsonValue()).map(
  ([user, which, inner, deep, value]) => {
    const copy: Record<string, unknown> = structuredClone(user as Record<string, unknown>)
    const field = userFields[which % userFields.length]!
    const target = copy[field]
    const innerFields = nested[field]
    if (deep && innerFields !== undefined && target !== null && target !== undefined) {
      const element = Array.isArray(target) ? target[0] : target
      if (typeof element === "object" && element !== null) {
        ;(element as Record<string, unknown>)[innerFields[inner % innerFields.length]!] = value
        return copy
      }
    }
    copy[field] = value
    return copy
  }
)

const mutatedEnvelope = fc.tuple(
  validUserInfo,
  fc.constantFrom("meta", "session", "code", "remainingSeconds", "message"),
  fc.jsonValue()
)
  .map(([envelope, field, value]) => {
    const copy: Record<string, unknown> = structuredClone(envelope as Record<string, unknown>)
    if (field === "code" || field === "message") copy.meta = { ...(copy.meta as object ?? {}), [field]: value }
    else if (field === "remainingSeconds") copy.session = { ...(copy.session as object ?? {}), [field]: value }
    else copy[field] = value
    return copy
  })

/**
 * `guard` answers as `schemaIs` on 5 000 values of `values`, and the values
 * reach both answers often, so the property can fail.
 */
const agrees = (
  guard: (value: unknown) => boolean,
  schemaIs: (value: unknown) => boolean,
  values: fc.Arbitrary<unknown>
) => {
  const seen = { true: 0, false: 0 }
  fc.assert(
    fc.property(values, (value) => {
      const expected = schemaIs(value)
      seen[expected ? "true" : "false"]++
      assert.strictEqual(guard(value), expected, JSON.stringify(value))
    }),
    { numRuns: 5000 }
  )
  assert.isAbove(seen.true, 500)
  assert.isAbove(seen.false, 500)
}

describe("the userinfo guards agree with the schemas", () => {
  it("isUser is Schema.is(User)", () => {
    agrees(isUser, schemaIsUser, fc.oneof(validUser, mutated, fc.jsonValue(), fc.anything()))
  })

  it("isUserInfo is Schema.is(UserInfo)", () => {
    agrees(isUserInfo, schemaIsUserInfo, fc.oneof(validUserInfo, mutatedEnvelope, fc.jsonValue(), fc.anything()))
  })

  it("on the edge cases of a JSON body", () => {
    for (
      const value of [null, [], {}, "x", 1, true, { emails: [] }, { emails: [null] }, { names: [] }, { active: 1 }]
    ) {
      assert.strictEqual(isUser(value), schemaIsUser(value), JSON.stringify(value))
      assert.strictEqual(isUserInfo(value), schemaIsUserInfo(value), JSON.stringify(value))
    }
  })
})
