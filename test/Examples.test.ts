import { assert, layer, type Vitest } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import * as Net from "node:net"
import { fileURLToPath } from "node:url"
import { get, rawHeader } from "./support/app.js"

/**
 * Each example, started the way `npm start` / `npm run example:*` start it
 * (tsx, `PORT`, no `PK_AUTHDOG`: the embedded identity provider), checked
 * over real HTTP.
 */
class Example extends Context.Tag("test/Example")<Example, { readonly base: string }>() {}

const root = fileURLToPath(new URL("..", import.meta.url))
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")

const freePort = Effect.async<number>((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as Net.AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})

const waitForListening = (child: ChildProcess, file: string) =>
  Effect.async<void, Error>((resume) => {
    let output = ""
    const timer = setTimeout(() => resume(Effect.fail(new Error(`${file} did not start:\n${output}`))), 25_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf-8")
      if (output.includes(" listening on ")) {
        clearTimeout(timer)
        resume(Effect.void)
      }
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf-8")))
    child.once("exit", (code) => {
      clearTimeout(timer)
      resume(Effect.fail(new Error(`${file} exited with ${code}:\n${output}`)))
    })
  })

const stop = (child: ChildProcess) =>
  Effect.async<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000)
    child.once("exit", () => {
      clearTimeout(timer)
      resume(Effect.void)
    })
    child.kill("SIGTERM")
  })

const ExampleLive = (file: string): Layer.Layer<Example, Error> =>
  Layer.scoped(
    Example,
    Effect.gen(function*() {
      const port = yield* freePort
      const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) }
      delete env.PK_AUTHDOG
      const child = yield* Effect.acquireRelease(
        Effect.sync(() =>
          spawn(process.execPath, ["--import", "tsx", `examples/${file}`], {
            cwd: root,
            env,
            stdio: ["ignore", "pipe", "pipe"]
          })
        ),
        stop
      )
      yield* waitForListening(child, file)
      return { base: `http://127.0.0.1:${port}` }
    })
  )

const unauthorizedBody = "{\"error\":\"Unauthorized\"}"
const expiredCookie = "authdog-session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax"
const demoUser = {
  id: "demo-user",
  displayName: "Demo User",
  userName: "demo",
  emails: [{ id: "demo-email", value: "demo@example.com", type: "work" }]
}

const wireChecks = (it: Vitest.MethodsNonLive<Example, true>) => {
  it.effect("/me without a token: 401, exact body, application/json", () =>
    Effect.gen(function*() {
      const { base } = yield* Example
      const response = yield* get(`${base}/me`)
      assert.strictEqual(response.status, 401)
      assert.strictEqual(response.body, unauthorizedBody)
      assert.deepStrictEqual(rawHeader(response, "content-type"), ["application/json"])
    }))

  it.effect("demo-token by Bearer and by cookie", () =>
    Effect.gen(function*() {
      const { base } = yield* Example
      for (const headers of [{ authorization: "Bearer demo-token" }, { cookie: "authdog-session=demo-token" }]) {
        const response = yield* get(`${base}/me`, headers)
        assert.strictEqual(response.status, 200)
        assert.deepStrictEqual(JSON.parse(response.body), demoUser)
        const home = yield* get(`${base}/`, headers)
        assert.deepStrictEqual(JSON.parse(home.body), { signedIn: true, user: "Demo User" })
      }
      const anonymous = yield* get(`${base}/`)
      assert.strictEqual(anonymous.status, 200)
      assert.deepStrictEqual(JSON.parse(anonymous.body), { signedIn: false, user: null })
    }))

  it.effect("Bearer first: Basic plus the cookie authenticates, a bad Bearer plus the cookie does not", () =>
    Effect.gen(function*() {
      const { base } = yield* Example
      const basic = yield* get(`${base}/me`, {
        authorization: "Basic dXNlcjpwdw==",
        cookie: "authdog-session=demo-token"
      })
      assert.strictEqual(basic.status, 200)
      const bad = yield* get(`${base}/me`, { authorization: "Bearer wrong", cookie: "authdog-session=demo-token" })
      assert.strictEqual(bad.status, 401)
      assert.strictEqual(bad.body, unauthorizedBody)
    }))

  it.effect("logout: 302, the exact expired cookie, sanitized redirects", () =>
    Effect.gen(function*() {
      const { base } = yield* Example
      const kept = yield* get(`${base}/logout?redirect_uri=/goodbye`, { cookie: "authdog-session=demo-token" })
      assert.strictEqual(kept.status, 302)
      assert.deepStrictEqual(rawHeader(kept, "location"), ["/goodbye"])
      assert.deepStrictEqual(rawHeader(kept, "set-cookie"), [expiredCookie])
      assert.deepStrictEqual(rawHeader(kept, "cache-control"), ["no-store"])
      for (const target of ["//evil.com", "https://evil.com/x", "/\\evil.com", "javascript:alert(1)"]) {
        const refused = yield* get(`${base}/logout?redirect_uri=${encodeURIComponent(target)}`)
        assert.strictEqual(refused.status, 302, target)
        assert.deepStrictEqual(rawHeader(refused, "location"), ["/"], target)
        assert.deepStrictEqual(rawHeader(refused, "set-cookie"), [expiredCookie], target)
      }
      const repeated = yield* get(`${base}/logout?redirect_uri=/a&redirect_uri=/b`)
      assert.deepStrictEqual(rawHeader(repeated, "location"), ["/"])
    }))
}

layer(ExampleLive("server.ts"), { excludeTestServices: true })("example: HttpRouter (npm start)", (it) => {
  wireChecks(it)
  it.effect("serves the body the README's quickstart shows, byte for byte", () =>
    Effect.gen(function*() {
      const { base } = yield* Example
      const response = yield* get(`${base}/me`, { authorization: "Bearer demo-token" })
      assert.include(readme, `\n${response.body}\n`)
    }))
})

layer(ExampleLive("layer-router.ts"), { excludeTestServices: true })(
  "example: HttpLayerRouter (npm run example:layer)",
  wireChecks
)

layer(ExampleLive("http-api.ts"), { excludeTestServices: true })("example: HttpApi (npm run example:api)", (it) => {
  wireChecks(it)

  it.effect("/openapi.json documents the schemes, the protected operation and its 401", () =>
    Effect.gen(function*() {
      const { base } = yield* Example
      const response = yield* get(`${base}/openapi.json`)
      assert.strictEqual(response.status, 200)
      const spec = JSON.parse(response.body)
      assert.deepStrictEqual(spec.components.securitySchemes, {
        bearer: { type: "http", scheme: "bearer" },
        cookie: { type: "apiKey", name: "authdog-session", in: "cookie" }
      })
      const me = spec.paths["/me"].get
      assert.deepStrictEqual(me.security, [{ bearer: [] }, { cookie: [] }])
      const { description: _, ...schema } = me.responses["401"].content["application/json"].schema
      assert.deepStrictEqual(schema, {
        type: "object",
        required: ["error"],
        properties: { error: { type: "string", enum: ["Unauthorized"] } },
        additionalProperties: false
      })
      assert.deepStrictEqual(spec.paths["/"].get.security, [])
      assert.deepStrictEqual(spec.paths["/logout"].get.security, [])
      assert.isUndefined(spec.paths["/"].get.responses["401"])
    }))

  it.effect("/docs is an HTML page", () =>
    Effect.gen(function*() {
      const { base } = yield* Example
      const response = yield* get(`${base}/docs`)
      assert.strictEqual(response.status, 200)
      assert.match(String(response.headers["content-type"]), /^text\/html/)
      assert.include(response.body, "<html")
    }))
})
