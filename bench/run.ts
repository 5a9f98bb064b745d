/**
 * Benchmark runner: `npm run bench` (= `tsx bench/run.ts`).
 *
 * 1. starts the loopback identity provider (bench/idp.ts) as a child process;
 * 2. for each server in turn: spawns it as a child process (PORT, IDP_URL), checks
 *    its wire behaviour once, warms it up, resets the identity-provider counters,
 *    loads it with autocannon (in this process), reads the counters, kills it;
 * 3. prints the table and writes BENCHMARKS.md at the repository root.
 *
 * Env: BENCH_CONNECTIONS (10), BENCH_DURATION (10 s), BENCH_WARMUP (2 s),
 *      BENCH_IDP_DELAY_MS (0), BENCH_TOKENS (working set, 100),
 *      BENCH_SERVERS (comma list of server names, default all), BENCH_OUTPUT (BENCHMARKS.md path),
 *      BENCH_ROUNDS (3: every server is measured once per round, rounds interleaved; the row
 *      reported is the round with the median req/s, and all rounds are listed),
 *      BENCH_IDLE_WAIT (longest wait, in seconds, for other processes to go quiet before each
 *      measured window; 60, 0 disables).
 */
import autocannon from "autocannon"
import type { ChildProcess } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { allServers, freePort, intEnv, type ServerSpec, sleep, spawnTs, stop } from "./harness.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, "..")

const settings = {
  connections: intEnv("BENCH_CONNECTIONS", 10),
  duration: intEnv("BENCH_DURATION", 10),
  warmup: intEnv("BENCH_WARMUP", 2),
  delayMs: intEnv("BENCH_IDP_DELAY_MS", 0),
  tokens: intEnv("BENCH_TOKENS", 100),
  idleWait: intEnv("BENCH_IDLE_WAIT", 60),
  rounds: Math.max(1, intEnv("BENCH_ROUNDS", 3))
}

const selected = (process.env.BENCH_SERVERS ?? "").split(",").map((s) => s.trim()).filter(Boolean)
const servers = selected.length === 0 ? allServers : allServers.filter((s) => selected.includes(s.name))
if (servers.length === 0) throw new Error(`BENCH_SERVERS matched no server: ${selected.join(",")}`)

// ---------------------------------------------------------------------------
// processes

const children = new Set<ChildProcess>()
const cleanup = () => {
  for (const child of children) child.kill("SIGKILL")
}
process.on("exit", cleanup)
process.on("SIGINT", () => {
  cleanup()
  process.exit(130)
})

/** CPU time (user + system, ms) of a process, from /proc (Linux only; null elsewhere). */
const cpuMs = (pid: number | undefined): number | null => {
  if (pid === undefined) return null
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    // fields[0] is field 3 (state); utime is field 14, stime field 15
    const ticks = Number(fields[11]) + Number(fields[12])
    return (ticks * 1000) / 100
  } catch {
    return null
  }
}

/** Busy CPU time (ms) of the whole machine, all cores, from /proc/stat (Linux only; null elsewhere). */
const machineBusyMs = (): number | null => {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? ""
    const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number)
    const ticks = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)
    return (ticks * 1000) / 100
  } catch {
    return null
  }
}

const selfCpuMs = () => {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}

// ---------------------------------------------------------------------------
// identity provider

interface IdpCount {
  readonly calls: number
  readonly distinctTokens: number
  readonly unauthorized: number
  readonly environments: ReadonlyArray<string>
}

const startIdp = async () => {
  const child = spawnTs("idp.ts", { PORT: "0", BENCH_IDP_DELAY_MS: String(settings.delayMs) }, { ipc: true })
  children.add(child)
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("identity provider did not start within 30 s")), 30_000)
    child.once("message", (message: { port: number }) => {
      clearTimeout(timer)
      resolve(message.port)
    })
    child.once("exit", (code) => reject(new Error(`identity provider exited with code ${code}`)))
  })
  const url = `http://127.0.0.1:${port}`
  return {
    child,
    url,
    count: async (): Promise<IdpCount> => (await fetch(`${url}/__count`)).json() as Promise<IdpCount>,
    reset: async () => {
      await (await fetch(`${url}/__reset`, { method: "POST" })).text()
    }
  }
}

type Idp = Awaited<ReturnType<typeof startIdp>>

// ---------------------------------------------------------------------------
// wire checks (once per server, before load)

const expect = (cond: boolean, message: string) => {
  if (!cond) throw new Error(message)
}

const checkWire = async (base: string, spec: ServerSpec) => {
  const pub = await fetch(`${base}/public`)
  const pubBody = await pub.text()
  expect(pub.status === 200 && JSON.parse(pubBody).ok === true, `GET /public: ${pub.status} ${pubBody}`)
  if (spec.path === "/public") return
  const anon = await fetch(`${base}/me`)
  const anonBody = await anon.text()
  expect(
    anon.status === 401 && anonBody === "{\"error\":\"Unauthorized\"}",
    `GET /me without token: ${anon.status} ${anonBody}`
  )
  const bad = await fetch(`${base}/me`, { headers: { authorization: "Bearer nope" } })
  const badBody = await bad.text()
  expect(bad.status === 401, `GET /me with a rejected token: ${bad.status} ${badBody}`)
  const ok = await fetch(`${base}/me`, { headers: { authorization: "Bearer tok-7" } })
  const okBody = await ok.text()
  expect(ok.status === 200 && JSON.parse(okBody).id === "u-tok-7", `GET /me with tok-7: ${ok.status} ${okBody}`)
}

const waitReady = async (base: string, child: ChildProcess) => {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`)
    try {
      const res = await fetch(`${base}/public`)
      await res.text()
      if (res.status === 200) return
    } catch {
      // not listening yet
    }
    await sleep(100)
  }
  throw new Error("server did not answer GET /public within 60 s")
}

// ---------------------------------------------------------------------------
// load

const load = (base: string, route: string, duration: number) => {
  let n = 0
  const tokens = settings.tokens
  const options: autocannon.Options = {
    url: base,
    connections: settings.connections,
    duration,
    timeout: 10,
    requests: [
      route !== "/public"
        ? {
          method: "GET",
          path: route,
          // rebuilt for every request: a global round-robin over tok-0 .. tok-(N-1)
          setupRequest: (request) => ({
            ...request,
            headers: { ...request.headers, authorization: `Bearer tok-${n++ % tokens}` }
          })
        }
        : { method: "GET", path: route }
    ]
  }
  return autocannon(options)
}

interface Row {
  readonly spec: ServerSpec
  readonly error?: string
  readonly rps?: number
  readonly total?: number
  readonly p50?: number
  readonly p99?: number
  readonly non2xx?: number
  readonly socketErrors?: number
  readonly timeouts?: number
  readonly idpCalls?: number
  readonly distinctTokens?: number
  readonly warmupDistinctTokens?: number
  readonly serverCpu?: number | null
  readonly idpCpu?: number | null
  readonly loaderCpu?: number
  readonly otherCpu?: number | null
  /** Server CPU time per request, in microseconds: robust to a slower or faster machine. */
  readonly cpuPerRequest?: number | null
  /** req/s of every round, in round order. */
  readonly rounds?: ReadonlyArray<number>
}

/**
 * Waits (up to BENCH_IDLE_WAIT seconds) until processes other than ours use less
 * than 15% of a core over one second, so a row is not measured while, say, a test
 * suite runs next to it. Returns the last share of a core seen.
 */
const waitIdle = async (idp: Idp): Promise<number | null> => {
  const deadline = Date.now() + settings.idleWait * 1000
  let announced = false
  for (;;) {
    const m0 = machineBusyMs()
    const i0 = cpuMs(idp.child.pid)
    const s0 = selfCpuMs()
    const t0 = Date.now()
    await sleep(1000)
    const m1 = machineBusyMs()
    const i1 = cpuMs(idp.child.pid)
    if (m0 === null || m1 === null || i0 === null || i1 === null) return null
    const other = Math.max(0, (m1 - m0) - (i1 - i0) - (selfCpuMs() - s0)) / (Date.now() - t0)
    if (other < 0.15) return other
    if (Date.now() >= deadline) {
      console.log(`   machine still busy (${pct(other)} of a core used by other processes); measuring anyway`)
      return other
    }
    if (!announced) {
      console.log(`   waiting for the machine to be idle (${pct(other)} of a core used by other processes)`)
      announced = true
    }
  }
}

const measure = async (spec: ServerSpec, idp: Idp): Promise<Row> => {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const child = spawnTs(spec.file, { PORT: String(port), IDP_URL: idp.url, ...spec.env })
  children.add(child)
  try {
    await waitReady(base, child)
    await checkWire(base, spec)
    if (settings.warmup > 0) await load(base, spec.path, settings.warmup)
    await sleep(300) // let in-flight warm-up requests (and their userinfo calls) drain
    if (settings.idleWait > 0) await waitIdle(idp)
    const warm = await idp.count()
    await idp.reset()
    const snapshot = () => ({
      server: cpuMs(child.pid),
      idp: cpuMs(idp.child.pid),
      self: selfCpuMs(),
      machine: machineBusyMs(),
      at: Date.now()
    })
    const cpu0 = snapshot()
    const result = await load(base, spec.path, settings.duration)
    const cpu1 = snapshot()
    await sleep(300)
    const count = await idp.count()
    const wall = cpu1.at - cpu0.at
    const share = (a: number | null, b: number | null) => (a === null || b === null ? null : (b - a) / wall)
    const total = result.requests.total
    return {
      spec,
      rps: result.requests.average,
      total,
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      socketErrors: result.errors - result.timeouts,
      timeouts: result.timeouts,
      idpCalls: total > 0 ? count.calls / total : 0,
      distinctTokens: count.distinctTokens,
      warmupDistinctTokens: warm.distinctTokens,
      serverCpu: share(cpu0.server, cpu1.server),
      cpuPerRequest: cpu0.server === null || cpu1.server === null || total === 0
        ? null
        : ((cpu1.server - cpu0.server) * 1000) / total,
      idpCpu: share(cpu0.idp, cpu1.idp),
      loaderCpu: (cpu1.self - cpu0.self) / wall,
      otherCpu: cpu0.machine === null || cpu1.machine === null || cpu0.server === null || cpu1.server === null ||
          cpu0.idp === null || cpu1.idp === null
        ? null
        : Math.max(
          0,
          ((cpu1.machine - cpu0.machine) - (cpu1.server - cpu0.server) - (cpu1.idp - cpu0.idp) -
            (cpu1.self - cpu0.self)) / wall
        )
    }
  } catch (error) {
    return { spec, error: error instanceof Error ? error.message : String(error) }
  } finally {
    await stop(child)
    children.delete(child)
  }
}

// ---------------------------------------------------------------------------
// report

const fmt = (value: number | undefined | null, digits = 0) =>
  value === undefined || value === null ? "-" : value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits
  })

const pct = (
  value: number | undefined | null
) => (value === undefined || value === null ? "-" : `${Math.round(value * 100)}%`)

const table = (rows: ReadonlyArray<Row>) => {
  const find = (name: string) => rows.find((r) => r.spec.name === name && r.rps !== undefined)
  const express = find("express")
  const baseline = find("effect-baseline")
  // The median of the per-round ratios: both rows of a round ran minutes apart
  // at most, so a slow spell of the machine cancels out.
  const ratio = (row: Row, ref: Row | undefined) => {
    if (row.rps === undefined || ref?.rps === undefined || ref.rps === 0) return "-"
    const a = row.rounds ?? []
    const b = ref.rounds ?? []
    if (a.length === 0 || a.length !== b.length) return `${(row.rps / ref.rps).toFixed(2)}x`
    const ratios = a.map((rps, i) => rps / b[i]!).sort((x, y) => x - y)
    return `${ratios[Math.floor((ratios.length - 1) / 2)]!.toFixed(2)}x`
  }
  const header = [
    "server",
    "route",
    "req/s (mean)",
    "p50 ms",
    "p99 ms",
    "requests",
    "errors",
    "IdP calls/req",
    "distinct tokens (warm-up / measured)",
    "vs express",
    "vs baseline",
    "server CPU µs/req",
    "CPU server / IdP / autocannon / other",
    "req/s of each round"
  ]
  const lines = rows.map((r) => {
    if (r.error !== undefined) {
      return [
        r.spec.name,
        r.spec.path,
        `FAILED: ${r.error.replace(/\|/g, "\\|").slice(0, 200)}`,
        ...Array(11).fill("-")
      ]
    }
    const errors = (r.non2xx ?? 0) + (r.socketErrors ?? 0) + (r.timeouts ?? 0)
    const errorText = errors === 0
      ? "0"
      : `${errors} (non-2xx ${r.non2xx}, socket ${r.socketErrors}, timeouts ${r.timeouts})`
    return [
      r.spec.name,
      r.spec.path,
      fmt(r.rps),
      fmt(r.p50),
      fmt(r.p99),
      fmt(r.total),
      errorText,
      fmt(r.idpCalls, 3),
      r.spec.path === "/me" ? `${r.warmupDistinctTokens} / ${r.distinctTokens}` : "-",
      ratio(r, express),
      ratio(r, baseline),
      fmt(r.cpuPerRequest),
      `${pct(r.serverCpu)} / ${pct(r.idpCpu)} / ${pct(r.loaderCpu)} / ${pct(r.otherCpu)}`,
      (r.rounds ?? []).map((rps) => fmt(rps)).join(" / ")
    ]
  })
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i < 2 ? " --- " : " ---: ")).join("|")}|`,
    ...lines.map((cells) => `| ${cells.join(" | ")} |`)
  ].join("\n")
}

const machine = () => {
  const cpus = os.cpus()
  return {
    os: `${os.type()} ${os.release()} (${os.platform()}/${os.arch()})`,
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: os.availableParallelism(),
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version
  }
}

const command = () => {
  const vars = [
    "BENCH_CONNECTIONS",
    "BENCH_DURATION",
    "BENCH_WARMUP",
    "BENCH_IDP_DELAY_MS",
    "BENCH_TOKENS",
    "BENCH_SERVERS",
    "BENCH_ROUNDS",
    "BENCH_IDLE_WAIT"
  ]
    .filter((name) => process.env[name] !== undefined && process.env[name] !== "")
    .map((name) => `${name}=${process.env[name]}`)
  return [...vars, "npm run bench"].join(" ")
}

/** Things in the results worth a reader's attention, derived from the rows. */
const observations = (rows: ReadonlyArray<Row>): Array<string> => {
  const notes: Array<string> = []
  for (const r of rows) {
    if (r.error !== undefined) notes.push(`**${r.spec.name}** did not run: ${r.error}`)
    else if (r.spec.path === "/me" && r.warmupDistinctTokens !== settings.tokens) {
      notes.push(
        `**${r.spec.name}**: during warm-up the identity provider saw ${r.warmupDistinctTokens} distinct tokens, ` +
          `not ${settings.tokens}.`
      )
    } else if (r.spec.path === "/me" && r.spec.name !== "effect-cache" && r.distinctTokens !== settings.tokens) {
      notes.push(
        `**${r.spec.name}**: the identity provider saw ${r.distinctTokens} distinct tokens, not ${settings.tokens}.`
      )
    }
  }
  const busy = rows.filter((r) => r.otherCpu !== undefined && r.otherCpu !== null && r.otherCpu > 0.15)
  if (busy.length > 0) {
    notes.push(
      `Other processes used CPU during the measured window of ${
        busy.map((r) => `**${r.spec.name}** (${pct(r.otherCpu)} of a core)`).join(", ")
      }: those rows are disturbed; re-run on an idle machine.`
    )
  }
  const cache = rows.find((r) => r.spec.name === "effect-cache")
  if (cache?.idpCalls !== undefined && cache.idpCalls > 0.5) {
    notes.push(
      `**effect-cache** made ${cache.idpCalls.toFixed(3)} identity-provider calls per request: the \`cache\` option ` +
        "was passed but did not take effect (not supported by the library at this commit?), so this row measures " +
        "the uncached path."
    )
  }
  return notes
}

const loadAtStart = os.loadavg()

const markdown = (rows: ReadonlyArray<Row>, started: Date) => {
  const m = machine()
  const notes = observations(rows)
  return `# Benchmarks

Generated by \`bench/run.ts\`. Numbers from one run on one machine: compare rows with each other,
not with numbers from elsewhere.

- Command: \`${command()}\`
- Date: ${started.toISOString()}
- Machine: ${m.os}; CPU ${m.cpu}, ${m.cores} cores; ${m.memory} RAM; Node ${m.node}; load average at start ${
    loadAtStart.map((l) => l.toFixed(2)).join(", ")
  }
- Settings: ${settings.rounds} rounds; ${settings.connections} connections, ${settings.duration} s measured after a ${settings.warmup} s warm-up,
  identity-provider delay ${settings.delayMs} ms, working set of ${settings.tokens} tokens (\`tok-0\` .. \`tok-${
    settings.tokens - 1
  }\`)

${table(rows)}

Servers:

${
    rows.map((r) => `- **${r.spec.name}** (\`bench/${r.spec.file}\`, \`GET ${r.spec.path}\`): ${r.spec.description}`)
      .join("\n")
  }
${notes.length === 0 ? "" : `\nNotes on this run:\n\n${notes.map((n) => `- ${n}`).join("\n")}\n`}
## Method

- A loopback identity provider (\`bench/idp.ts\`, \`node:http\` on 127.0.0.1, its own process) answers
  \`GET /oidc/{env}/userinfo\` for any \`Bearer tok-<digits>\` with the Authdog userinfo envelope
  (HTTP 200, \`meta.code\` 200), after the fixed delay above; other tokens get HTTP 200 with
  \`{"meta":{"code":401,"message":"Unauthorized"}}\`. It counts calls and distinct tokens. It is warmed up
  once (autocannon straight at it) before the first server.
- Every server is configured with the same public key, naming \`https://id.authdog.com\`; each server's outbound
  client rewrites that origin to the loopback provider at the URL level (node-commons servers: a wrapper around
  \`globalThis.fetch\`; Effect servers: \`HttpClient.mapRequest(HttpClientRequest.setUrl(...))\` over
  \`NodeHttpClient.layerUndici\`), so the libraries' https and allowlist checks stay on.
- Rounds: every server is measured once per round (${settings.rounds} rounds here), the rounds interleaved so that a
  slow spell of the machine hits every server alike; each row is the round with the median req/s, and the last
  column lists every round. "vs express" and "vs baseline" are the median of the per-round ratios (each round's
  req/s over the reference's req/s in the same round). "server CPU µs/req" is the server process's CPU time over the measured window divided
  by completed requests: it moves less than req/s when the machine itself speeds up or slows down.
- Servers run one at a time, each in its own child process (\`node --import tsx\`, \`NODE_ENV=production\`);
  autocannon runs in the parent process. Before load, each server is checked once on the wire
  (\`/public\` 200, \`/me\` 401 \`{"error":"Unauthorized"}\` without or with a rejected token, 200 with a good one).
- Protected routes get \`authorization: Bearer tok-N\`, N a global round-robin over the working set, rebuilt
  for every request (autocannon \`setupRequest\`). The "distinct tokens" column is what the identity provider
  saw during warm-up and during the measured window; it equals the working set when the header really varies
  (with the cache on, the warm-up fills the cache, so the measured window can see none).
- Warm-up traffic is not counted: after warm-up the runner waits 300 ms (and for an idle machine, below), reads
  the provider's counters (the warm-up column of "distinct tokens") and resets them.
  "IdP calls/req" is the provider's call count over the measured window divided by completed requests
  (requests still in flight when autocannon stops can add at most one call per connection).
- "errors" is non-2xx responses + socket errors + timeouts (10 s). "req/s" is autocannon's mean of per-second
  samples; latencies are autocannon's p50 / p99, at its 1 ms histogram resolution. "vs express" /
  "vs baseline" compare with the express row / the effect-baseline row, round by round (see Rounds).
- CPU column: CPU time of the server process, the identity provider, the autocannon (parent) process and
  everything else on the machine ("other", from \`/proc/stat\`) during the measured window, as a share of one
  core (Linux \`/proc\`). "other" well above a few percent means something else was running and the row is
  disturbed. Before each measured window the runner waits (up to \`BENCH_IDLE_WAIT\` seconds, default 60) for
  other processes to use less than 15% of a core; the 1-minute load average is printed before each server
  starts. On a 2-core machine the server, the provider and autocannon compete for the CPU, so absolute numbers
  understate what the servers would do alone; the comparison between rows is the point.
`
}

/** The round with the median req/s (a failed round wins, so failures are never hidden). */
const median = (rounds: ReadonlyArray<Row>): Row => {
  const failed = rounds.find((row) => row.error !== undefined)
  if (failed !== undefined) return failed
  const sorted = [...rounds].sort((a, b) => (a.rps ?? 0) - (b.rps ?? 0))
  return { ...sorted[Math.floor((sorted.length - 1) / 2)]!, rounds: rounds.map((row) => row.rps ?? 0) }
}

// ---------------------------------------------------------------------------
// main

const main = async () => {
  const started = new Date()
  console.log(
    `bench: ${settings.connections} connections, ${settings.duration} s (+${settings.warmup} s warm-up), ` +
      `IdP delay ${settings.delayMs} ms, ${settings.tokens} tokens`
  )
  const idp = await startIdp()
  console.log(`identity provider on ${idp.url}`)
  if (settings.warmup > 0) {
    // warm the provider itself (JIT), so the first server measured does not pay for it
    await load(idp.url, "/oidc/bench/userinfo", settings.warmup)
    await sleep(300)
    await idp.reset()
  }
  const all: Array<Row> = []
  try {
    for (let round = 1; round <= settings.rounds; round++) {
      for (const spec of servers) {
        console.log(
          `\n== round ${round}/${settings.rounds}: ${spec.name} (GET ${spec.path}); load average ${
            os.loadavg()[0]?.toFixed(2)
          }`
        )
        const row = await measure(spec, idp)
        if (row.error !== undefined) console.log(`   FAILED: ${row.error}`)
        else {
          console.log(
            `   ${fmt(row.rps)} req/s, p50 ${fmt(row.p50)} ms, p99 ${fmt(row.p99)} ms, ` +
              `non-2xx ${row.non2xx}, socket errors ${row.socketErrors}, timeouts ${row.timeouts}, ` +
              `IdP calls/req ${
                fmt(row.idpCalls, 3)
              }, distinct tokens ${row.warmupDistinctTokens} / ${row.distinctTokens}`
          )
        }
        all.push(row)
      }
    }
  } finally {
    await stop(idp.child)
    children.delete(idp.child)
  }
  const rows = servers.map((spec) => median(all.filter((row) => row.spec.name === spec.name)))
  console.log("\n" + table(rows))
  for (const note of observations(rows)) console.log(`note: ${note.replace(/\*\*/g, "")}`)
  const output = process.env.BENCH_OUTPUT ?? path.join(root, "BENCHMARKS.md")
  writeFileSync(output, markdown(rows, started))
  console.log(`\nwrote ${output}`)
  if (rows.some((r) => r.error !== undefined)) process.exitCode = 1
}

await main()
