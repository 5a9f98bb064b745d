/**
 * The opt-in cross-request cache of authenticated lookups.
 *
 * - keyed by the SHA-256 digest of the token, never the token; entries hold
 *   the user and envelope, not the token (the session is rebuilt with the
 *   request's own token on a hit);
 * - bounded: least recently used entries are evicted past `capacity`;
 * - an entry lives the smaller of `ttl` and the session's `remainingSeconds`,
 *   counted from when its call began;
 * - only authenticated results are stored; concurrent lookups of one token
 *   share one call, whatever its result.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Metric from "effect/Metric"
import * as Redacted from "effect/Redacted"
import * as Crypto from "node:crypto"
import { cacheLookups } from "../Metrics.js"
import type { User, UserInfo } from "../UserInfo.js"
import { Pending } from "./pending.js"
import type { Lookup, Resolution } from "./userinfo.js"

/** @internal */
export interface CacheOptions {
  readonly ttl: Duration.DurationInput
  readonly capacity?: number | undefined
}

interface Entry {
  readonly user: User
  readonly userInfo: UserInfo
  readonly expiresAt: number
}

/** @internal */
export interface Cache {
  /**
   * A fresh entry for the token, now by the caller's clock, marked most
   * recently used and counted as a hit; no call.
   */
  readonly hit: (
    token: Redacted.Redacted<string>,
    caller: Fiber.RuntimeFiber<unknown, unknown>
  ) => Resolution | undefined
  /**
   * The call for a token not in the cache, shared with concurrent callers and
   * counted as a miss or as shared; stores a success. Synchronous, like
   * `Lookup.start`.
   */
  readonly start: (
    token: Redacted.Redacted<string>,
    complete: (resolution: Resolution) => void,
    caller: Fiber.RuntimeFiber<unknown, unknown>
  ) => void
  /** `hit`, else `start` and wait. */
  readonly lookup: (token: Redacted.Redacted<string>) => Effect.Effect<Resolution>
  readonly evict: (token: Redacted.Redacted<string>) => Effect.Effect<void>
  /** The keys held, for tests: digests, never tokens. */
  readonly keys: () => ReadonlyArray<string>
}

/** @internal */
export const digest = (token: Redacted.Redacted<string>): string => sha256(Redacted.value(token))

// `crypto.hash` (Node 20.12+) is the one-shot digest, a few times faster than
// a `Hash` object; older Node 20 releases fall back to `createHash`.
const sha256: (data: string) => string = typeof Crypto.hash === "function"
  ? (data) => Crypto.hash("sha256", data, "base64url")
  : (data) => Crypto.createHash("sha256").update(data).digest("base64url")

const hits = Metric.tagged(cacheLookups, "result", "hit")
const misses = Metric.tagged(cacheLookups, "result", "miss")
const shared = Metric.tagged(cacheLookups, "result", "shared")

// The caller's clock (the TestClock in tests) and metric labels.
const now = (caller: Fiber.RuntimeFiber<unknown, unknown>): number =>
  Context.get(caller.currentDefaultServices, Clock.Clock).unsafeCurrentTimeMillis()
const count = (metric: typeof hits, caller: Fiber.RuntimeFiber<unknown, unknown>): void =>
  metric.unsafeUpdate(1, caller.getFiberRef(FiberRef.currentMetricLabels))

/** @internal */
export const makeCache = (options: CacheOptions, compute: Lookup["start"]): Cache => {
  const ttlMillis = Duration.toMillis(options.ttl)
  const capacity = Math.max(1, options.capacity ?? 10_000)
  const entries = new Map<string, Entry>()
  const inFlight = new Map<string, Pending<Resolution>>()

  const store = (key: string, resolution: Resolution, began: number) => {
    const session = resolution.session
    if (!session.isAuthenticated) return
    const remaining = session.userInfo.session?.remainingSeconds
    const lifetime = typeof remaining === "number" ? Math.min(ttlMillis, remaining * 1000) : ttlMillis
    if (!(lifetime > 0)) return
    entries.delete(key)
    entries.set(key, { user: session.user, userInfo: session.userInfo, expiresAt: began + lifetime })
    while (entries.size > capacity) entries.delete(entries.keys().next().value!)
  }

  const hit: Cache["hit"] = (token, caller) => {
    const key = digest(token)
    const entry = entries.get(key)
    if (entry === undefined) return undefined
    entries.delete(key)
    if (entry.expiresAt <= now(caller)) return undefined
    entries.set(key, entry) // most recently used
    count(hits, caller)
    return {
      session: { token, user: entry.user, isAuthenticated: true, userInfo: entry.userInfo },
      outcome: "authenticated"
    }
  }

  const start: Cache["start"] = (token, complete, caller) => {
    const key = digest(token)
    const pending = inFlight.get(key)
    if (pending !== undefined) {
      count(shared, caller)
      pending.onComplete(complete)
      return
    }
    count(misses, caller)
    const began = now(caller)
    const call = new Pending<Resolution>()
    inFlight.set(key, call)
    compute(token, (resolution) => {
      inFlight.delete(key)
      store(key, resolution, began)
      call.complete(resolution)
      complete(resolution)
    }, caller)
  }

  const lookup = (token: Redacted.Redacted<string>): Effect.Effect<Resolution> =>
    Effect.withFiberRuntime((fiber) => {
      const found = hit(token, fiber)
      if (found !== undefined) return Effect.succeed(found)
      const result = new Pending<Resolution>()
      start(token, result.complete, fiber)
      return result.await
    })

  return {
    hit,
    start,
    lookup,
    evict: (token) => Effect.sync(() => void entries.delete(digest(token))),
    keys: () => [...entries.keys()]
  }
}
