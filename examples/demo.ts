/**
 * What every example shares: the Authdog layer (real Authdog when
 * `PK_AUTHDOG` is set, else the embedded identity provider that knows
 * `demo-token`), the port, and the lines to try.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { type Authdog, AuthdogLive, AuthdogTest, type InvalidPublicKey } from "../src/index.js"

export const demoUser = {
  id: "demo-user",
  displayName: "Demo User",
  userName: "demo",
  emails: [{ id: "demo-email", value: "demo@example.com", type: "work" }]
}

/** `AuthdogLive` over undici when `PK_AUTHDOG` is set, else the embedded identity provider. */
export const AuthdogDemo: Layer.Layer<Authdog, InvalidPublicKey | ConfigError.ConfigError> = Layer.unwrapEffect(
  Effect.map(Config.option(Config.string("PK_AUTHDOG")), (key) =>
    Option.isSome(key)
      ? AuthdogLive.pipe(Layer.provide(NodeHttpClient.layerUndici))
      : AuthdogTest.layer({ users: { "demo-token": demoUser } }))
)

export const port: Config.Config<number> = Config.integer("PORT").pipe(Config.withDefault(3000))

/** Prints where the server listens and, on the embedded identity provider, the curl lines to try. */
export const announce = (
  name: string,
  extra: ReadonlyArray<string> = []
): Effect.Effect<void, ConfigError.ConfigError> =>
  Effect.gen(function*() {
    const listen = yield* port
    const live = Option.isSome(yield* Config.option(Config.string("PK_AUTHDOG")))
    const base = `http://localhost:${listen}`
    const lines = [
      `${name} listening on ${base} (${
        live ? "Authdog from PK_AUTHDOG" : "embedded identity provider, token demo-token"
      })`
    ]
    if (!live) {
      lines.push(
        "Try:",
        `  curl -i ${base}/`,
        `  curl -i ${base}/me`,
        `  curl -i -H 'Authorization: Bearer demo-token' ${base}/me`,
        `  curl -i --cookie 'authdog-session=demo-token' ${base}/me`,
        `  curl -i '${base}/logout?redirect_uri=/goodbye'`,
        `  curl -i '${base}/logout?redirect_uri=//evil.com'`,
        ...extra.map((line) => `  ${line.replaceAll("{base}", base)}`)
      )
    }
    yield* Effect.sync(() => console.log(lines.join("\n")))
  })
