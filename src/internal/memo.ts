/**
 * Per-request memo of the session resolution.
 *
 * Keyed on `request.source` (the Node `IncomingMessage` or the web `Request`),
 * which survives `HttpRouter.mount` re-creating the `HttpServerRequest`. Held
 * in a WeakMap, so an entry lives exactly as long as the request object.
 *
 * The first reader starts the lookup detached (`start` forks it and lets it
 * complete the Deferred); every reader, the first included, only awaits it.
 * Interrupting a reader therefore ends that reader's wait and nothing else.
 * The lookup is bounded by its timeout.
 *
 * @internal
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"

/** @internal */
export const makeRequestMemo = <A>(): (
  request: HttpServerRequest.HttpServerRequest,
  start: (into: Deferred.Deferred<A>) => Effect.Effect<void>
) => Effect.Effect<A> => {
  const entries = new WeakMap<object, Deferred.Deferred<A>>()
  return (request, start) =>
    Effect.suspend(() => {
      const key = typeof request.source === "object" && request.source !== null ? request.source : request
      const existing = entries.get(key)
      if (existing !== undefined) return Deferred.await(existing)
      const deferred = Deferred.unsafeMake<A>(FiberId.none)
      entries.set(key, deferred)
      return Effect.zipRight(start(deferred), Deferred.await(deferred))
    })
}
