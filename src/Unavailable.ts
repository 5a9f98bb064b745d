/**
 * The gate's failure in outage mode, when the identity provider itself failed.
 *
 * @since 0.1.0
 */
import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/**
 * The 503 of outage mode: `Retry-After` in seconds, `application/json`, body
 * exactly `{"error":"Unavailable"}`.
 *
 * @example
 * ```ts
 * import { unavailableResponse } from "@authdog/effect"
 *
 * console.log(unavailableResponse(5).headers["retry-after"]) // "5"
 * ```
 *
 * @since 0.1.0
 * @category responses
 */
export const unavailableResponse = (retryAfterSeconds: number): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson({ error: "Unavailable" }, {
    status: 503,
    headers: { "retry-after": String(retryAfterSeconds) }
  })

/**
 * In outage mode, a protected route answers this instead of `Unauthorized`
 * when the identity provider could not answer (timeout, network error, 5xx,
 * 429) or answered something that is not a userinfo envelope, so that clients
 * do not sign users out during an Authdog incident. It renders as 503 with
 * `Retry-After`. A token the provider rejected is still `Unauthorized`.
 *
 * - `IdentityProviderUnavailable`: timeout, network error, 5xx or 429;
 * - `InvalidIdentityProviderResponse`: a redirect, a body that is not JSON,
 *   over 1 MiB, or not a userinfo envelope.
 *
 * @example
 * ```ts
 * import { Unavailable } from "@authdog/effect"
 *
 * const error = new Unavailable({ reason: "IdentityProviderUnavailable", retryAfterSeconds: 5 })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class Unavailable extends Schema.TaggedError<Unavailable>()("Unavailable", {
  reason: Schema.Literal("IdentityProviderUnavailable", "InvalidIdentityProviderResponse"),
  retryAfterSeconds: Schema.Number
}) implements HttpServerRespondable.Respondable {
  override get message(): string {
    return `Unavailable (${this.reason})`
  }

  [HttpServerRespondable.symbol](): Effect.Effect<HttpServerResponse.HttpServerResponse> {
    return Effect.succeed(unavailableResponse(this.retryAfterSeconds))
  }
}
