/**
 * The soak target: the example app (examples/app.ts) on the embedded identity
 * provider, which accepts `demo-token` and every `soak-<a>-<b>` token as its
 * own user `u-<a>-<b>`. Prints `ready <port>` when listening.
 */
import { HttpServer } from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Context, Effect, Layer } from "effect"
import { createServer } from "node:http"
import { router } from "../examples/app.js"
import { demoUser } from "../examples/demo.js"
import { AuthdogTest } from "../src/index.js"

const soakToken = /^soak-(\d+)-(\d+)$/

const Embedded = AuthdogTest.layer({
  users: { "demo-token": demoUser },
  resolveUser: (token) => {
    const match = soakToken.exec(token)
    return match === null ? undefined : { id: `u-${match[1]}-${match[2]}`, displayName: `Soak ${match[1]}/${match[2]}` }
  }
})

const main = HttpServer.serve(router).pipe(
  Layer.provide(Embedded),
  Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
  Layer.tap((context) =>
    Effect.sync(() => {
      const address = Context.get(context, HttpServer.HttpServer).address as HttpServer.TcpAddress
      console.log(`ready ${address.port}`)
    })
  )
)

Layer.launch(main).pipe(NodeRuntime.runMain)
