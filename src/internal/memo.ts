/**
 * Per-request memo of the session resolution.
 *
 * Keyed on `request.source` (the Node `IncomingMessage` or the web `Request`),
 * which survives `HttpRouter.mount` re-creating the `HttpServerRequest`. Held
 * in a WeakMap, so an entry lives exactly as long as the request object.
 *
 * The first reader starts the lookup detached (`start` runs it on a fiber of
 * its own, which completes the entry within the timeout); every reader, the
 * first included, only waits for the entry. Interrupting a reader therefore
 * ends that reader's wait and nothing else.
 *
 * @internal
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as Effect from "effect/Effect"
import { Pending } from "./pending.js"

/**
 * Returns the request's entry, calling `start` with its completion when the
 * request has none yet. Synchronous: call it from inside a fiber's step.
 *
 * @internal
 */
export const makeRequestMemo = <A>(): (
  request: HttpServerRequest.HttpServerRequest,
  start: (complete: (value: A) => void) => void
) => Effect.Effect<A> => {
  const entries = new WeakMap<object, Pending<A>>()
  return (request, start) => {
    const key = typeof request.source === "object" && request.source !== null ? request.source : request
    let entry = entries.get(key)
    if (entry === undefined) {
      entry = new Pending<A>()
      entries.set(key, entry)
      start(entry.complete)
    }
    return entry.await
  }
}
