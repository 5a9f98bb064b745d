/**
 * A one-shot result that any number of fibers can wait for.
 *
 * It does the job of a `Deferred` on the hot path at a fraction of the cost:
 * completing it is a plain function call (made from a fiber observer or a
 * timer), and waiting is one `Effect.async`. A waiter that is interrupted
 * only stops waiting; the result still reaches every other waiter.
 *
 * @internal
 */
import * as Effect from "effect/Effect"

/** @internal */
export class Pending<A> {
  private done = false
  private value: A | undefined = undefined
  private result: Effect.Effect<A> | undefined = undefined
  private waiters: Array<(value: A) => void> | undefined = undefined

  /** Completes the cell; later calls are ignored. */
  readonly complete = (value: A): void => {
    if (this.done) return
    this.done = true
    this.value = value
    const waiters = this.waiters
    this.waiters = undefined
    if (waiters !== undefined) { for (const waiter of waiters) waiter(value) }
  }

  /** Calls `f` with the result, now or once it is there. */
  onComplete(f: (value: A) => void): void {
    if (this.done) f(this.value as A)
    else (this.waiters ??= []).push(f)
  }

  /** The result, once it is there. */
  get await(): Effect.Effect<A> {
    if (this.done) return this.result ??= Effect.succeed(this.value as A)
    return Effect.async<A>((resume) => this.onComplete((value) => resume(this.result ??= Effect.succeed(value))))
  }
}
