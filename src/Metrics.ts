/**
 * The binding's metrics, as Effect `Metric`s: they reach OpenTelemetry
 * through `@effect/opentelemetry` with no extra code, and tests can read them
 * with `Metric.value`.
 *
 * @since 0.1.0
 */
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"

/**
 * Userinfo calls made, tagged `outcome` (`authenticated`, `rejected`,
 * `unavailable`, `invalid_response`).
 *
 * @example
 * ```ts
 * import { userinfoCalls } from "@authdog/effect"
 * import { Effect, Metric } from "effect"
 *
 * const rejected = Metric.value(Metric.tagged(userinfoCalls, "outcome", "rejected"))
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const userinfoCalls: Metric.Metric.Counter<number> = Metric.counter("authdog_userinfo_calls_total", {
  description: "Calls to the Authdog userinfo endpoint, by outcome",
  incremental: true
})

/**
 * Latency of userinfo calls in seconds, tagged `outcome`.
 *
 * @example
 * ```ts
 * import { userinfoLatency } from "@authdog/effect"
 * import { Metric } from "effect"
 *
 * const state = Metric.value(Metric.tagged(userinfoLatency, "outcome", "authenticated"))
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const userinfoLatency: Metric.Metric.Histogram<number> = Metric.histogram(
  "authdog_userinfo_duration_seconds",
  MetricBoundaries.exponential({ start: 0.001, factor: 2, count: 14 }),
  "Latency of calls to the Authdog userinfo endpoint, by outcome"
)

/**
 * Lookups of the cross-request cache, tagged `result`: `hit`, `miss`, or
 * `shared` (joined a call already in flight for the same token).
 *
 * @example
 * ```ts
 * import { cacheLookups } from "@authdog/effect"
 * import { Metric } from "effect"
 *
 * const hits = Metric.value(Metric.tagged(cacheLookups, "result", "hit"))
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const cacheLookups: Metric.Metric.Counter<number> = Metric.counter("authdog_cache_lookups_total", {
  description: "Session cache lookups, by result (hit, miss, shared)",
  incremental: true
})
