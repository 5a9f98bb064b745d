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
import * as Exit from "effect/Exit"

/** @internal */
export class Pending<A> {
  // The result, once there; an `Exit` is itself the effect that returns it.
  private exit: Exit.Exit<A> | undefined = undefined
  private waiters: Array<(value: A) => void> | undefined = undefined

  /** Completes the cell; later calls are ignored. */
  readonly complete = (value: A): void => {
    if (this.exit !== undefined) return
    this.exit = Exit.succeed(value)
    const waiters = this.waiters
    this.waiters = undefined
    if (waiters !== undefined) { for (const waiter of waiters) waiter(value) }
  }

  /** Calls `f` with the result, now or once it is there. */
  onComplete(f: (value: A) => void): void {
    if (this.exit !== undefined) f((this.exit as Exit.Success<A, never>).value)
    else (this.waiters ??= []).push(f)
  }

  /** The result, once it is there. */
  get await(): Effect.Effect<A> {
    return this.exit ?? Effect.async<A>((resume) => this.onComplete(() => resume(this.exit!)))
  }
}
