/**
 * The example app on the classic `HttpRouter`:
 * - `/`: public; says whether the caller is signed in (`withSession`);
 * - `/me`: protected (`requireAuth`); the user as JSON;
 * - `/logout`: expires the session cookie and redirects to `redirect_uri`.
 *
 * `npm start` runs it on `PORT` (default 3000).
 */
import { HttpRouter, HttpServer, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { createServer } from "node:http"
import { AuthdogSession, logout, requireAuth, withSession } from "../src/index.js"
import { announce, AuthdogDemo, port } from "./demo.js"

const home = withSession(Effect.gen(function*() {
  const session = yield* AuthdogSession
  return yield* HttpServerResponse.json({
    signedIn: session.isAuthenticated,
    user: session.user?.displayName ?? null
  })
}))

const me = requireAuth(Effect.gen(function*() {
  const session = yield* AuthdogSession
  return yield* HttpServerResponse.json(session.user)
}))

export const router = HttpRouter.empty.pipe(
  HttpRouter.get("/", home),
  HttpRouter.get("/me", me),
  HttpRouter.get("/logout", logout)
)

const ServerLive = Layer.unwrapEffect(
  Effect.map(port, (listen) => NodeHttpServer.layer(createServer, { port: listen }))
)

const main = HttpServer.serve(router).pipe(
  Layer.provide(AuthdogDemo),
  Layer.provide(ServerLive),
  Layer.tap(() => announce("@authdog/effect example (HttpRouter)"))
)

Layer.launch(main).pipe(NodeRuntime.runMain)
