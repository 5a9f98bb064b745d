/**
 * Properties of the wire helpers, 1 000+ runs each: they never throw, and
 * what they let through is always safe.
 */
import { assert, describe, it } from "@effect/vitest"
import { Either, Option, Redacted } from "effect"
import fc from "fast-check"
import { Buffer } from "node:buffer"
import {
  assertTrustedIdentityHost,
  extractToken,
  isAuthenticatedUserInfo,
  parseCookies,
  parsePublicKey,
  sanitizeRedirectPath
} from "../src/index.js"
import { isPrivateHostname } from "../src/internal/ip.js"

const runs = { numRuns: 2000 }
const anyString = fc.oneof(fc.string({ unit: "binary" }), fc.string(), fc.string({ unit: "grapheme" }))

describe("the wire helpers never throw", () => {
  it("on any string or header value", () => {
    fc.assert(
      fc.property(anyString, anyString, fc.anything(), (a, b, value) => {
        sanitizeRedirectPath(a)
        sanitizeRedirectPath(value, b)
        parseCookies(a)
        extractToken({ authorization: a, cookie: b })
        parsePublicKey(a, [b])
        parsePublicKey(`pk_${Buffer.from(a).toString("base64")}`)
        assertTrustedIdentityHost(a, [b])
        isAuthenticatedUserInfo(value)
      }),
      runs
    )
  })
})

describe("sanitizeRedirectPath", () => {
  it("returns the fallback or a single-slash path with no backslash, control character or scheme", () => {
    const target = fc.oneof(
      anyString,
      fc.tuple(fc.constantFrom("/", "//", "/\\", "\\/", "/%2F", " /", "/\u0000"), anyString).map(([a, b]) => a + b)
    )
    fc.assert(
      fc.property(target, (value) => {
        const result = sanitizeRedirectPath(value, "FALLBACK")
        if (result === "FALLBACK") return
        assert.strictEqual(result, value)
        assert.isTrue(result.startsWith("/") && !result.startsWith("//"), result)
        assert.notInclude(result, "\\")
        assert.notMatch(result, /[\u0000-\u001f]/)
        assert.notMatch(result, /^[a-z][a-z0-9+.-]*:/i)
        // Resolved against a base it stays on that origin.
        assert.strictEqual(new URL(result, "https://app.example").origin, "https://app.example")
      }),
      runs
    )
  })
})

describe("parseCookies", () => {
  it("round-trips encoded values", () => {
    const name = fc.stringMatching(/^[A-Za-z0-9!#$&'*+.^_`|~-]{1,12}$/)
    const value = fc.string({ unit: "grapheme" })
    fc.assert(
      fc.property(fc.array(fc.tuple(name, value), { minLength: 1, maxLength: 5 }), (pairs) => {
        const header = pairs.map(([n, v]) => `${n}=${encodeURIComponent(v)}`).join("; ")
        assert.deepStrictEqual(parseCookies(header), pairs.map(([n, v]) => ({ name: n, value: v })))
      }),
      runs
    )
  })
})

describe("extractToken", () => {
  it("never yields a value outside the b64token set or longer than 4096", () => {
    const header = fc.oneof(
      anyString,
      fc.tuple(fc.constantFrom("Bearer ", "bearer\t", "authdog-session="), anyString).map(([a, b]) => a + b),
      fc.string({ minLength: 4000, maxLength: 4200 }).map((s) => `Bearer ${s.replace(/[^A-Za-z]/g, "a")}`)
    )
    fc.assert(
      fc.property(header, header, (authorization, cookie) => {
        const token = extractToken({ authorization, cookie })
        if (Option.isNone(token)) return
        const value = Redacted.value(token.value)
        assert.match(value, /^[A-Za-z0-9\-._~+/]+=*$/)
        assert.isAtMost(value.length, 4096)
      }),
      runs
    )
  })
})

// Hosts in every spelling an attacker might try.
const octet = fc.integer({ min: 0, max: 255 })
const ipv4 = fc.tuple(octet, octet, octet, octet)
const spelledIPv4 = ipv4.chain((o) =>
  fc.constantFrom(
    o.join("."),
    String(((o[0] * 256 + o[1]) * 256 + o[2]) * 256 + o[3]),
    o.map((n) => `0${n.toString(8)}`).join("."),
    o.map((n) => `0x${n.toString(16)}`).join("."),
    `${o[0]}.${(o[1] << 16) + (o[2] << 8) + o[3]}`,
    `[::ffff:${o.join(".")}]`,
    `[::${o.join(".")}]`,
    `[64:ff9b::${o.join(".")}]`
  )
)
const spelledIPv6 = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }).chain((g) =>
  fc.constantFrom(
    `[${g.map((n) => n.toString(16)).join(":")}]`,
    `[${g.map((n) => n.toString(16).padStart(4, "0").toUpperCase()).join(":")}]`,
    `[${g.slice(0, 2).map((n) => n.toString(16)).join(":")}::${g[7]!.toString(16)}]`
  )
)
const lookalike = fc.constantFrom(
  "аuthdog.com",
  "authdog.cοm",
  "authdog.com.evil.com",
  "evilauthdog.com",
  "authdog.co",
  "authdog.com.",
  "authdog.comm",
  "xn--authdog-2ya.com",
  "authdog%2ecom",
  "authdog。com",
  "id.authdog.com.evil",
  "localhost",
  "x.localhost."
)
const dnsName = fc.tuple(
  fc.stringMatching(/^[a-z0-9-]{1,10}$/),
  fc.constantFrom(".authdog.com", ".authdog.xyz", ".com", ".evil.io", "")
)
  .map(([a, b]) => a + b)
const host = fc.oneof(spelledIPv4, spelledIPv6, lookalike, dnsName)
const url = fc.tuple(
  fc.constantFrom("https://", "HTTPS://", "https://user@", "https://id.authdog.com@", "https://a:b@"),
  host,
  fc.constantFrom("", ".", "..", ":443", ":8080", "/", "/x", "?", "#"),
  fc.boolean()
).map(([scheme, h, tail, upper]) => scheme + (upper ? h.toUpperCase() : h) + tail)

const allowed = ["authdog.com", "authdog.xyz"]
const isAllowedHostname = (hostname: string) =>
  allowed.some((suffix) => hostname === suffix || hostname.endsWith(`.${suffix}`))

describe("no host outside the allowlist is accepted", () => {
  it("assertTrustedIdentityHost, whatever the spelling", () => {
    fc.assert(
      fc.property(url, (value) => {
        const result = assertTrustedIdentityHost(value)
        if (Either.isLeft(result)) return
        const hostname = new URL(result.right).hostname.toLowerCase()
        assert.isTrue(isAllowedHostname(hostname), `${value} -> ${hostname}`)
        assert.isFalse(isPrivateHostname(hostname))
        assert.isTrue(result.right.startsWith("https://") || result.right.startsWith("HTTPS://"))
      }),
      { numRuns: 5000 }
    )
  })

  it("parsePublicKey, whatever the spelling", () => {
    fc.assert(
      fc.property(url, fc.string({ minLength: 1 }), (identityHost, environmentId) => {
        const key = `pk_${Buffer.from(JSON.stringify({ environmentId, identityHost })).toString("base64")}`
        const result = parsePublicKey(key)
        if (Either.isLeft(result)) return
        assert.isTrue(isAllowedHostname(new URL(result.right.identityHost).hostname.toLowerCase()), identityHost)
      }),
      runs
    )
  })

  it("private and special IPv4 addresses are refused in every spelling, even when allowlisted", () => {
    const special = fc.constantFrom(
      [127, 0, 0, 1],
      [10, 1, 2, 3],
      [172, 20, 0, 1],
      [192, 168, 0, 1],
      [169, 254, 169, 254],
      [0, 0, 0, 0],
      [100, 100, 0, 1],
      [224, 1, 1, 1],
      [255, 255, 255, 255]
    )
    fc.assert(
      fc.property(special, fc.nat(7), (o, form) => {
        const spellings = [
          o.join("."),
          String(((o[0]! * 256 + o[1]!) * 256 + o[2]!) * 256 + o[3]!),
          o.map((n) => `0${n.toString(8)}`).join("."),
          o.map((n) => `0x${n.toString(16)}`).join("."),
          `${o[0]}.${(o[1]! << 16) + (o[2]! << 8) + o[3]!}`,
          `[::ffff:${o.join(".")}]`,
          `[::${o.join(".")}]`,
          `[64:ff9b::${o.join(".")}]`
        ]
        const result = assertTrustedIdentityHost(`https://${spellings[form]}/`, ["0", "1", "3", "4", "254", "255", "]"])
        assert.isTrue(Either.isLeft(result), spellings[form])
      }),
      runs
    )
  })
})
