/**
 * The example app on the classic `HttpRouter` (routes in `app.ts`).
 * `npm start` runs it on `PORT` (default 3000): on Authdog when `PK_AUTHDOG`
 * is set, else on the embedded identity provider with the token `demo-token`.
 */
import { HttpServer } from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { createServer } from "node:http"
import { router } from "./app.js"
import { announce, AuthdogDemo, port } from "./demo.js"

const ServerLive = Layer.unwrapEffect(
  Effect.map(port, (listen) => NodeHttpServer.layer(createServer, { port: listen }))
)

const main = HttpServer.serve(router).pipe(
  Layer.provide(AuthdogDemo),
  Layer.provide(ServerLive),
  Layer.tap(() => announce("@authdog/effect example (HttpRouter)"))
)

Layer.launch(main).pipe(NodeRuntime.runMain)
