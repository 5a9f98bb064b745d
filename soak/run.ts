/**
 * `npm run soak`: the example app under load on the embedded identity
 * provider. 100 000 requests over 200 keep-alive connections, every one with
 * its own token (Bearer or cookie), every answer checked against its own
 * token's user; the server's resident memory is sampled after a warm-up and at
 * the end. Prints one summary line; exits 1 on any error, any mismatch, or
 * memory growth over 20%.
 *
 * SOAK_REQUESTS and SOAK_CONNECTIONS change the load.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import * as Http from "node:http"

const total = Number(process.env.SOAK_REQUESTS ?? 100_000)
const connections = Number(process.env.SOAK_CONNECTIONS ?? 200)
const warmup = Math.min(5_000, Math.floor(total / 10))

const start = (): Promise<{ child: ChildProcess; port: number }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", new URL("./server.ts", import.meta.url).pathname], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    let output = ""
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString()
      const match = /ready (\d+)/.exec(output)
      if (match) resolve({ child, port: Number(match[1]) })
    })
    child.once("exit", (code) => reject(new Error(`soak server exited early (${code})`)))
  })

const rssMiB = (pid: number): number => {
  const status = readFileSync(`/proc/${pid}/status`, "utf-8")
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024
}

interface Result {
  readonly status: number
  readonly body: string
}

const request = (agent: Http.Agent, port: number, headers: Record<string, string>): Promise<Result> =>
  new Promise((resolve, reject) => {
    const req = Http.get({ host: "127.0.0.1", port, path: "/me", agent, headers }, (res) => {
      let body = ""
      res.setEncoding("utf-8")
      res.on("data", (chunk: string) => (body += chunk))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.setTimeout(10_000, () => req.destroy(new Error("timeout")))
    req.on("error", reject)
  })

const main = async () => {
  const { child, port } = await start()
  const agent = new Http.Agent({ keepAlive: true, maxSockets: connections })
  let sent = 0
  let errors = 0
  let mismatches = 0
  let before = 0
  const began = Date.now()

  const worker = async (w: number) => {
    for (;;) {
      const n = sent++
      if (n >= total) return
      if (n === warmup) before = rssMiB(child.pid!)
      const token = `soak-${w}-${n}`
      // Every tenth request carries the token as a cookie, every fiftieth none.
      const anonymous = n % 50 === 49
      const headers: Record<string, string> = anonymous
        ? {}
        : n % 10 === 0
        ? { cookie: `authdog-session=${token}` }
        : { authorization: `Bearer ${token}` }
      try {
        const result = await request(agent, port, headers)
        if (anonymous) {
          if (result.status !== 401 || result.body !== "{\"error\":\"Unauthorized\"}") mismatches++
        } else if (result.status !== 200) {
          errors++
        } else if (JSON.parse(result.body).id !== `u-${w}-${n}`) {
          mismatches++
        }
      } catch {
        errors++
      }
    }
  }

  await Promise.all(Array.from({ length: connections }, (_, w) => worker(w)))
  const seconds = (Date.now() - began) / 1000
  const after = rssMiB(child.pid!)
  agent.destroy()
  child.kill("SIGTERM")
  const growth = before > 0 ? ((after - before) / before) * 100 : 0
  const ok = errors === 0 && mismatches === 0 && growth <= 20
  console.log(
    `soak ${ok ? "passed" : "FAILED"}: requests=${total} connections=${connections} errors=${errors} ` +
      `mismatches=${mismatches} rss_before=${before.toFixed(1)}MiB rss_after=${after.toFixed(1)}MiB ` +
      `growth=${growth.toFixed(1)}% duration=${seconds.toFixed(1)}s rps=${Math.round(total / seconds)}`
  )
  process.exit(ok ? 0 : 1)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
