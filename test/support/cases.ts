/** Inputs the peer Authdog SDKs' own tests use, shared by the suites that check them. */

/** `redirect_uri` values every Authdog SDK refuses (WIRE.md section 7). */
export const peerRejectedRedirects: ReadonlyArray<string> = [
  "dashboard",
  "./relative",
  "//evil.com",
  "/\\evil.com",
  "http://evil.com",
  "https://evil.com/path",
  "javascript:alert(1)",
  "data:text/html,abc",
  "/foo\\bar",
  "/foo\tbar",
  "/foo\nbar",
  "/\u0000evil"
]
