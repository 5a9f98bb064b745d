/**
 * The wire helpers against the reference, `@authdog/node-commons@0.3.1`, on
 * generated inputs. The only differences allowed are WIRE.md section 8's:
 * IP literals are classified by parsing instead of string prefixes.
 */
import * as Reference from "@authdog/node-commons"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Either, Option, Redacted } from "effect"
import fc from "fast-check"
import { Buffer } from "node:buffer"
import {
  assertTrustedIdentityHost,
  extractToken,
  isAuthenticatedUserInfo,
  isPlausibleToken,
  parseCookies,
  parsePublicKey,
  sanitizeRedirectPath
} from "../src/index.js"
import { isPrivateHostname } from "../src/internal/ip.js"

const runs = { numRuns: 2000 }
const extraHosts = ["acme.io", " Example.ORG ", "", "1"]
let savedEnv: string | undefined

beforeAll(() => {
  savedEnv = process.env.AUTHDOG_ALLOWED_IDENTITY_HOSTS
  process.env.AUTHDOG_ALLOWED_IDENTITY_HOSTS = extraHosts.join(",")
})
afterAll(() => {
  if (savedEnv === undefined) delete process.env.AUTHDOG_ALLOWED_IDENTITY_HOSTS
  else process.env.AUTHDOG_ALLOWED_IDENTITY_HOSTS = savedEnv
})

const outcome = <A>(f: () => A): { ok: A } | { error: string } => {
  try {
    return { ok: f() }
  } catch (error) {
    return { error: (error as Error).message }
  }
}
const ours = <A>(result: Either.Either<A, { message: string }>) =>
  Either.match(result, { onLeft: (error) => ({ error: error.message }), onRight: (ok) => ({ ok }) })

// The reference's private-host test, to recognise section 8's differences.
const referencePrivate = (hostname: string) => {
  const t = hostname.toLowerCase()
  return t === "localhost" || t.endsWith(".localhost") || /^127\./.test(t) || /^10\./.test(t) ||
    /^192\.168\./.test(t) || /^169\.254\./.test(t) || /^172\.(1[6-9]|2\d|3[01])\./.test(t) || t === "::1" ||
    t === "[::1]" || t.startsWith("fc") || t.startsWith("fd") || t.startsWith("[fc") || t.startsWith("[fd")
}

/** Whether a disagreement on `host` is one WIRE.md section 8 names. */
const errorOf = (result: object): string | undefined => "error" in result ? String(result.error) : undefined

const isSection8Difference = (host: string, mineResult: object, referenceResult: object): boolean => {
  const mine = { error: errorOf(mineResult) }
  const reference = { error: errorOf(referenceResult) }
  let hostname: string
  try {
    hostname = new URL(host).hostname.toLowerCase()
  } catch {
    return false
  }
  const isIp = /^[\d.]+$/.test(hostname) || hostname.startsWith("[")
  // The reference refuses DNS names starting with fc/fd; we accept them.
  if (reference.error === "Untrusted identity host" && mine.error === undefined) {
    return referencePrivate(hostname) && !isPrivateHostname(hostname) && !isIp
  }
  // We refuse special addresses the reference misses.
  if (mine.error === "Untrusted identity host" && reference.error === undefined) {
    return isPrivateHostname(hostname) && !referencePrivate(hostname)
  }
  return false
}

const octet = fc.integer({ min: 0, max: 255 })
const ipv4 = fc.tuple(octet, octet, octet, octet)
const hexGroup = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16))
const hostname = fc.oneof(
  fc.constantFrom(
    "id.authdog.com",
    "authdog.com",
    "authdog.xyz",
    "x.authdog.xyz",
    "authdog.com.evil.com",
    "notauthdog.com",
    "fd.authdog.com",
    "fcache.authdog.xyz",
    "id.acme.io",
    "example.org",
    "localhost",
    "a.localhost",
    "fd00.1",
    "evil.com",
    "xn--uthdog-3ve.com",
    "аuthdog.com",
    "ID.AUTHDOG.COM",
    "id.authdog.com."
  ),
  ipv4.map((o) => o.join(".")),
  ipv4.map((o) => String(((o[0] * 256 + o[1]) * 256 + o[2]) * 256 + o[3])),
  ipv4.map((o) => `0x${o[0].toString(16)}.${o[1]}.${o[2]}.0${o[3].toString(8)}`),
  fc.constantFrom("0.0.0.1", "100.64.3.1", "224.0.0.1", "255.255.255.1", "10.0.0.1", "127.0.0.1", "169.254.169.1"),
  fc.array(hexGroup, { minLength: 8, maxLength: 8 }).map((g) => `[${g.join(":")}]`),
  ipv4.map((o) => `[::ffff:${o.join(".")}]`),
  fc.constantFrom("[::1]", "[::]", "[fe80::1]", "[ff02::1]", "[fc00::1]", "[fd00::1]", "[::ffff:7f00:1]"),
  fc.tuple(fc.constantFrom("a", "fd", "x1", "fc"), fc.constantFrom(".authdog.com", ".acme.io", ".1", ".example.org"))
    .map(([a, b]) => a + b)
)
const identityHost = fc.oneof(
  fc.tuple(
    fc.constantFrom("https://", "http://", "HTTPS://", "ftp://", "https://user:pw@", "https://evil.com@", ""),
    hostname,
    fc.constantFrom("", ":8443", ":0", "/", "///", "/path", "?q=1", "#frag", "\\evil")
  ).map(([scheme, host, tail]) => scheme + host + tail),
  fc.string()
)

describe("differential against @authdog/node-commons@0.3.1", () => {
  it("sanitizeRedirectPath: identical", () => {
    const target = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.tuple(fc.constantFrom("/", "//", "/\\", "\\", "http:", "javascript:", "/a"), fc.string({ unit: "binary" }))
        .map(([a, b]) => a + b),
      fc.anything()
    )
    fc.assert(
      fc.property(target, fc.constantFrom("/", "/home"), (value, fallback) => {
        assert.strictEqual(sanitizeRedirectPath(value, fallback), Reference.sanitizeRedirectPath(value, fallback))
      }),
      runs
    )
  })

  it("parseCookies: identical", () => {
    const piece = fc.oneof(
      fc.constantFrom(";", "=", " ", "\t", "%", "%E0%A4%A", "%20", "authdog-session", "a", "==", "%zz", ",", "\""),
      fc.string({ unit: "binary", maxLength: 4 })
    )
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }).map((parts) => parts.join("")), (header) => {
        assert.deepStrictEqual(parseCookies(header), Reference.parseCookies(header))
      }),
      runs
    )
  })

  it("isAuthenticatedUserInfo: identical", () => {
    const envelope = fc.oneof(
      fc.anything(),
      fc.record({
        meta: fc.oneof(fc.record({ code: fc.oneof(fc.constant(200), fc.integer(), fc.string()) }), fc.anything()),
        user: fc.oneof(fc.object(), fc.anything())
      }, { requiredKeys: [] })
    )
    fc.assert(
      fc.property(envelope, (value) => {
        assert.strictEqual(isAuthenticatedUserInfo(value), Reference.isAuthenticatedUserInfo(value as never))
      }),
      runs
    )
  })

  it("assertTrustedIdentityHost: identical but for section 8", () => {
    let differences = 0
    fc.assert(
      fc.property(identityHost, (host) => {
        const mine = ours(assertTrustedIdentityHost(host, extraHosts))
        const reference = outcome(() => Reference.assertTrustedIdentityHost(host))
        if (JSON.stringify(mine) !== JSON.stringify(reference)) {
          differences++
          assert.isTrue(isSection8Difference(host, mine, reference), `${host}: ${JSON.stringify([mine, reference])}`)
        }
      }),
      { numRuns: 5000 }
    )
    assert.isAbove(differences, 0, "the generator reaches section 8's cases")
  })

  it("parsePublicKey: identical but for section 8", () => {
    const json = fc.oneof(
      fc.record({
        environmentId: fc.oneof(fc.string(), fc.integer(), fc.constant("")),
        identityHost,
        region: fc.constantFrom("EU", "US", "APAC"),
        extra: fc.jsonValue()
      }, { requiredKeys: [] }),
      fc.jsonValue()
    ).map((value) => JSON.stringify(value))
    const encoded = json.chain((text) =>
      fc.constantFrom(
        Buffer.from(text).toString("base64"),
        Buffer.from(text).toString("base64url"),
        Buffer.from(text).toString("base64").replace(/=+$/, "")
      )
    )
    const key = fc.oneof(
      encoded.map((b64) => `pk_${b64}`),
      encoded,
      fc.string().map((s) => `pk_${s}`),
      fc.string(),
      fc.constant("")
    )
    fc.assert(
      fc.property(key, (value) => {
        const mine = ours(parsePublicKey(value, extraHosts))
        const reference = outcome(() => Reference.validateAndParsePublicKey(value))
        if (JSON.stringify(mine) !== JSON.stringify(reference)) {
          const payload = JSON.parse(Buffer.from(value.slice(3), "base64").toString("utf-8"))
          assert.isTrue(
            isSection8Difference(payload.identityHost, mine, reference),
            `${value}: ${JSON.stringify([mine, reference])}`
          )
        }
      }),
      runs
    )
  })

  it("extractToken: the Express rules (Bearer first, then the node-commons cookie) plus section 8", () => {
    const tokenish = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9\-._~+/]{1,20}={0,2}$/),
      fc.string({ unit: "binary", maxLength: 12 }),
      fc.constantFrom("", " ", "a b", "x".repeat(4097), "%41bc")
    )
    const authorization = fc.option(
      fc.tuple(fc.constantFrom("Bearer ", "bearer  ", "BEARER\t", "Basic ", "Bearer", "Token "), tokenish)
        .map(([a, b]) => a + b),
      { nil: undefined }
    )
    const cookie = fc.option(
      fc.tuple(fc.constantFrom("", "a=1; ", "authdog-session=first; "), tokenish, fc.constantFrom("", "; b=2"))
        .map(([a, b, c]) => `${a}authdog-session=${b}${c}`),
      { nil: undefined }
    )
    fc.assert(
      fc.property(authorization, cookie, (auth, cookieHeader) => {
        const match = auth === undefined ? null : /^Bearer\s+/i.exec(auth)
        const bearer = match === null ? "" : auth!.slice(match[0].length).trim()
        const fromCookie = Reference.parseCookies(cookieHeader ?? null).find((c) => c.name === "authdog-session")
        const raw = bearer || fromCookie?.value || null
        const expected = raw !== null && isPlausibleToken(raw) ? raw : null
        const actual = Option.getOrNull(
          Option.map(extractToken({ authorization: auth, cookie: cookieHeader }), Redacted.value)
        )
        assert.strictEqual(actual, expected)
      }),
      runs
    )
  })
})
