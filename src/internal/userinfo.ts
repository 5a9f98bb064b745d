/**
 * One call to the userinfo endpoint (WIRE.md section 4), classified.
 *
 * @internal
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import { constTrue } from "effect/Function"
import * as Metric from "effect/Metric"
import type * as MetricLabel from "effect/MetricLabel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
import * as Stream from "effect/Stream"
import { Buffer } from "node:buffer"
import type { Session } from "../AuthdogSession.js"
import { assertTrustedIdentityHost } from "../IdentityHost.js"
import { userinfoCalls, userinfoLatency } from "../Metrics.js"
import type { Unauthorized } from "../Unauthorized.js"
import { isAuthenticatedUserInfo, type UserInfo } from "../UserInfo.js"
import { Pending } from "./pending.js"
import { isUser, isUserInfo } from "./shape.js"
import { isTracing } from "./telemetry.js"

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

// A body with a declared length within the limit is read at once (HTTP
// framing holds it to that length); one without is counted chunk by chunk and
// abandoned past the limit.
const readBody = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<string, LookupFailure> => {
  const declared = response.headers["content-length"]
  if (declared !== undefined) {
    const length = Number(declared)
    if (!(length <= maxBodyBytes)) return Effect.fail(new LookupFailure("invalid_response", response.status))
    return Effect.mapError(response.text, () => new LookupFailure("unavailable", response.status))
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
  if (!isUserInfo(json)) return { session: anonymousWith(token, null), outcome: "invalid_response", status }
  const userInfo = json
  if (!isAuthenticatedUserInfo(userInfo)) {
    return { session: anonymousWith(token, userInfo), outcome: "rejected", status }
  }
  const user = userInfo.user
  if (!isUser(user)) {
    return { session: anonymousWith(token, userInfo), outcome: "invalid_response", status }
  }
  return {
    session: { token, user, isAuthenticated: true, userInfo },
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
   * Starts one call on a fiber of its own and calls `complete` exactly once,
   * within the timeout, whoever waits for it: a reader interrupted while
   * waiting stops nothing. `caller` is the fiber that starts it: with a tracer
   * installed the call runs with its context and joins its span.
   */
  readonly start: (
    token: Redacted.Redacted<string>,
    complete: (resolution: Resolution) => void,
    caller: Fiber.RuntimeFiber<unknown, unknown>
  ) => void
  /** `start`, then wait for the result. */
  readonly lookup: (token: Redacted.Redacted<string>) => Effect.Effect<Resolution>
}

/**
 * Builds the userinfo lookup once, at layer construction: the URL, the
 * request, the client and the runtime its calls run on are fixed; each call
 * only adds its token.
 *
 * A call runs on a fiber of its own, started from the runtime captured here
 * (with the client's own span and a fetch client's redirects turned off once,
 * not per call), or from the caller's when a tracer is installed. A plain
 * timer bounds it: on timeout the waiters get a failed lookup at once and the
 * fiber is interrupted, which aborts the request.
 *
 * @internal
 */
export const makeLookup = (options: LookupOptions): Effect.Effect<Lookup> =>
  Effect.gen(function*() {
    const url = `${options.identityHost}/oidc/${encodeURIComponent(options.environmentId)}/userinfo`
    const base = HttpClientRequest.get(url)
    const timeoutMillis = Duration.toMillis(options.timeout)
    const client = options.client
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
    const requestInit = Option.getOrElse(yield* Effect.serviceOption(FetchHttpClient.RequestInit), () => ({}))
    // The call is traced by the `authdog.userinfo` span, which carries the
    // HTTP attributes and never a header: the client's own span (and its
    // header redaction) would only repeat it at a cost on every request. A
    // fetch-based client follows redirects by default; a redirect must never
    // carry the token elsewhere, so the lookup asks for manual redirects (and
    // any 3xx is a failed lookup). Other clients (undici) do not follow them.
    const callSettings = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
      effect.pipe(
        Effect.locally(HttpClient.currentTracerDisabledWhen, constTrue),
        Effect.provideService(FetchHttpClient.RequestInit, { ...requestInit, redirect: "manual" })
      )
    const runtime = yield* callSettings(Effect.runtime<never>())

    const exchange = (token: Redacted.Redacted<string>): Effect.Effect<Resolution> => {
      // The host is checked again before every call: the token goes nowhere else.
      if (Either.isLeft(assertTrustedIdentityHost(options.identityHost, options.allowedIdentityHosts))) {
        return Effect.succeed(failed(token, "unavailable", undefined))
      }
      const request = HttpClientRequest.setHeader(base, "authorization", `Bearer ${Redacted.value(token)}`)
      return Effect.matchCauseEffect(client.execute(request), {
        onFailure: (cause) =>
          Cause.isInterruptedOnly(cause) ? Effect.interrupt : Effect.succeed(failed(token, "unavailable", undefined)),
        onSuccess: (response) => {
          const status = response.status
          if (status >= 200 && status < 300) {
            return Effect.matchCauseEffect(readBody(response), {
              onFailure: (cause) =>
                Cause.isInterruptedOnly(cause)
                  ? Effect.interrupt
                  : Effect.succeed(failed(token, failureOf(cause), status)),
              onSuccess: (body) => Effect.succeed(toResolution(token, body, status))
            })
          }
          // The body is read (within the limit) so the connection can be reused.
          const resolution: Resolution = {
            session: anonymousWith(token, null),
            outcome: classifyStatus(status),
            status
          }
          return Effect.as(Effect.ignore(readBody(response)), resolution)
        }
      })
    }

    // With a tracer installed, the call runs with the caller's context, inside
    // its own span: slower, and only paid for when spans are exported.
    const tracedExchange = (token: Redacted.Redacted<string>): Effect.Effect<Resolution> =>
      exchange(token).pipe(
        Effect.tap((resolution) => Effect.annotateCurrentSpan(spanAttributes(resolution))),
        Effect.onInterrupt(() =>
          Effect.annotateCurrentSpan(spanAttributes(failed(token, "unavailable", undefined), timeoutMillis))
        ),
        Effect.withSpan("authdog.userinfo", spanOptions),
        callSettings
      )

    const start = (
      token: Redacted.Redacted<string>,
      complete: (resolution: Resolution) => void,
      caller: Fiber.RuntimeFiber<unknown, unknown>
    ): void => {
      const began = performance.now()
      // What the caller's fiber carries, for the call when it is traced and
      // for the warning and the metrics (the app's log annotations and metric
      // labels reach them either way).
      const context = caller.currentContext
      const fiberRefs = caller.getFiberRefs()
      const labels = caller.getFiberRef(FiberRef.currentMetricLabels)
      const callerRuntime = () =>
        Runtime.make({ context, fiberRefs, runtimeFlags: Runtime.defaultRuntime.runtimeFlags })
      const fiber = isTracing(caller)
        ? Runtime.runFork(callerRuntime(), tracedExchange(token))
        : Runtime.runFork(runtime, exchange(token))
      // Whichever of the answer and the timer comes first settles the call,
      // once: a call that ends after its timeout (its interruption may take a
      // while, or end in a defect) changes nothing the waiters were told.
      let settled = false
      const settle = (resolution: Resolution, millis: number) => {
        if (settled) return
        settled = true
        recordMetrics(resolution, millis, labels)
        complete(resolution)
        if (isProviderFailure(resolution.outcome)) Runtime.runFork(callerRuntime(), warning(resolution))
      }
      const timer = setTimeout(() => {
        settle(failed(token, "unavailable", undefined), timeoutMillis)
        fiber.unsafeInterruptAsFork(FiberId.none)
      }, timeoutMillis)
      fiber.addObserver((exit) => {
        clearTimeout(timer)
        // A defect, or an interruption the timer did not make (the runtime
        // shutting down), is a failed lookup.
        settle(Exit.isSuccess(exit) ? exit.value : failed(token, "unavailable", undefined), performance.now() - began)
      })
    }

    return {
      start,
      lookup: (token) =>
        Effect.withFiberRuntime((fiber) => {
          const result = new Pending<Resolution>()
          start(token, result.complete, fiber)
          return result.await
        })
    }
  })

const failed = (
  token: Redacted.Redacted<string>,
  outcome: "unavailable" | "invalid_response",
  status: number | undefined
): Resolution => ({ session: anonymousWith(token, null), outcome, status })

const failureOf = (cause: Cause.Cause<LookupFailure>): "unavailable" | "invalid_response" =>
  Option.match(Cause.failureOption(cause), { onNone: () => "unavailable", onSome: (failure) => failure.outcome })

// Telemetry of one call: span attributes, metrics and, for failures of the
// identity provider, a warning. Never the token. Metrics are tagged once per
// outcome, not per call, and updated without a step of the fiber.
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

const recordMetrics = (resolution: Resolution, millis: number, labels: ReadonlyArray<MetricLabel.MetricLabel>) => {
  callsByOutcome.get(resolution.outcome)!.unsafeUpdate(1, labels)
  latencyByOutcome.get(resolution.outcome)!.unsafeUpdate(millis / 1000, labels)
}

const spanAttributes = (resolution: Resolution, millis?: number): Record<string, unknown> => ({
  "authdog.outcome": resolution.outcome,
  ...(millis === undefined ? {} : { "authdog.duration_ms": millis }),
  ...(resolution.status === undefined ? {} : { "http.response.status_code": resolution.status })
})

const warning = (resolution: Resolution): Effect.Effect<void> =>
  Effect.logWarning("Authdog userinfo lookup failed; the request is treated as signed out").pipe(
    Effect.annotateLogs({
      "authdog.outcome": resolution.outcome,
      "http.response.status_code": resolution.status ?? "none"
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
