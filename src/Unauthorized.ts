/**
 * The gate's failure (WIRE.md section 6).
 *
 * @since 0.1.0
 */
import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

const body = { error: "Unauthorized" } as const

/**
 * The 401 response every Authdog SDK sends: `application/json`, body
 * exactly `{"error":"Unauthorized"}`.
 *
 * @example
 * ```ts
 * import { unauthorizedResponse } from "@authdog/effect"
 *
 * console.log(unauthorizedResponse.status) // 401
 * ```
 *
 * @since 0.1.0
 * @category responses
 */
export const unauthorizedResponse: HttpServerResponse.HttpServerResponse = HttpServerResponse.unsafeJson(body, {
  status: 401
})

/**
 * A request reached a protected route without an authenticated session.
 * `reason` says why, for logs and metrics; it never contains the token. When
 * it reaches the HTTP server it renders as the 401 above, with no code of
 * yours.
 *
 * - `MissingToken`: no plausible token in the request;
 * - `Rejected`: the identity provider did not accept the token;
 * - `LookupFailed`: the identity provider could not be asked or answered
 *   badly (a failed lookup never authenticates);
 * - `LookupDisabled`: `fetchUser` is off, so nothing can be authenticated.
 *
 * @example
 * ```ts
 * import { Unauthorized } from "@authdog/effect"
 * import { Effect } from "effect"
 *
 * const denied = Effect.fail(new Unauthorized({ reason: "MissingToken" }))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {
  reason: Schema.Literal("MissingToken", "Rejected", "LookupFailed", "LookupDisabled")
}) implements HttpServerRespondable.Respondable {
  override get message(): string {
    return `Unauthorized (${this.reason})`
  }

  [HttpServerRespondable.symbol](): Effect.Effect<HttpServerResponse.HttpServerResponse> {
    return Effect.succeed(unauthorizedResponse)
  }
}
