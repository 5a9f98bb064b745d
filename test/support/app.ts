/**
 * Serving an app under test on a real `NodeHttpServer`, with the Authdog
 * layer talking to the loopback identity provider through the real
 * `NodeHttpClient` (undici). Production code keeps `https://id.authdog.com`
 * and the allowlist; only the client maps the origin to loopback.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { Buffer } from "node:buffer"
import * as Http from "node:http"
import { type Authdog, type AuthdogOptions, layer } from "../../src/Authdog.js"
import { IdpServer } from "./idp.js"

export const identityHost = "https://id.authdog.com"

export const publicKeyFor = (payload: Record<string, unknown>): string =>
  `pk_${Buffer.from(JSON.stringify(payload)).toString("base64")}`

export const testPublicKey = publicKeyFor({ environmentId: "env 1/x", identityHost })

/** A real client (`base`), with `https://id.authdog.com` mapped to the loopback IdP. */
export const loopback = <E>(
  base: Layer.Layer<HttpClient.HttpClient, E>
): Layer.Layer<HttpClient.HttpClient, E, IdpServer> =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.gen(function*() {
      const idp = yield* IdpServer
      const client = yield* HttpClient.HttpClient
      return HttpClient.mapRequest(
        client,
        (request) => HttpClientRequest.setUrl(request, request.url.replace(identityHost, idp.url))
      )
    })
  ).pipe(Layer.provide(base))

/** The real undici client, mapped to the loopback IdP. */
export const LoopbackClient: Layer.Layer<HttpClient.HttpClient, never, IdpServer> = loopback(NodeHttpClient.layerUndici)

export const AuthdogLoopback = (
  options: Partial<AuthdogOptions> = {}
): Layer.Layer<Authdog, never, IdpServer> =>
  layer({ publicKey: testPublicKey, timeout: "1 second", ...options }).pipe(
    Layer.orDie,
    Layer.provide(LoopbackClient)
  )

type App = Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  unknown,
  HttpServerRequest.HttpServerRequest | Authdog | Scope.Scope
>

/** Serves `app` on 127.0.0.1 (random port) for the current scope; returns its base URL. */
export const serve = (app: App): Effect.Effect<string, HttpServerError.ServeError, Authdog | Scope.Scope> =>
  Effect.gen(function*() {
    const context = yield* Layer.build(NodeHttpServer.layer(() => Http.createServer(), { port: 0, host: "127.0.0.1" }))
    const server = yield* Effect.provide(HttpServer.HttpServer, context)
    yield* HttpServer.serveEffect(
      app as Effect.Effect<
        HttpServerResponse.HttpServerResponse,
        unknown,
        HttpServerRequest.HttpServerRequest | Authdog
      >
    ).pipe(
      Effect.provide(context)
    )
    const address = server.address as HttpServer.TcpAddress
    return `http://127.0.0.1:${address.port}`
  })

/** Serves a layer-built server (`HttpLayerRouter.serve`, `HttpApiBuilder.serve`) on 127.0.0.1 for the current scope. */
export const listen = <E, R>(
  served: Layer.Layer<never, E, R>
): Effect.Effect<
  string,
  E | HttpServerError.ServeError,
  Exclude<R, HttpServer.HttpServer | NodeHttpServerContext> | Scope.Scope
> =>
  Effect.gen(function*() {
    const context = yield* Layer.build(
      served.pipe(Layer.provideMerge(NodeHttpServer.layer(() => Http.createServer(), { port: 0, host: "127.0.0.1" })))
    )
    const address = Context.get(context, HttpServer.HttpServer).address as HttpServer.TcpAddress
    return `http://127.0.0.1:${address.port}`
  })

type NodeHttpServerContext = Layer.Layer.Success<ReturnType<typeof NodeHttpServer.layer>>

export interface RawResponse {
  readonly status: number
  readonly headers: Http.IncomingHttpHeaders
  readonly rawHeaders: ReadonlyArray<string>
  readonly body: string
}

/** A request with `node:http`, exposing raw headers (the Effect client folds `set-cookie`). */
export const get = (url: string, headers: Record<string, string> = {}): Effect.Effect<RawResponse> =>
  Effect.async<RawResponse>((resume) => {
    const req = Http.get(url, { headers, agent: false }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (chunk: Buffer) => chunks.push(chunk))
      res.on("end", () =>
        resume(Effect.succeed({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks).toString("utf-8")
        })))
    })
    req.on("error", (error) => resume(Effect.die(error)))
  })

/** The raw values of one response header, as sent. */
export const rawHeader = (response: RawResponse, name: string): Array<string> => {
  const values: Array<string> = []
  for (let i = 0; i < response.rawHeaders.length; i += 2) {
    if (response.rawHeaders[i]!.toLowerCase() === name) values.push(response.rawHeaders[i + 1]!)
  }
  return values
}
