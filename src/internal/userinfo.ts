/**
 * One call to the userinfo endpoint (WIRE.md section 4), classified.
 *
 * @internal
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberId from "effect/FiberId"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { Buffer } from "node:buffer"
import type { Session } from "../AuthdogSession.js"
import { assertTrustedIdentityHost } from "../IdentityHost.js"
import { userinfoCalls, userinfoLatency } from "../Metrics.js"
import type { Unauthorized } from "../Unauthorized.js"
import { isAuthenticatedUserInfo, User, UserInfo } from "../UserInfo.js"
import { traced, updateMetrics } from "./telemetry.js"

/**
 * How a session resolution ended. `unavailable` and `invalid_response` are
 * failures of the identity provider; `rejected` is its answer about the token.
 *
 * @internal
 */
export type Outcome =
  | "no_token"
  | "disabled"
  | "authenticated"
  | "rejected"
  | "unavailable"
  | "invalid_response"

/** @internal */
export interface Resolution {
  readonly session: Session
  readonly outcome: Outcome
  readonly status?: number | undefined
}

/** @internal */
export const maxBodyBytes = 1024 * 1024

class LookupFailure {
  constructor(readonly outcome: "unavailable" | "invalid_response", readonly status?: number) {}
}

const decodeUserInfo = Schema.decodeUnknownEither(UserInfo)
const decodeUser = Schema.decodeUnknownEither(User)

// A body with a declared length within the limit is read at once (HTTP
// framing holds it to that length); one without is counted chunk by chunk and
// abandoned past the limit.
const readBody = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<string, LookupFailure> => {
  const declared = response.headers["content-length"]
  if (declared !== undefined) {
    const length = Number(declared)
    if (!(length <= maxBodyBytes)) return Effect.fail(new LookupFailure("invalid_response", response.status))
    return Effect.mapBoth(response.arrayBuffer, {
      onFailure: () => new LookupFailure("unavailable", response.status),
      onSuccess: (buffer) => decoder.decode(buffer)
    })
  }
  const chunks: Array<Uint8Array> = []
  let size = 0
  return response.stream.pipe(
    Stream.runForEach((chunk) => {
      size += chunk.length
      if (size > maxBodyBytes) return Effect.fail(new LookupFailure("invalid_response", response.status))
      chunks.push(chunk)
      return Effect.void
    }),
    Effect.mapError((error) =>
      error instanceof LookupFailure ? error : new LookupFailure("unavailable", response.status)
    ),
    Effect.map(() => Buffer.concat(chunks, size).toString("utf-8"))
  )
}

const decoder = new TextDecoder()

const classifyStatus = (status: number): Outcome =>
  status === 429 || status >= 500 ? "unavailable" : status >= 300 && status < 400 ? "invalid_response" : "rejected"

/** @internal */
export const toResolution = (token: Redacted.Redacted<string>, body: string, status: number): Resolution => {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return { session: anonymousWith(token, null), outcome: "invalid_response", status }
  }
  const envelope = decodeUserInfo(json)
  if (Either.isLeft(envelope)) return { session: anonymousWith(token, null), outcome: "invalid_response", status }
  const userInfo = envelope.right
  if (!isAuthenticatedUserInfo(userInfo)) {
    return { session: anonymousWith(token, userInfo), outcome: "rejected", status }
  }
  const user = typeof userInfo.user === "object" && !Array.isArray(userInfo.user)
    ? decodeUser(userInfo.user)
    : Either.left(undefined)
  if (Either.isLeft(user)) return { session: anonymousWith(token, userInfo), outcome: "invalid_response", status }
  return {
    session: { token, user: user.right, isAuthenticated: true, userInfo },
    outcome: "authenticated",
    status
  }
}

/** @internal */
export const anonymousWith = (token: Redacted.Redacted<string> | null, userInfo: UserInfo | null): Session => ({
  token,
  user: null,
  isAuthenticated: false,
  userInfo
})

/** @internal */
export interface LookupOptions {
  readonly client: HttpClient.HttpClient
  readonly identityHost: string
  readonly environmentId: string
  readonly allowedIdentityHosts: ReadonlyArray<string>
  readonly timeout: Duration.Duration
}

/** @internal */
export interface Lookup {
  /**
   * Starts one call that completes `into`, detached from the caller: a reader
   * interrupted while waiting stops nothing, and the call ends within the
   * timeout whoever waits for it.
   */
  readonly start: (token: Redacted.Redacted<string>, into: Deferred.Deferred<Resolution>) => Effect.Effect<void>
  /** `start`, then wait for the result. */
  readonly lookup: (token: Redacted.Redacted<string>) => Effect.Effect<Resolution>
}

/**
 * Builds the userinfo lookup once, at layer construction: the URL and the
 * client are fixed, each call only adds its token.
 *
 * The timeout is a plain timer that interrupts the call's fiber, rather than
 * `Effect.timeout`, whose race forks two more fibers on every request.
 *
 * @internal
 */
export const makeLookup = (options: LookupOptions): Lookup => {
  const url = `${options.identityHost}/oidc/${encodeURIComponent(options.environmentId)}/userinfo`
  const base = HttpClientRequest.get(url)
  const timeoutMillis = Duration.toMillis(options.timeout)
  const spanOptions = {
    kind: "client",
    captureStackTrace: false,
    attributes: {
      "authdog.environment_id": options.environmentId,
      "http.request.method": "GET",
      "url.full": url,
      "server.address": options.identityHost
    }
  } as const
  // The call is traced by the `authdog.userinfo` span above, which carries the
  // HTTP attributes and never a header: the client's own span (and its header
  // redaction) would only repeat it at a cost on every request.
  const client = HttpClient.withTracerDisabledWhen(options.client, () => true)
  const failed = (token: Redacted.Redacted<string>, failure: LookupFailure): Resolution => ({
    session: anonymousWith(token, null),
    outcome: failure.outcome,
    status: failure.status
  })

  const call = (token: Redacted.Redacted<string>): Effect.Effect<Resolution> => {
    // The host is checked again before every call: the token goes nowhere else.
    if (Either.isLeft(assertTrustedIdentityHost(options.identityHost, options.allowedIdentityHosts))) {
      return Effect.succeed(failed(token, new LookupFailure("unavailable")))
    }
    const request = HttpClientRequest.setHeader(base, "authorization", `Bearer ${Redacted.value(token)}`)
    const exchange = client.execute(request).pipe(
      Effect.mapError(() => new LookupFailure("unavailable")),
      Effect.flatMap((response) => {
        if (response.status >= 200 && response.status < 300) {
          return Effect.map(readBody(response), (body) => toResolution(token, body, response.status))
        }
        // The body is read (within the limit) so the connection can be reused.
        const resolution: Resolution = {
          session: anonymousWith(token, null),
          outcome: classifyStatus(response.status),
          status: response.status
        }
        return Effect.as(Effect.ignore(readBody(response)), resolution)
      }),
      Effect.catchAllDefect(() => Effect.fail(new LookupFailure("unavailable"))),
      Effect.catchAll((failure) => Effect.succeed(failed(token, failure))),
      withoutRedirects
    )
    return Effect.suspend(() => {
      const began = performance.now()
      return exchange.pipe(
        Effect.tap((resolution) => record(resolution, performance.now() - began)),
        // Only the timer below interrupts a call.
        Effect.onInterrupt(() => record(failed(token, new LookupFailure("unavailable")), timeoutMillis)),
        traced("authdog.userinfo", spanOptions)
      )
    })
  }

  const start = (token: Redacted.Redacted<string>, into: Deferred.Deferred<Resolution>): Effect.Effect<void> =>
    Effect.flatMap(Effect.forkDaemon(call(token)), (fiber) =>
      Effect.sync(() => {
        const timer = setTimeout(() => {
          Deferred.unsafeDone(into, Effect.succeed(failed(token, new LookupFailure("unavailable"))))
          fiber.unsafeInterruptAsFork(FiberId.none)
        }, timeoutMillis)
        fiber.addObserver((exit) => {
          clearTimeout(timer)
          Deferred.unsafeDone(into, exit)
        })
      }))

  return {
    start,
    lookup: (token) =>
      Effect.suspend(() => {
        const into = Deferred.unsafeMake<Resolution>(FiberId.none)
        return Effect.zipRight(start(token, into), Deferred.await(into))
      })
  }
}

// Telemetry of one call: span attributes, metrics and, for failures of the
// identity provider, a warning. Never the token. Metrics are tagged once per
// outcome, not per call.
const outcomes: ReadonlyArray<Outcome> = [
  "no_token",
  "disabled",
  "authenticated",
  "rejected",
  "unavailable",
  "invalid_response"
]
const callsByOutcome = new Map(outcomes.map((o) => [o, Metric.tagged(userinfoCalls, "outcome", o)] as const))
const latencyByOutcome = new Map(outcomes.map((o) => [o, Metric.tagged(userinfoLatency, "outcome", o)] as const))

const record = (resolution: Resolution, millis: number): Effect.Effect<void> => {
  const outcome = resolution.outcome
  const effect = Effect.zipRight(
    Effect.annotateCurrentSpan({
      "authdog.outcome": outcome,
      "authdog.duration_ms": millis,
      ...(resolution.status === undefined ? {} : { "http.response.status_code": resolution.status })
    }),
    updateMetrics([[callsByOutcome.get(outcome)!, 1], [latencyByOutcome.get(outcome)!, millis / 1000]])
  )
  return isProviderFailure(outcome)
    ? Effect.zipRight(
      effect,
      Effect.logWarning("Authdog userinfo lookup failed; the request is treated as signed out").pipe(
        Effect.annotateLogs({ "authdog.outcome": outcome, "http.response.status_code": resolution.status ?? "none" })
      )
    )
    : effect
}

// A fetch-based client follows redirects by default; a redirect must never
// carry the token elsewhere, so the lookup asks for manual redirects (and any
// 3xx is a failed lookup). Other clients (undici) do not follow redirects.
const withoutRedirects = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(
    Effect.serviceOption(FetchHttpClient.RequestInit),
    (init) =>
      Effect.provideService(effect, FetchHttpClient.RequestInit, {
        ...Option.getOrElse(init, () => ({})),
        redirect: "manual"
      })
  )

/**
 * Why a resolution does not let a request through the gate.
 *
 * @internal
 */
export const unauthorizedReason = (resolution: Resolution): Unauthorized["reason"] => {
  switch (resolution.outcome) {
    case "no_token":
      return "MissingToken"
    case "disabled":
      return "LookupDisabled"
    case "rejected":
      return "Rejected"
    default:
      return "LookupFailed"
  }
}

/**
 * Whether the identity provider failed, as opposed to answering about the token.
 *
 * @internal
 */
export const isProviderFailure = (outcome: Outcome): boolean =>
  outcome === "unavailable" || outcome === "invalid_response"
