/**
 * Type-level tests, checked by `tsc` in `npm test`: the combinators remove
 * the session tags from a handler's requirements and add only what they need.
 */
import type { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { HttpRouter } from "@effect/platform"
import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Context, Effect } from "effect"
import {
  type Authdog,
  AuthdogSession,
  AuthdogUser,
  type AuthenticatedSession,
  requireAuth,
  type Session,
  type Unauthorized,
  type Unavailable,
  type User,
  withSession
} from "../src/index.js"

class Database extends Context.Tag("test/Database")<Database, { readonly query: Effect.Effect<number> }>() {}

const handler: Effect.Effect<HttpServerResponse.HttpServerResponse, "HandlerError", AuthdogSession | Database> = Effect
  .zipRight(Effect.zip(AuthdogSession, Database), Effect.fail("HandlerError" as const))

describe("types", () => {
  it("requireAuth removes AuthdogSession and AuthdogUser and keeps the rest", () => {
    const gated = requireAuth(handler)
    expectTypeOf<Effect.Effect.Context<typeof gated>>().toEqualTypeOf<
      Database | Authdog | HttpServerRequest.HttpServerRequest
    >()
    expectTypeOf<Effect.Effect.Error<typeof gated>>().toEqualTypeOf<"HandlerError" | Unauthorized | Unavailable>()
    const userOnly = requireAuth(Effect.map(AuthdogUser, (user) => user.id))
    expectTypeOf<Effect.Effect.Context<typeof userOnly>>().toEqualTypeOf<
      Authdog | HttpServerRequest.HttpServerRequest
    >()
    expectTypeOf<Effect.Effect.Success<typeof userOnly>>().toEqualTypeOf<string | null | undefined>()
    assert.isTrue(Effect.isEffect(gated) && Effect.isEffect(userOnly))
  })

  it("withSession removes AuthdogSession and never adds an error", () => {
    const open = withSession(handler)
    expectTypeOf<Effect.Effect.Context<typeof open>>().toEqualTypeOf<
      Database | Authdog | HttpServerRequest.HttpServerRequest
    >()
    expectTypeOf<Effect.Effect.Error<typeof open>>().toEqualTypeOf<"HandlerError">()
    assert.isTrue(Effect.isEffect(open))
  })

  it("a route with a bare read of AuthdogSession keeps it as a requirement", () => {
    const router = HttpRouter.empty.pipe(HttpRouter.get("/", handler))
    expectTypeOf<HttpRouter.HttpRouter.ExcludeProvided<AuthdogSession>>().toEqualTypeOf<AuthdogSession>()
    const gated = HttpRouter.empty.pipe(HttpRouter.get("/", requireAuth(handler)))
    type Requirements<T> = T extends HttpRouter.HttpRouter<any, infer R> ? R : never
    expectTypeOf<Extract<Requirements<typeof router>, AuthdogSession>>().toEqualTypeOf<AuthdogSession>()
    expectTypeOf<Extract<Requirements<typeof gated>, AuthdogSession>>().toEqualTypeOf<never>()
    assert.isTrue(Effect.isEffect(gated) && Effect.isEffect(router))
  })

  it("the session narrows on isAuthenticated", () => {
    const name = (session: Session) => {
      if (session.isAuthenticated) {
        expectTypeOf(session).toEqualTypeOf<AuthenticatedSession>()
        expectTypeOf(session.user).toEqualTypeOf<User>()
        return session.user.displayName ?? null
      }
      expectTypeOf(session.user).toEqualTypeOf<null>()
      return null
    }
    assert.isNull(name({ token: null, user: null, isAuthenticated: false, userInfo: null }))
  })

  it("the Tag keys are package-qualified", () => {
    assert.strictEqual(AuthdogSession.key, "@authdog/effect/AuthdogSession")
    assert.strictEqual(AuthdogUser.key, "@authdog/effect/AuthdogUser")
  })
})
