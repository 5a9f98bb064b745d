/**
 * The example app on `HttpApi`, served by `HttpLayerRouter`:
 * - `/`: public; says whether the caller is signed in (`AuthdogOptionalAuth`);
 * - `/me`: protected (`AuthdogAuth`, with `AuthdogAuthUser` for the typed
 *   user); the user as JSON;
 * - `/logout`: expires the session cookie and redirects to `redirect_uri`;
 * - `/openapi.json`: the OpenAPI document (bearer and cookie schemes, the 401);
 * - `/docs`: interactive documentation (Swagger UI, served inline).
 *
 * `npm run example:api` runs it on `PORT` (default 3000).
 */
import {
  HttpApi,
  HttpApiBuilder,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpApiSchema,
  HttpApiSwagger,
  HttpLayerRouter,
  OpenApi
} from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer, Schema } from "effect"
import { createServer } from "node:http"
import {
  AuthdogAuth,
  AuthdogAuthUser,
  AuthdogHttpApiLive,
  AuthdogOptionalAuth,
  AuthdogSession,
  AuthdogUser,
  logout,
  User
} from "../src/index.js"
import { announce, AuthdogDemo, port } from "./demo.js"

const Home = Schema.Struct({ signedIn: Schema.Boolean, user: Schema.NullOr(Schema.String) })

class Site extends HttpApiGroup.make("site")
  .add(HttpApiEndpoint.get("home", "/").addSuccess(Home).middleware(AuthdogOptionalAuth))
  .add(
    HttpApiEndpoint.get("logout", "/logout")
      .setUrlParams(Schema.Struct({
        redirect_uri: Schema.optional(Schema.Union(Schema.String, Schema.Array(Schema.String)))
      }))
      .addSuccess(HttpApiSchema.Empty(302).annotations({ description: "Redirect; expires the session cookie" }))
  )
{}

class Account extends HttpApiGroup.make("account")
  .add(HttpApiEndpoint.get("me", "/me").addSuccess(User))
  .middleware(AuthdogAuth)
  .middleware(AuthdogAuthUser)
{}

class Api
  extends HttpApi.make("authdog-example").add(Site).add(Account).annotate(OpenApi.Title, "@authdog/effect example")
{}

const SiteLive = HttpApiBuilder.group(Api, "site", (handlers) =>
  handlers
    .handle("home", () =>
      Effect.map(AuthdogSession, (session) => ({
        signedIn: session.isAuthenticated,
        user: session.user?.displayName ?? null
      })))
    // `logout` reads `redirect_uri` from the request URL itself (a repeated one is refused).
    .handle("logout", () => logout))

const AccountLive = HttpApiBuilder.group(Api, "account", (handlers) => handlers.handle("me", () => AuthdogUser))

const Routes = Layer.mergeAll(
  HttpLayerRouter.addHttpApi(Api, { openapiPath: "/openapi.json" }),
  HttpApiSwagger.layerHttpLayerRouter({ api: Api, path: "/docs" })
).pipe(
  Layer.provide([SiteLive, AccountLive]),
  Layer.provide(AuthdogHttpApiLive)
)

const ServerLive = Layer.unwrapEffect(
  Effect.map(port, (listen) => NodeHttpServer.layer(createServer, { port: listen }))
)

const main = HttpLayerRouter.serve(Routes, { disableLogger: true, disableListenLog: true }).pipe(
  Layer.provide(AuthdogDemo),
  Layer.provide(ServerLive),
  Layer.tap(() =>
    announce("@authdog/effect example (HttpApi)", [
      "curl -s {base}/openapi.json",
      "open {base}/docs"
    ])
  )
)

Layer.launch(main).pipe(NodeRuntime.runMain)
