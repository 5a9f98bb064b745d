/**
 * The binding's spans cost nothing when the app installed no tracer, and are
 * there as soon as it installs one.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Tracer } from "effect"
import { traced } from "../src/internal/telemetry.js"

// The current span inside `traced`, decided by the fiber that runs it.
const currentSpanInside = Effect.withFiberRuntime<Option.Option<Tracer.Span>>((fiber) =>
  traced(fiber, "authdog.test", {})(Effect.option(Effect.currentSpan))
)

describe("spans without a tracer", () => {
  it.effect("are skipped when the app installed no tracer, and made when it did", () =>
    Effect.gen(function*() {
      const bare = yield* currentSpanInside
      assert.notStrictEqual(Option.getOrUndefined(bare)?.name, "authdog.test", "no span on the default tracer")
      const native = yield* Effect.tracer
      const names: Array<string> = []
      const tracer = Tracer.make({
        context: (f, fiber) => native.context(f, fiber),
        span: (name, ...rest) => {
          names.push(name)
          return native.span(name, ...rest)
        }
      })
      const inside = yield* currentSpanInside.pipe(Effect.withTracer(tracer))
      assert.deepStrictEqual(names, ["authdog.test"])
      assert.strictEqual(Option.getOrThrow(inside).name, "authdog.test")
    }))
})
