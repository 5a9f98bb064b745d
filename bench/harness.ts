/**
 * What `npm run bench` and `npm run bench:profile` share: the servers, and
 * starting, stopping and configuring their processes.
 */
import type { ChildProcess } from "node:child_process"
import { spawn } from "node:child_process"
import { createServer } from "node:net"
import path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, "..")

/** A non-negative number from the environment, or `fallback`. */
export const intEnv = (name: string, fallback: number): number => {
  const raw = process.env[name]
  if (raw === undefined || raw === "") return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`)
  return value
}

/** A benchmark server: a file under bench/servers, the route it is loaded on, its environment. */
export interface ServerSpec {
  readonly name: string
  readonly description: string
  readonly file: string
  readonly path: "/public" | "/me"
  readonly env?: Record<string, string>
}

export const allServers: ReadonlyArray<ServerSpec> = [
  {
    name: "effect-baseline",
    description: "@authdog/effect app (HttpRouter + NodeHttpServer), route without auth",
    file: "servers/effect.ts",
    path: "/public",
    env: { BENCH_MODE: "baseline" }
  },
  {
    name: "effect",
    description: "@authdog/effect `requireAuth`, no cache (NodeHttpClient.layerUndici)",
    file: "servers/effect.ts",
    path: "/me",
    env: { BENCH_MODE: "auth" }
  },
  {
    name: "effect-cache",
    description: "@authdog/effect `requireAuth`, cache on (ttl 5 min, capacity 1000)",
    file: "servers/effect.ts",
    path: "/me",
    env: { BENCH_MODE: "cache" }
  },
  {
    name: "effect-raw",
    description: "no @authdog/effect: an Effect route calling the identity provider through the same HttpClient " +
      "(what the Effect server and client cost without the binding; not one of the six)",
    file: "servers/effect.ts",
    path: "/me",
    env: { BENCH_MODE: "raw" }
  },
  {
    name: "effect-nospans",
    description: "@authdog/effect `requireAuth`, no cache, with the HTTP server's own span per request turned off " +
      "(`HttpMiddleware.withTracerDisabledWhen`; what the default server span costs; not one of the six)",
    file: "servers/effect.ts",
    path: "/me",
    env: { BENCH_MODE: "auth", BENCH_SERVER_SPANS: "off" }
  },
  {
    name: "express",
    description: "Express 5 + @authdog/node-commons middleware on every request (as @authdog/express)",
    file: "servers/express.ts",
    path: "/me"
  },
  {
    name: "fastify",
    description: "Fastify 5 + @authdog/node-commons onRequest hook (as @authdog/fastify)",
    file: "servers/fastify.ts",
    path: "/me"
  },
  {
    name: "node-http",
    description: "plain node:http + @authdog/node-commons (practical limit)",
    file: "servers/node-http.ts",
    path: "/me"
  }
]

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer()
    probe.unref()
    probe.on("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      probe.close(() => resolve(port))
    })
  })

/** Runs a file of bench/ with tsx and `NODE_ENV=production`; `flags` go to node. */
export const spawnTs = (
  file: string,
  env: Record<string, string>,
  options: { readonly ipc?: boolean; readonly flags?: ReadonlyArray<string>; readonly quiet?: boolean } = {}
): ChildProcess =>
  spawn(process.execPath, [...(options.flags ?? []), "--import", "tsx", path.join(here, file)], {
    cwd: root,
    env: { ...process.env, NODE_ENV: "production", ...env },
    stdio: [
      "ignore",
      options.quiet === true ? "ignore" : "inherit",
      "inherit",
      ...(options.ipc === true ? ["ipc" as const] : [])
    ]
  })

export const stop = async (child: ChildProcess) => {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  child.kill("SIGTERM")
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000)
  await exited
  clearTimeout(timer)
}
