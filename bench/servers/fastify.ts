/**
 * Fastify 5 + @authdog/node-commons, as @authdog/fastify does it: an onRequest
 * hook on EVERY request resolves the session (cookie first, then Bearer) with one
 * userinfo call, then a preHandler gate protects /me.
 */
import { validateAndParsePublicKey } from "@authdog/node-commons"
import Fastify from "fastify"
import type { FastifyReply, FastifyRequest } from "fastify"
import type { AuthdogContext } from "../common.js"
import { idpUrl, port, PUBLIC_KEY, resolveContext, rewriteGlobalFetch, tokenCookieFirst } from "../common.js"

declare module "fastify" {
  interface FastifyRequest {
    authdog: AuthdogContext | null
  }
}

rewriteGlobalFetch(idpUrl())

const { environmentId, identityHost } = validateAndParsePublicKey(PUBLIC_KEY)

const app = Fastify({ logger: false })

app.decorateRequest("authdog", null)

app.addHook("onRequest", async (request: FastifyRequest) => {
  request.authdog = await resolveContext(identityHost, environmentId, tokenCookieFirst(request.headers))
})

const requireAuth = async (request: FastifyRequest, reply: FastifyReply) => {
  if (request.authdog?.isAuthenticated !== true) {
    return reply.code(401).type("application/json").send({ error: "Unauthorized" })
  }
}

app.get("/public", async () => ({ ok: true }))

app.get("/me", { preHandler: requireAuth }, async (request) => request.authdog?.user)

await app.listen({ port: port(), host: "127.0.0.1" })
