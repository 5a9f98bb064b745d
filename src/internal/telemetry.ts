/**
 * Cheap telemetry for the hot path.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import type * as Metric from "effect/Metric"
import type * as Tracer from "effect/Tracer"

// The tracer every fiber has when the app installed none: its spans go
// nowhere, so the binding does not pay for them.
const defaultTracer: Tracer.Tracer = Effect.runSync(Effect.tracer)

/**
 * `Effect.withSpan`, skipped when no tracer was installed (the default tracer
 * exports nothing); with OpenTelemetry or any other tracer the span is there.
 *
 * @internal
 */
export const traced =
  (name: string, options: Tracer.SpanOptions) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.tracerWith((tracer) => tracer === defaultTracer ? self : Effect.withSpan(self, name, options))

/**
 * Updates metrics in one step, with the fiber's metric labels
 * (`Effect.tagMetrics`) as `Metric.update` would.
 *
 * @internal
 */
export const updateMetrics = (
  updates: ReadonlyArray<readonly [Metric.Metric<any, number, any>, number]>
): Effect.Effect<void> =>
  Effect.withFiberRuntime((fiber) => {
    unsafeUpdateMetrics(fiber, updates)
    return Effect.void
  })

/**
 * {@link updateMetrics} from inside a fiber's own step.
 *
 * @internal
 */
export const unsafeUpdateMetrics = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  updates: ReadonlyArray<readonly [Metric.Metric<any, number, any>, number]>
): void => {
  const labels = fiber.getFiberRef(FiberRef.currentMetricLabels)
  for (const [metric, value] of updates) metric.unsafeUpdate(value, labels)
}

/**
 * Whether the fiber's tracer exports spans (anything but the default).
 *
 * @internal
 */
export const isTracing = (fiber: Fiber.RuntimeFiber<unknown, unknown>): boolean => fiber.currentTracer !== defaultTracer
