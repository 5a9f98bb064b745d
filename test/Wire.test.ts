import { assert, describe, it } from "@effect/vitest"
import { Either, Option, Redacted } from "effect"
import {
  assertTrustedIdentityHost,
  extractToken,
  findToken,
  isAuthenticatedUserInfo,
  isPlausibleToken,
  parseCookies,
  parsePublicKey,
  sanitizeRedirectPath
} from "../src/index.js"
import { publicKeyFor } from "./support/app.js"
import { peerRejectedRedirects } from "./support/cases.js"

const token = (headers: { authorization?: string; cookie?: string }) =>
  Option.getOrNull(Option.map(extractToken(headers), Redacted.value))

describe("parseCookies", () => {
  it("splits on the first = only, trims, decodes", () => {
    assert.deepStrictEqual(parseCookies(" a = 1 ;authdog-session=header.payload.signature==; c=%20x%20"), [
      { name: "a", value: "1" },
      { name: "authdog-session", value: "header.payload.signature==" },
      { name: "c", value: " x " }
    ])
  })

  it("skips empty segments, segments without = and empty names; keeps bad escapes raw", () => {
    assert.deepStrictEqual(parseCookies(";;  ; novalue; =nameless; ok=%E0%A4%A; e="), [
      { name: "ok", value: "%E0%A4%A" },
      { name: "e", value: "" }
    ])
    assert.deepStrictEqual(parseCookies(""), [])
    assert.deepStrictEqual(parseCookies(null), [])
    assert.deepStrictEqual(parseCookies(undefined), [])
  })

  it("names are case-sensitive", () => {
    assert.deepStrictEqual(parseCookies("Authdog-Session=a"), [{ name: "Authdog-Session", value: "a" }])
    assert.isNull(token({ cookie: "Authdog-Session=a" }))
  })
})

describe("extractToken", () => {
  it("takes Bearer first, scheme case-insensitive, token trimmed", () => {
    assert.strictEqual(token({ authorization: "Bearer abc", cookie: "authdog-session=def" }), "abc")
    assert.strictEqual(token({ authorization: "bEaReR \t abc  " }), "abc")
    assert.strictEqual(Option.getOrThrow(findToken({ authorization: "Bearer abc" })).source, "bearer")
  })

  it("an empty Bearer or a non-Bearer scheme falls to the cookie", () => {
    assert.strictEqual(token({ authorization: "Bearer    ", cookie: "authdog-session=def" }), "def")
    assert.strictEqual(token({ authorization: "Basic dXNlcjpwdw==", cookie: "authdog-session=def" }), "def")
    assert.strictEqual(token({ authorization: "Bearer", cookie: "authdog-session=def" }), "def")
    assert.strictEqual(token({ authorization: "Bearerabc", cookie: "authdog-session=def" }), "def")
    assert.strictEqual(Option.getOrThrow(findToken({ cookie: "authdog-session=def" })).source, "cookie")
  })

  it("the first of duplicate cookies wins; an empty cookie is absent", () => {
    assert.strictEqual(token({ cookie: "authdog-session=one; authdog-session=two" }), "one")
    assert.isNull(token({ cookie: "authdog-session=" }))
    assert.isNull(token({}))
  })

  it("implausible tokens are absent and do not fall back", () => {
    for (const bad of ["a b", "a\r\nX-Evil: 1", "abc=def", "\"quoted\"", "a,b", "ä", "a;b", "=abc"]) {
      assert.isNull(token({ authorization: `Bearer ${bad}`, cookie: "authdog-session=good" }), bad)
      assert.isNull(token({ cookie: `authdog-session=${encodeURIComponent(bad)}` }), bad)
    }
    assert.isNull(token({ authorization: `Bearer ${"a".repeat(4097)}` }))
    assert.strictEqual(token({ authorization: `Bearer ${"a".repeat(4096)}` }), "a".repeat(4096))
    assert.isTrue(isPlausibleToken("A-Z.a_z~0+9/=="))
  })

  it("the token is Redacted and never printed", () => {
    const found = Option.getOrThrow(extractToken({ authorization: "Bearer s3cr3t" }))
    assert.notInclude(String(found), "s3cr3t")
    assert.notInclude(JSON.stringify({ found }), "s3cr3t")
    assert.strictEqual(Redacted.value(found), "s3cr3t")
  })
})

describe("sanitizeRedirectPath", () => {
  it("keeps same-origin paths", () => {
    assert.strictEqual(sanitizeRedirectPath("/dashboard"), "/dashboard")
    assert.strictEqual(sanitizeRedirectPath("/a/b/c?x=1#frag"), "/a/b/c?x=1#frag")
    assert.strictEqual(sanitizeRedirectPath("/"), "/")
  })

  it("refuses everything the peer SDKs refuse", () => {
    const rejected = [...peerRejectedRedirects, "", "\u001f/x", "/x\u001f"]
    for (const target of rejected) assert.strictEqual(sanitizeRedirectPath(target), "/", JSON.stringify(target))
    for (const target of [undefined, null, 42, ["/a"], { path: "/a" }]) {
      assert.strictEqual(sanitizeRedirectPath(target, "/home"), "/home")
    }
  })
})

describe("assertTrustedIdentityHost", () => {
  const message = (host: string, extra: ReadonlyArray<string> = []) =>
    Either.match(assertTrustedIdentityHost(host, extra), { onLeft: (e) => e.message, onRight: (h) => `ok ${h}` })

  it("accepts allowed suffixes on a dot boundary and strips trailing slashes", () => {
    assert.strictEqual(message("https://id.authdog.com///"), "ok https://id.authdog.com")
    assert.strictEqual(message("https://authdog.xyz"), "ok https://authdog.xyz")
    assert.strictEqual(message("https://ID.AUTHDOG.COM:8443/"), "ok https://ID.AUTHDOG.COM:8443")
    assert.strictEqual(message("https://id.acme.io", [" ACME.io "]), "ok https://id.acme.io")
  })

  it("refuses with the reference messages", () => {
    assert.strictEqual(message("not a url"), "Invalid identity host")
    assert.strictEqual(message("http://id.authdog.com"), "Identity host must use https")
    assert.strictEqual(message("https://authdog.com.evil.com"), "Untrusted identity host")
    assert.strictEqual(message("https://notauthdog.com"), "Untrusted identity host")
    assert.strictEqual(message("https://id.acme.io"), "Untrusted identity host")
  })

  it("refuses private, loopback and special addresses, whatever the spelling", () => {
    const hosts = [
      "https://localhost",
      "https://api.localhost",
      "https://127.0.0.1",
      "https://2130706433",
      "https://0x7f.1",
      "https://0177.0.0.1",
      "https://10.1.2.3",
      "https://172.16.0.1",
      "https://172.31.255.255",
      "https://192.168.1.1",
      "https://169.254.169.254",
      "https://0.0.0.0",
      "https://100.64.0.1",
      "https://224.0.0.1",
      "https://[::1]",
      "https://[::]",
      "https://[fc00::1]",
      "https://[fd12:3456::1]",
      "https://[fe80::1]",
      "https://[ff02::1]",
      "https://[::ffff:127.0.0.1]",
      "https://[::ffff:a9fe:a9fe]",
      "https://[64:ff9b::10.0.0.1]"
    ]
    // Even when the operator allowlists them.
    for (const host of hosts) {
      assert.strictEqual(message(host, ["0.1", "1", "[::1]", "localhost", "169.254"]), "Untrusted identity host", host)
    }
  })

  it("does not mistake DNS names starting with fc/fd for private addresses", () => {
    assert.strictEqual(message("https://fd.authdog.com"), "ok https://fd.authdog.com")
    assert.strictEqual(message("https://fcache.authdog.com"), "ok https://fcache.authdog.com")
  })

  it("user-info does not change the host checked", () => {
    assert.strictEqual(message("https://id.authdog.com@evil.com"), "Untrusted identity host")
    assert.strictEqual(message("https://evil.com#@id.authdog.com"), "Untrusted identity host")
  })
})

describe("parsePublicKey", () => {
  const message = (key: string) =>
    Either.match(parsePublicKey(key), { onLeft: (e) => e.message, onRight: (p) => `ok ${JSON.stringify(p)}` })
  const b64 = (text: string) => Buffer.from(text).toString("base64")

  it("decodes standard and URL-safe base64, with or without padding, keeping extra fields", () => {
    const payload = { environmentId: "env?>", identityHost: "https://id.authdog.com/", region: "EU", extra: [1] }
    const standard = publicKeyFor(payload)
    const urlSafe = standard.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")
    for (const key of [standard, urlSafe]) {
      assert.deepStrictEqual<unknown>(Either.getOrThrow(parsePublicKey(key)), {
        ...payload,
        identityHost: "https://id.authdog.com"
      })
    }
  })

  it("fails with the reference messages", () => {
    assert.strictEqual(message(""), "Public key is not defined")
    assert.strictEqual(message("abc"), "Invalid public key")
    assert.strictEqual(message("pk_!!!"), "Failed to parse public key")
    assert.strictEqual(message(`pk_${b64("{broken")}`), "Failed to parse public key")
    for (const json of ["\"str\"", "42", "true", "null"]) {
      assert.strictEqual(message(`pk_${b64(json)}`), "Invalid public key payload", json)
    }
    assert.strictEqual(message(`pk_${b64("[]")}`), "Invalid public key: missing environmentId")
    assert.strictEqual(
      message(publicKeyFor({ identityHost: "https://id.authdog.com" })),
      "Invalid public key: missing environmentId"
    )
    assert.strictEqual(
      message(publicKeyFor({ environmentId: "", identityHost: "https://id.authdog.com" })),
      "Invalid public key: missing environmentId"
    )
    assert.strictEqual(
      message(publicKeyFor({ environmentId: 1, identityHost: "https://id.authdog.com" })),
      "Invalid public key: missing environmentId"
    )
    assert.strictEqual(message(publicKeyFor({ environmentId: "e" })), "Invalid public key: missing identityHost")
    assert.strictEqual(
      message(publicKeyFor({ environmentId: "e", identityHost: "" })),
      "Invalid public key: missing identityHost"
    )
    assert.strictEqual(message(publicKeyFor({ environmentId: "e", identityHost: "nope" })), "Invalid identity host")
    assert.strictEqual(
      message(publicKeyFor({ environmentId: "e", identityHost: "http://id.authdog.com" })),
      "Identity host must use https"
    )
    assert.strictEqual(
      message(publicKeyFor({ environmentId: "e", identityHost: "https://evil.com" })),
      "Untrusted identity host"
    )
  })

  it("extra allowed hosts extend the allowlist", () => {
    const key = publicKeyFor({ environmentId: "e", identityHost: "https://id.acme.io" })
    assert.isTrue(Either.isLeft(parsePublicKey(key)))
    assert.isTrue(Either.isRight(parsePublicKey(key, ["acme.io"])))
  })
})

describe("isAuthenticatedUserInfo", () => {
  it("needs meta.code === 200 (the number) and a truthy user", () => {
    assert.isTrue(isAuthenticatedUserInfo({ meta: { code: 200 }, user: { id: "u" } }))
    assert.isFalse(isAuthenticatedUserInfo({ meta: { code: 401 }, user: { id: "u" } }))
    assert.isFalse(isAuthenticatedUserInfo({ meta: { code: "200" }, user: { id: "u" } }))
    assert.isFalse(isAuthenticatedUserInfo({ meta: { code: 200 }, user: null }))
    assert.isFalse(isAuthenticatedUserInfo({ meta: { code: 200 } }))
    assert.isFalse(isAuthenticatedUserInfo({ user: { id: "u" } }))
    for (const value of [null, undefined, "x", 200, [], true]) assert.isFalse(isAuthenticatedUserInfo(value))
  })
})
