/**
 * Where a server's CPU time goes: `npm run bench:profile -- <server>`.
 *
 * Starts the loopback identity provider and one benchmark server under
 * `node --cpu-prof`, loads it as `npm run bench` does (warm-up, then the
 * measured window), stops it, and prints its CPU time per request split by
 * component (the binding, Effect's fiber runtime, the @effect/platform HTTP
 * server and client, undici, Node's HTTP internals, the garbage collector...),
 * from the samples' own frames (self time). Module loading and idle time are
 * left out. Figures include the profiler's own overhead: compare components and
 * servers of one machine, not with `npm run bench`.
 *
 * Servers: the names of `npm run bench` (effect-baseline, effect, effect-cache,
 * effect-raw, effect-nospans, express, fastify, node-http).
 * Env: BENCH_CONNECTIONS (10), BENCH_DURATION (10 s), BENCH_WARMUP (3 s), BENCH_TOKENS (100).
 */
import autocannon from "autocannon"
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { allServers, freePort, intEnv, sleep, spawnTs, stop } from "./harness.js"

const server = allServers.find((spec) => spec.name === process.argv[2])
if (server === undefined) {
  console.error(
    `usage: npm run bench:profile -- <server>, one of: ${allServers.map((spec) => spec.name).join(", ")}`
  )
  process.exit(2)
}
const name = server.name

const connections = intEnv("BENCH_CONNECTIONS", 10)
const duration = intEnv("BENCH_DURATION", 10)
const warmup = intEnv("BENCH_WARMUP", 3)
const tokens = intEnv("BENCH_TOKENS", 100)

const waitFor = async (url: string) => {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    try {
      await (await fetch(url)).text()
      return
    } catch {
      await sleep(100)
    }
  }
  throw new Error(`${url} did not answer within 60 s`)
}

const load = async (base: string, route: string, seconds: number): Promise<number> => {
  let n = 0
  const result = await autocannon({
    url: base,
    connections,
    duration: seconds,
    requests: [{
      method: "GET",
      path: route,
      setupRequest: (request) => ({
        ...request,
        headers: { ...request.headers, authorization: `Bearer tok-${n++ % tokens}` }
      })
    }]
  })
  return result.requests.total
}

// -- the profile, by component ------------------------------------------------

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string }
}
interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const component = ({ functionName, url }: ProfileNode["callFrame"]): string | undefined => {
  if (functionName === "(idle)") return undefined
  if (functionName === "(garbage collector)") return "garbage collector"
  if (url.includes("node:internal/modules") || functionName === "compileSourceTextModule") return undefined
  if (url === "") return functionName.startsWith("(") ? "V8 and other" : "native calls (socket writes, parsers...)"
  if (url.includes("/node_modules/")) {
    const pkg = url.slice(url.lastIndexOf("/node_modules/") + 14).split("/")
    const id = pkg[0]!.startsWith("@") ? `${pkg[0]}/${pkg[1]}` : pkg[0]!
    const file = pkg[pkg.length - 1] ?? ""
    if (id === "effect") return "effect (fiber runtime, data types)"
    if (id === "@effect/platform" || id === "@effect/platform-node") {
      if (/^httpClient|^HttpClient|UrlParams|NodeHttpClient/.test(file)) return "@effect/platform HTTP client"
      return "@effect/platform HTTP server, router, bodies, headers"
    }
    if (id === "undici") return "undici (the HTTP client's transport)"
    if (id === "tsx" || id === "esbuild" || id === "get-tsconfig") return undefined
    return id
  }
  if (url.startsWith("node:internal/deps/undici")) return "Node's fetch (bundled undici)"
  if (url.startsWith("node:")) return "Node core (http, net, streams, timers, events)"
  if (url.includes("/dist/") || url.includes("/src/")) return "@authdog/effect (this binding)"
  if (url.includes("/bench/")) return "the benchmark server's own code"
  return "other"
}

const breakdown = (profile: Profile, requests: number) => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const totals = new Map<string, number>()
  profile.samples.forEach((id, i) => {
    const key = component(byId.get(id)!.callFrame)
    if (key !== undefined) totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  const sum = [...totals.values()].reduce((a, b) => a + b, 0)
  const sorted = [...totals.entries()].sort((a, b) => b[1] - a[1])
  const small = sorted.filter(([, micros]) => micros / requests < 2)
  const rows = [
    ...sorted.filter(([, micros]) => micros / requests >= 2),
    ...(small.length === 0 ? [] : [
      [
        `${small.length} others under 2 µs each`,
        small.reduce((a, [, micros]) => a + micros, 0)
      ] as const
    ])
  ]
  return [
    `| component | CPU µs/request | share |`,
    `| --- | ---: | ---: |`,
    ...rows.map(([key, micros]) =>
      `| ${key} | ${(micros / requests).toFixed(0)} | ${((micros / sum) * 100).toFixed(0)}% |`
    ),
    `| **total** | **${(sum / requests).toFixed(0)}** | 100% |`
  ].join("\n")
}

// -- main -----------------------------------------------------------------------

const main = async () => {
  const profiles = mkdtempSync(path.join(os.tmpdir(), "authdog-profile-"))
  const idpPort = await freePort()
  const idp = spawnTs("idp.ts", { PORT: String(idpPort), BENCH_IDP_DELAY_MS: "0" }, { quiet: true })
  const idpUrl = `http://127.0.0.1:${idpPort}`
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  // The profile is written when the process exits, which a signal's default
  // action skips: the servers that do not handle SIGTERM get a handler.
  const child = spawnTs(server.file, { PORT: String(port), IDP_URL: idpUrl, ...server.env }, {
    quiet: true,
    flags: [
      "--cpu-prof",
      `--cpu-prof-dir=${profiles}`,
      "--import",
      "data:text/javascript,process.once(\"SIGTERM\",()=>setTimeout(()=>process.exit(0),2000))"
    ]
  })
  try {
    await waitFor(`${idpUrl}/__count`)
    await waitFor(`${base}/public`)
    const requests = (warmup > 0 ? await load(base, server.path, warmup) : 0) +
      await load(base, server.path, duration)
    await stop(child)
    const file = readdirSync(profiles)
      .filter((f) => f.endsWith(".cpuprofile"))
      .map((f) => path.join(profiles, f))
      .sort((a, b) => statSync(b).size - statSync(a).size)[0]
    if (file === undefined) throw new Error("the server wrote no CPU profile")
    const profile = JSON.parse(readFileSync(file, "utf8")) as Profile
    console.log(
      `${name} (GET ${server.path}): ${requests} requests (${warmup} s warm-up + ${duration} s, ` +
        `${connections} connections), CPU self time by component, profiler on:\n`
    )
    console.log(breakdown(profile, requests))
  } finally {
    await stop(child)
    await stop(idp)
    rmSync(profiles, { recursive: true, force: true })
  }
}

await main()
