/**
 * Plain node:http + @authdog/node-commons: the same per-request session
 * resolution (Bearer first, then the authdog-session cookie) and the same gate,
 * with no framework at all. The practical ceiling for one userinfo call per request.
 */
import { validateAndParsePublicKey } from "@authdog/node-commons"
import { createServer } from "node:http"
import type { ServerResponse } from "node:http"
import {
  idpUrl,
  port,
  PUBLIC_KEY,
  resolveContext,
  rewriteGlobalFetch,
  tokenBearerFirst,
  UNAUTHORIZED_BODY
} from "../common.js"

rewriteGlobalFetch(idpUrl())

const { environmentId, identityHost } = validateAndParsePublicKey(PUBLIC_KEY)

const send = (res: ServerResponse, status: number, body: string) => {
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
  res.end(body)
}

const server = createServer(async (req, res) => {
  const authdog = await resolveContext(identityHost, environmentId, tokenBearerFirst(req.headers))
  const path = (req.url ?? "/").split("?")[0]
  if (req.method === "GET" && path === "/public") {
    send(res, 200, JSON.stringify({ ok: true }))
  } else if (req.method === "GET" && path === "/me") {
    if (authdog.isAuthenticated) send(res, 200, JSON.stringify(authdog.user))
    else send(res, 401, UNAUTHORIZED_BODY)
  } else {
    send(res, 404, JSON.stringify({ error: "Not Found" }))
  }
})

server.listen(port(), "127.0.0.1")
