/**
 * Loopback identity provider for the benchmark.
 *
 *   GET  /oidc/{env}/userinfo  (authorization: Bearer tok-N) -> 200 Authdog userinfo envelope
 *                              any other token               -> 200 {"meta":{"code":401,...}}
 *   GET  /__count              -> {"calls","distinctTokens","unauthorized","environments"}
 *   POST /__reset              -> zeroes the counters
 *
 * Env: PORT (default 0 = random), BENCH_IDP_DELAY_MS (fixed delay before each userinfo answer).
 * When started with an IPC channel it sends {"port"} to its parent once listening.
 */
import { createServer } from "node:http"
import type { ServerResponse } from "node:http"

const delayMs = Number(process.env.BENCH_IDP_DELAY_MS ?? "0")
const TOKEN = /^tok-\d+$/
const BEARER = /^Bearer\s+/i

let calls = 0
let unauthorized = 0
const tokens = new Set<string>()
const environments = new Set<string>()

const send = (res: ServerResponse, status: number, body: string) => {
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
  res.end(body)
}

const userInfo = (token: string) =>
  JSON.stringify({
    meta: { code: 200, message: "OK" },
    session: { remainingSeconds: 3600 },
    user: {
      id: `u-${token}`,
      displayName: `User ${token}`,
      emails: [{ id: "e1", value: `${token}@example.com`, type: "work" }]
    }
  })

const UNAUTHORIZED = JSON.stringify({ meta: { code: 401, message: "Unauthorized" } })

const server = createServer((req, res) => {
  const url = req.url ?? "/"
  if (req.method === "GET" && url === "/__count") {
    send(
      res,
      200,
      JSON.stringify({ calls, distinctTokens: tokens.size, unauthorized, environments: [...environments] })
    )
    return
  }
  if (req.method === "POST" && url === "/__reset") {
    calls = 0
    unauthorized = 0
    tokens.clear()
    environments.clear()
    send(res, 200, JSON.stringify({ ok: true }))
    return
  }
  const match = req.method === "GET" ? /^\/oidc\/([^/?]+)\/userinfo(?:\?.*)?$/.exec(url) : null
  if (match === null) {
    send(res, 404, JSON.stringify({ error: "Not Found" }))
    return
  }
  calls++
  environments.add(decodeURIComponent(match[1] ?? ""))
  const authorization = req.headers.authorization ?? ""
  const token = BEARER.test(authorization) ? authorization.replace(BEARER, "").trim() : ""
  const ok = TOKEN.test(token)
  if (ok) tokens.add(token)
  else unauthorized++
  const answer = () => send(res, 200, ok ? userInfo(token) : UNAUTHORIZED)
  if (delayMs > 0) setTimeout(answer, delayMs)
  else answer()
})

server.keepAliveTimeout = 60_000

server.listen(Number(process.env.PORT ?? "0"), "127.0.0.1", () => {
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  if (process.send !== undefined) process.send({ port })
  else console.log(`identity provider on http://127.0.0.1:${port} (delay ${delayMs} ms)`)
})

process.on("disconnect", () => process.exit(0))
process.on("SIGTERM", () => process.exit(0))
