import {
  FetchHttpClient,
  HttpApi,
  HttpApiBuilder,
  HttpApiClient,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpLayerRouter,
  OpenApi
} from "@effect/platform"
import { assert, layer } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import {
  AuthdogAuth,
  AuthdogAuthUser,
  AuthdogHttpApiLive,
  AuthdogOptionalAuth,
  AuthdogSession,
  AuthdogUser,
  currentSession,
  logout,
  optionalSecurity,
  Unauthorized
} from "../src/index.js"
import { AuthdogLoopback, get, listen, rawHeader } from "./support/app.js"
import { IdpLive, IdpServer } from "./support/idp.js"

const Id = Schema.Struct({ id: Schema.NullOr(Schema.String), readers: Schema.Array(Schema.NullOr(Schema.String)) })

class Public extends HttpApiGroup.make("public")
  .add(HttpApiEndpoint.get("plain", "/public").addSuccess(Schema.String))
  .add(HttpApiEndpoint.get("logout", "/logout"))
{}

class Site extends HttpApiGroup.make("site")
  .add(HttpApiEndpoint.get("maybe", "/maybe").addSuccess(Schema.Struct({ signedIn: Schema.Boolean })))
  .middleware(AuthdogOptionalAuth)
  .annotateEndpointsContext(optionalSecurity)
{}

class Account extends HttpApiGroup.make("account")
  .add(HttpApiEndpoint.get("me", "/me").addSuccess(Id))
  .add(HttpApiEndpoint.get("session", "/session").addSuccess(Schema.Boolean))
  .middleware(AuthdogAuth)
  .middleware(AuthdogAuthUser)
{}

class Api extends HttpApi.make("test").add(Public).add(Site).add(Account) {}

const whoami = Effect.map(currentSession, (session) => session.user?.id ?? null)

const Groups = Layer.mergeAll(
  HttpApiBuilder.group(
    Api,
    "public",
    (handlers) => handlers.handle("plain", () => Effect.succeed("public")).handle("logout", () => logout)
  ),
  HttpApiBuilder.group(
    Api,
    "site",
    (handlers) =>
      handlers.handle("maybe", () => Effect.map(AuthdogSession, (session) => ({ signedIn: session.isAuthenticated })))
  ),
  HttpApiBuilder.group(Api, "account", (handlers) =>
    handlers
      .handle("me", () =>
        Effect.gen(function*() {
          const session = yield* AuthdogSession
          const user = yield* AuthdogUser
          assert.strictEqual(session.user, user)
          const readers = yield* Effect.all(Array.from({ length: 10 }, () => whoami), { concurrency: "unbounded" })
          return { id: user.id ?? null, readers }
        }))
      .handle("session", () => Effect.map(AuthdogSession, (session) => session.isAuthenticated)))
).pipe(Layer.provide(AuthdogHttpApiLive))

const options = { disableLogger: true, disableListenLog: true } as const

// HttpApi on HttpLayerRouter, with the document.
const OnLayerRouter = HttpLayerRouter.serve(
  HttpLayerRouter.addHttpApi(Api, { openapiPath: "/openapi.json" }).pipe(Layer.provide(Groups)),
  options
)

// The same API on the classic HttpApiBuilder.serve.
const OnApiBuilder = HttpApiBuilder.serve().pipe(
  Layer.provide(HttpApiBuilder.api(Api)),
  Layer.provide(Groups)
)

const unauthorizedBody = "{\"error\":\"Unauthorized\"}"
const expiredCookie = "authdog-session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax"

const servers = [["HttpLayerRouter.addHttpApi", OnLayerRouter], ["HttpApiBuilder.serve", OnApiBuilder]] as const

layer(AuthdogLoopback().pipe(Layer.provideMerge(IdpLive)), { excludeTestServices: true })(
  "HttpApi middleware",
  (it) => {
    it.effect("OpenAPI: bearer and cookie schemes, protected operations list both and document the 401", () =>
      Effect.gen(function*() {
        const spec = OpenApi.fromApi(Api)
        assert.deepStrictEqual(spec.components.securitySchemes, {
          bearer: { type: "http", scheme: "bearer" },
          cookie: { type: "apiKey", name: "authdog-session", in: "cookie" }
        })
        assert.deepStrictEqual(spec.security, [])
        const error = (name: string) => ({
          type: "object",
          required: ["error"],
          properties: { error: { type: "string", enum: [name] } },
          additionalProperties: false
        })
        for (const path of ["/me", "/session"]) {
          const operation = spec.paths[path]!.get!
          assert.deepStrictEqual(operation.security, [{ bearer: [] }, { cookie: [] }], path)
          const unauthorized = operation.responses[401]!
          assert.strictEqual(unauthorized.description, "Unauthorized")
          const { description: _, ...schema } = unauthorized.content!["application/json"]!.schema as any
          assert.deepStrictEqual(schema, error("Unauthorized"))
          const unavailable = operation.responses[503]!.content!["application/json"]!.schema as any
          assert.deepStrictEqual({ ...unavailable, description: undefined }, {
            ...error("Unavailable"),
            description: undefined
          })
        }
        for (const path of ["/public", "/logout"]) {
          const operation = spec.paths[path]!.get!
          assert.deepStrictEqual(operation.security, [], path)
          assert.isUndefined(operation.responses[401], path)
        }
        const maybe = spec.paths["/maybe"]!.get!
        assert.deepStrictEqual(maybe.security, [{}, { bearer: [] }, { cookie: [] }])
        assert.isUndefined(maybe.responses[401])
      }))

    it.scoped("the served /openapi.json is the document of the API", () =>
      Effect.gen(function*() {
        const base = yield* listen(OnLayerRouter)
        const response = yield* get(`${base}/openapi.json`)
        assert.strictEqual(response.status, 200)
        assert.deepStrictEqual(JSON.parse(response.body), JSON.parse(JSON.stringify(OpenApi.fromApi(Api))))
      }))

    for (const [name, served] of servers) {
      it.scoped(`${name}: no token is a 401 with the exact body and content type, no call`, () =>
        Effect.gen(function*() {
          const idp = yield* IdpServer
          const base = yield* listen(served)
          idp.reset()
          for (const path of ["/me", "/session"]) {
            const response = yield* get(`${base}${path}`)
            assert.strictEqual(response.status, 401)
            assert.strictEqual(response.body, unauthorizedBody)
            assert.deepStrictEqual(rawHeader(response, "content-type"), ["application/json"])
          }
          assert.strictEqual(idp.calls(), 0)
        }))

      it.scoped(`${name}: one call per request by Bearer or by cookie, shared with forked readers`, () =>
        Effect.gen(function*() {
          const idp = yield* IdpServer
          const base = yield* listen(served)
          for (const headers of [{ authorization: "Bearer slow-20-ada" }, { cookie: "authdog-session=slow-20-ada" }]) {
            idp.reset()
            const response = yield* get(`${base}/me`, headers)
            assert.strictEqual(response.status, 200)
            assert.deepStrictEqual(JSON.parse(response.body), { id: "ada", readers: Array(10).fill("ada") })
            assert.strictEqual(idp.calls(), 1)
          }
        }))

      it.scoped(`${name}: a rejected token is one call and one 401, whichever scheme carried it`, () =>
        Effect.gen(function*() {
          const idp = yield* IdpServer
          const base = yield* listen(served)
          for (const headers of [{ authorization: "Bearer nobody" }, { cookie: "authdog-session=nobody" }]) {
            idp.reset()
            const response = yield* get(`${base}/me`, headers)
            assert.strictEqual(response.status, 401)
            assert.strictEqual(response.body, unauthorizedBody)
            assert.strictEqual(idp.calls(), 1)
          }
        }))

      it.scoped(`${name}: Bearer first: Basic plus cookie authenticates by the cookie, a bad Bearer is rejected`, () =>
        Effect.gen(function*() {
          const idp = yield* IdpServer
          const base = yield* listen(served)
          idp.reset()
          const basic = yield* get(`${base}/me`, {
            authorization: "Basic dXNlcjpwdw==",
            cookie: "authdog-session=user-c"
          })
          assert.strictEqual(basic.status, 200)
          assert.strictEqual(JSON.parse(basic.body).id, "c")
          const bad = yield* get(`${base}/me`, { authorization: "Bearer nobody", cookie: "authdog-session=user-c" })
          assert.strictEqual(bad.status, 401)
          assert.strictEqual(bad.body, unauthorizedBody)
          assert.deepStrictEqual(idp.tokens(), ["user-c", "nobody"])
          idp.reset()
          const implausible = yield* get(`${base}/me`, {
            authorization: "Bearer has\"quote",
            cookie: "authdog-session=user-c"
          })
          assert.strictEqual(implausible.status, 401)
          assert.strictEqual(idp.calls(), 0)
        }))

      it.scoped(`${name}: optional authentication and public endpoints`, () =>
        Effect.gen(function*() {
          const idp = yield* IdpServer
          const base = yield* listen(served)
          idp.reset()
          assert.deepStrictEqual(JSON.parse((yield* get(`${base}/maybe`)).body), { signedIn: false })
          assert.strictEqual(idp.calls(), 0)
          const signedIn = yield* get(`${base}/maybe`, { cookie: "authdog-session=user-d" })
          assert.deepStrictEqual(JSON.parse(signedIn.body), { signedIn: true })
          const rejected = yield* get(`${base}/maybe`, { authorization: "Bearer nobody" })
          assert.strictEqual(rejected.status, 200)
          assert.deepStrictEqual(JSON.parse(rejected.body), { signedIn: false })
          assert.strictEqual(idp.calls(), 2)
          idp.reset()
          const plain = yield* get(`${base}/public`, { authorization: "Bearer user-e" })
          assert.strictEqual(plain.body, "\"public\"")
          const out = yield* get(`${base}/logout?redirect_uri=//evil.com`, { cookie: "authdog-session=user-e" })
          assert.strictEqual(out.status, 302)
          assert.deepStrictEqual(rawHeader(out, "location"), ["/"])
          assert.deepStrictEqual(rawHeader(out, "set-cookie"), [expiredCookie])
          assert.strictEqual(idp.calls(), 0)
        }))
    }

    it.scoped("HttpApiClient decodes the 401 to Unauthorized", () =>
      Effect.gen(function*() {
        const base = yield* listen(OnLayerRouter)
        const client = yield* HttpApiClient.make(Api, { baseUrl: base })
        const error = yield* Effect.flip(client.account.me())
        assert.instanceOf(error, Unauthorized)
      }).pipe(Effect.provide(FetchHttpClient.layer)))
  }
)

layer(AuthdogLoopback({ outageMode: true }).pipe(Layer.provideMerge(IdpLive)), { excludeTestServices: true })(
  "HttpApi middleware in outage mode",
  (it) => {
    for (const [name, served] of servers) {
      it.scoped(`${name}: identity provider down is 503 with Retry-After; a rejected token is still 401`, () =>
        Effect.gen(function*() {
          const idp = yield* IdpServer
          const base = yield* listen(served)
          for (
            const headers of [{ authorization: "Bearer status-503-x" }, { cookie: "authdog-session=status-503-x" }]
          ) {
            idp.reset()
            const down = yield* get(`${base}/me`, headers)
            assert.strictEqual(down.status, 503)
            assert.strictEqual(down.body, "{\"error\":\"Unavailable\"}")
            assert.deepStrictEqual(rawHeader(down, "content-type"), ["application/json"])
            assert.deepStrictEqual(rawHeader(down, "retry-after"), ["5"])
            assert.strictEqual(idp.calls(), 1)
          }
          const rejected = yield* get(`${base}/me`, { authorization: "Bearer nobody" })
          assert.strictEqual(rejected.status, 401)
          assert.deepStrictEqual(rawHeader(rejected, "retry-after"), [])
          const optional = yield* get(`${base}/maybe`, { authorization: "Bearer status-503-x" })
          assert.deepStrictEqual(JSON.parse(optional.body), { signedIn: false })
          assert.deepStrictEqual(rawHeader(optional, "retry-after"), [])
        }))
    }
  }
)

layer(AuthdogLoopback().pipe(Layer.provideMerge(IdpLive)), { excludeTestServices: true })(
  "HttpApi middleware without outage mode",
  (it) => {
    it.scoped("identity provider down: 401", () =>
      Effect.gen(function*() {
        const base = yield* listen(OnLayerRouter)
        const down = yield* get(`${base}/me`, { authorization: "Bearer status-503-x" })
        assert.strictEqual(down.status, 401)
        assert.strictEqual(down.body, unauthorizedBody)
        assert.deepStrictEqual(rawHeader(down, "retry-after"), [])
      }))
  }
)
