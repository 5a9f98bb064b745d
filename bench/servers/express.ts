/**
 * Express 5 + @authdog/node-commons, as @authdog/express does it: a middleware on
 * EVERY request resolves the session (Bearer first, then the authdog-session
 * cookie) with one userinfo call, then a gate protects /me.
 */
import { validateAndParsePublicKey } from "@authdog/node-commons"
import express from "express"
import type { NextFunction, Request, Response } from "express"
import type { AuthdogContext } from "../common.js"
import { idpUrl, port, PUBLIC_KEY, resolveContext, rewriteGlobalFetch, tokenBearerFirst } from "../common.js"

rewriteGlobalFetch(idpUrl())

const { environmentId, identityHost } = validateAndParsePublicKey(PUBLIC_KEY)

type AuthdogRequest = Request & { authdog?: AuthdogContext }

const app = express()
app.disable("x-powered-by")
app.disable("etag")

app.use(async (req: AuthdogRequest, _res: Response, next: NextFunction) => {
  const token = tokenBearerFirst(req.headers)
  req.authdog = await resolveContext(identityHost, environmentId, token)
  next()
})

const requireAuth = (req: AuthdogRequest, res: Response, next: NextFunction) => {
  if (req.authdog?.isAuthenticated !== true) {
    res.status(401).json({ error: "Unauthorized" })
    return
  }
  next()
}

app.get("/public", (_req, res) => {
  res.json({ ok: true })
})

app.get("/me", requireAuth, (req: AuthdogRequest, res) => {
  res.json(req.authdog?.user)
})

app.listen(port(), "127.0.0.1")
