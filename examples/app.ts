/**
 * The routes of the example app on the classic `HttpRouter`:
 * - `/`: public; says whether the caller is signed in (`withSession`);
 * - `/me`: protected (`requireAuth`); the user as JSON;
 * - `/logout`: expires the session cookie and redirects to `redirect_uri`.
 */
import { HttpRouter, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"
import { AuthdogSession, logout, requireAuth, withSession } from "../src/index.js"

const home = withSession(Effect.gen(function*() {
  const session = yield* AuthdogSession
  return yield* HttpServerResponse.json({
    signedIn: session.isAuthenticated,
    user: session.user?.displayName ?? null
  })
}))

const me = requireAuth(Effect.gen(function*() {
  const session = yield* AuthdogSession
  return yield* HttpServerResponse.json(session.user)
}))

export const router = HttpRouter.empty.pipe(
  HttpRouter.get("/", home),
  HttpRouter.get("/me", me),
  HttpRouter.get("/logout", logout)
)
