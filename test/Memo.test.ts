import { HttpMiddleware, HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { assert, layer } from "@effect/vitest"
import { Effect, Fiber, Layer } from "effect"
import { AuthdogSession, currentSession, requireAuth, withSession } from "../src/index.js"
import { AuthdogLoopback, get, serve } from "./support/app.js"
import { IdpLive, IdpServer } from "./support/idp.js"

const whoami = Effect.map(currentSession, (session) => session.user?.id ?? null)

const inner = HttpRouter.empty.pipe(
  HttpRouter.get(
    "/many",
    requireAuth(Effect.gen(function*() {
      const ids = [yield* whoami, yield* whoami, yield* withSession(Effect.map(AuthdogSession, (s) => s.user?.id))]
      const forked = yield* Effect.all(Array.from({ length: 10 }, () => whoami), { concurrency: "unbounded" })
      const fiber = yield* Effect.fork(whoami)
      ids.push(...forked, yield* Fiber.join(fiber))
      return yield* HttpServerResponse.json(ids)
    }))
  ),
  HttpRouter.get("/plain", HttpServerResponse.text("plain")),
  HttpRouter.get(
    "/interrupt",
    Effect.gen(function*() {
      // The first reader starts the (slow) lookup and is interrupted; the
      // others must still get the session.
      const first = yield* Effect.fork(whoami)
      yield* Effect.sleep("30 millis")
      yield* Fiber.interrupt(first)
      const after = yield* whoami
      return yield* HttpServerResponse.json({ after })
    })
  ),
  HttpRouter.get("/id", requireAuth(Effect.flatMap(whoami, (id) => HttpServerResponse.text(id ?? "")))),
  HttpRouter.get(
    "/retain",
    Effect.gen(function*() {
      const session = yield* currentSession
      retained = new WeakRef(session)
      const request = yield* HttpServerRequest.HttpServerRequest
      retainedSource = new WeakRef(request.source as object)
      return HttpServerResponse.text("ok")
    })
  )
)

let retained: WeakRef<object> | undefined
let retainedSource: WeakRef<object> | undefined

// An outer middleware that reads the session too, and a mounted router.
const readsSession = HttpMiddleware.make((app) => Effect.zipRight(whoami, app))
const app = HttpRouter.empty.pipe(
  HttpRouter.mount("/api", inner),
  HttpRouter.concat(inner),
  HttpRouter.use(readsSession)
)
const plainApp = HttpRouter.empty.pipe(HttpRouter.mount("/api", inner), HttpRouter.concat(inner))

layer(AuthdogLoopback().pipe(Layer.provideMerge(IdpLive)), { excludeTestServices: true })(
  "one userinfo call per request",
  (it) => {
    it.scoped("sequential, forked, outer-middleware and mounted reads make one call", () =>
      Effect.gen(function*() {
        const idp = yield* IdpServer
        const base = yield* serve(app)
        for (const path of ["/many", "/api/many"]) {
          idp.reset()
          const response = yield* get(`${base}${path}`, { authorization: "Bearer user-m" })
          assert.strictEqual(response.status, 200)
          assert.deepStrictEqual(JSON.parse(response.body), Array(14).fill("m"))
          assert.strictEqual(idp.calls(), 1, path)
        }
      }))

    it.scoped("a route that never reads the session makes zero calls", () =>
      Effect.gen(function*() {
        const idp = yield* IdpServer
        const base = yield* serve(plainApp)
        idp.reset()
        yield* get(`${base}/plain`, { authorization: "Bearer user-m" })
        yield* get(`${base}/api/plain`, { cookie: "authdog-session=user-m" })
        assert.strictEqual(idp.calls(), 0)
      }))

    it.scoped("each request makes its own call: two requests, two calls", () =>
      Effect.gen(function*() {
        const idp = yield* IdpServer
        const base = yield* serve(app)
        idp.reset()
        yield* get(`${base}/id`, { authorization: "Bearer user-a" })
        yield* get(`${base}/id`, { authorization: "Bearer user-a" })
        assert.strictEqual(idp.calls(), 2)
      }))

    it.scoped("200 concurrent requests with distinct users: 200 calls, no cross-talk", () =>
      Effect.gen(function*() {
        const idp = yield* IdpServer
        const base = yield* serve(app)
        idp.reset()
        const ids = Array.from({ length: 200 }, (_, i) => `u${i}`)
        const bodies = yield* Effect.all(
          ids.map((id, i) =>
            get(
              `${base}/api/id`,
              i % 2 === 0 ? { authorization: `Bearer slow-${i % 7}-${id}` } : {
                cookie: `authdog-session=slow-${i % 7}-${id}`
              }
            )
          ),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(bodies.map((response) => response.body), ids)
        assert.strictEqual(idp.calls(), 200)
      }))

    it.scoped("interrupting the reader that started the lookup does not fail the others", () =>
      Effect.gen(function*() {
        const idp = yield* IdpServer
        const base = yield* serve(app)
        idp.reset()
        const response = yield* get(`${base}/interrupt`, { authorization: "Bearer slow-100-late" })
        assert.strictEqual(response.status, 200)
        assert.deepStrictEqual(JSON.parse(response.body), { after: "late" })
        assert.strictEqual(idp.calls(), 1)
      }))

    it.scoped("nothing is retained after the request ends", () =>
      Effect.gen(function*() {
        const gc = (globalThis as { gc?: () => void }).gc
        assert.isFunction(gc, "tests run with --expose-gc")
        const base = yield* serve(plainApp)
        const response = yield* get(`${base}/retain`, { authorization: "Bearer user-r" })
        assert.strictEqual(response.body, "ok")
        assert.isDefined(retained)
        for (let i = 0; i < 20 && (retained!.deref() !== undefined || retainedSource!.deref() !== undefined); i++) {
          yield* Effect.sleep("20 millis")
          gc!()
        }
        assert.isUndefined(retainedSource!.deref(), "the request is collected")
        assert.isUndefined(retained!.deref(), "its session is collected")
      }))
  }
)
