/**
 * The example app on `HttpLayerRouter`:
 * - `/`: public; says whether the caller is signed in (`AuthdogOptional`);
 * - `/me`: protected (`AuthdogRequired`); the user as JSON;
 * - `/logout`: expires the session cookie and redirects to `redirect_uri`.
 *
 * The middlewares are provided per route, so a route without one never calls
 * the identity provider. `npm run example:layer` runs it on `PORT` (default 3000).
 */
import { HttpLayerRouter, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { createServer } from "node:http"
import { AuthdogOptional, AuthdogRequired, AuthdogSession, AuthdogUser, logout } from "../src/index.js"
import { announce, AuthdogDemo, port } from "./demo.js"

const Home = HttpLayerRouter.add(
  "GET",
  "/",
  Effect.gen(function*() {
    const session = yield* AuthdogSession
    return yield* HttpServerResponse.json({
      signedIn: session.isAuthenticated,
      user: session.user?.displayName ?? null
    })
  })
).pipe(Layer.provide(AuthdogOptional.layer))

const Me = HttpLayerRouter.add(
  "GET",
  "/me",
  Effect.gen(function*() {
    const user = yield* AuthdogUser
    return yield* HttpServerResponse.json(user)
  })
).pipe(Layer.provide(AuthdogRequired.layer))

const Logout = HttpLayerRouter.add("GET", "/logout", logout)

const Routes = Layer.mergeAll(Home, Me, Logout)

const ServerLive = Layer.unwrapEffect(
  Effect.map(port, (listen) => NodeHttpServer.layer(createServer, { port: listen }))
)

const main = HttpLayerRouter.serve(Routes, { disableLogger: true, disableListenLog: true }).pipe(
  Layer.provide(AuthdogDemo),
  Layer.provide(ServerLive),
  Layer.tap(() => announce("@authdog/effect example (HttpLayerRouter)"))
)

Layer.launch(main).pipe(NodeRuntime.runMain)
