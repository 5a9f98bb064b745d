/**
 * A real identity provider on 127.0.0.1 for tests: `node:http`, counting its
 * calls, answering per token. Tokens name their behaviour, so one server
 * covers every case:
 *
 * - `user-<name>`: 200 `{ meta: { code: 200 }, user: { id: <name>, ... } }`;
 * - `slow-<ms>-<name>`: the same after `<ms>` milliseconds;
 * - `hang-<x>`: never answers;
 * - `reset-<x>`: destroys the socket before answering;
 * - `midbody-<x>`: sends headers and half a body, then destroys the socket;
 * - `status-<code>-<x>`: that status with a JSON envelope;
 * - `redirect-<x>`: 302 to `/stolen` on this server (a followed redirect shows in `paths`);
 * - `nonjson-<x>`, `truncated-<x>`, `huge-<x>` (over 1 MiB), `meta401-<x>`
 *   (HTTP 200, `meta.code` 401), `userstring-<x>` (`user: "x"`), `userarray-<x>`,
 *   `badfield-<x>` (a known field of the wrong type), `chunkedhuge-<x>` (over
 *   1 MiB without content-length);
 * - anything else: 401 `{ meta: { code: 401 } }`.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Http from "node:http"
import type { AddressInfo, Socket } from "node:net"

export interface Idp {
  readonly url: string
  readonly calls: () => number
  readonly tokens: () => ReadonlyArray<string>
  readonly paths: () => ReadonlyArray<string>
  readonly reset: () => void
  readonly openSockets: () => number
}

export class IdpServer extends Context.Tag("test/IdpServer")<IdpServer, Idp>() {}

export const userFor = (name: string) => ({
  id: name,
  displayName: `User ${name}`,
  emails: [{ id: `e-${name}`, value: `${name}@example.com`, type: "work" }],
  names: { givenName: name, familyName: "Test" },
  extraField: { kept: true }
})

const envelope = (name: string) =>
  JSON.stringify({ meta: { code: 200, message: "OK" }, session: { remainingSeconds: 3600 }, user: userFor(name) })

const send = (res: Http.ServerResponse, status: number, body: string, headers: Http.OutgoingHttpHeaders = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers })
  res.end(body)
}

const answer = (token: string, req: Http.IncomingMessage, res: Http.ServerResponse): void => {
  const [kind, ...rest] = token.split("-")
  const arg = rest.join("-")
  switch (kind) {
    case "user":
      return send(res, 200, envelope(arg))
    case "slow": {
      const [ms, ...name] = rest
      const timer = setTimeout(() => send(res, 200, envelope(name.join("-"))), Number(ms))
      res.once("close", () => clearTimeout(timer))
      return
    }
    case "hang":
      return
    case "reset":
      req.socket.destroy()
      return
    case "midbody": {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" })
      res.write(envelope(arg).slice(0, 40))
      setTimeout(() => req.socket.destroy(), 20)
      return
    }
    case "status":
      return send(res, Number(rest[0]), JSON.stringify({ meta: { code: Number(rest[0]) } }), {
        "retry-after": "1"
      })
    case "redirect":
      // To this same server, so a followed redirect would be seen at /stolen.
      return send(res, 302, "", { location: `http://${req.headers.host}/stolen` })
    case "nonjson":
      return send(res, 200, "<html>not json</html>", { "content-type": "text/html" })
    case "truncated":
      return send(res, 200, envelope(arg).slice(0, 30))
    case "huge":
      return send(res, 200, JSON.stringify({ meta: { code: 200 }, user: { id: "x", pad: "a".repeat(1024 * 1024) } }))
    case "chunkedhuge": {
      res.writeHead(200, { "content-type": "application/json" })
      res.write(`{"meta":{"code":200},"user":{"id":"x","pad":"`)
      for (let i = 0; i < 20; i++) res.write("a".repeat(64 * 1024))
      res.end(`"}}`)
      return
    }
    case "meta401":
      return send(res, 200, JSON.stringify({ meta: { code: 401, message: "Unauthorized" }, user: userFor(arg) }))
    case "userstring":
      return send(res, 200, JSON.stringify({ meta: { code: 200 }, user: "x" }))
    case "userarray":
      return send(res, 200, JSON.stringify({ meta: { code: 200 }, user: [1, 2] }))
    case "badfield":
      return send(res, 200, JSON.stringify({ meta: { code: 200 }, user: { id: 42 } }))
    default:
      return send(res, 401, JSON.stringify({ meta: { code: 401, message: "Unauthorized" } }))
  }
}

export const startIdp: Effect.Effect<Idp, never, import("effect/Scope").Scope> = Effect.acquireRelease(
  Effect.async<{ server: Http.Server; idp: Idp }>((resume) => {
    let calls = 0
    let tokens: Array<string> = []
    let paths: Array<string> = []
    const sockets = new Set<Socket>()
    const server = Http.createServer((req, res) => {
      calls++
      paths.push(req.url ?? "")
      const token = /^Bearer (.*)$/.exec(req.headers.authorization ?? "")?.[1] ?? ""
      tokens.push(token)
      answer(token, req, res)
    })
    server.on("connection", (socket) => {
      sockets.add(socket)
      socket.once("close", () => sockets.delete(socket))
    })
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resume(Effect.succeed({
        server,
        idp: {
          url: `http://127.0.0.1:${port}`,
          calls: () => calls,
          tokens: () => tokens,
          paths: () => paths,
          reset: () => {
            calls = 0
            tokens = []
            paths = []
          },
          openSockets: () => sockets.size
        }
      }))
    })
  }),
  ({ server }) =>
    Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
).pipe(Effect.map(({ idp }) => idp))

export const IdpLive: Layer.Layer<IdpServer> = Layer.scoped(IdpServer, startIdp)
