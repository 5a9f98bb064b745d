/**
 * Cheap telemetry for the hot path.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import type * as Tracer from "effect/Tracer"

// The tracer every fiber has when the app installed none: its spans go
// nowhere, so the binding does not pay for them.
const defaultTracer: Tracer.Tracer = Effect.runSync(Effect.tracer)

/**
 * `Effect.withSpan`, skipped when the fiber has no tracer installed (the
 * default tracer exports nothing); with OpenTelemetry or any other tracer the
 * span is there. Decided in the caller's own step, at no cost of its own.
 *
 * @internal
 */
export const traced =
  (fiber: Fiber.RuntimeFiber<unknown, unknown>, name: string, options: Tracer.SpanOptions) =>
  <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    isTracing(fiber) ? Effect.withSpan(self, name, options) : self

/**
 * Whether the fiber's tracer exports spans (anything but the default).
 *
 * @internal
 */
export const isTracing = (fiber: Fiber.RuntimeFiber<unknown, unknown>): boolean => fiber.currentTracer !== defaultTracer
