/**
 * The opt-in cross-request cache of authenticated lookups.
 *
 * - keyed by the SHA-256 digest of the token, never the token; entries hold
 *   the user and envelope, not the token (the session is rebuilt with the
 *   request's own token on a hit);
 * - bounded: least recently used entries are evicted past `capacity`;
 * - an entry lives the smaller of `ttl` and the session's `remainingSeconds`;
 * - only authenticated results are stored; concurrent lookups of one token
 *   share one call, whatever its result.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as Metric from "effect/Metric"
import * as Redacted from "effect/Redacted"
import { createHash } from "node:crypto"
import { cacheLookups } from "../Metrics.js"
import type { User, UserInfo } from "../UserInfo.js"
import type { Resolution } from "./userinfo.js"

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
  /** A fresh entry for the token at `now`, marked most recently used; no call. */
  readonly hit: (token: Redacted.Redacted<string>, now: number) => Resolution | undefined
  /** The call for a token not in the cache, shared with concurrent callers; stores a success. */
  readonly load: (token: Redacted.Redacted<string>) => Effect.Effect<Resolution>
  /** `hit`, else `load`. */
  readonly lookup: (token: Redacted.Redacted<string>) => Effect.Effect<Resolution>
  readonly evict: (token: Redacted.Redacted<string>) => Effect.Effect<void>
  /** The keys held, for tests: digests, never tokens. */
  readonly keys: () => ReadonlyArray<string>
}

/** @internal */
export const digest = (token: Redacted.Redacted<string>): string =>
  createHash("sha256").update(Redacted.value(token)).digest("base64url")

/** @internal */
export const hits = Metric.tagged(cacheLookups, "result", "hit")
const misses = Metric.tagged(cacheLookups, "result", "miss")
const shared = Metric.tagged(cacheLookups, "result", "shared")

/** @internal */
export const makeCache = (
  options: CacheOptions,
  compute: (token: Redacted.Redacted<string>) => Effect.Effect<Resolution>
): Cache => {
  const ttlMillis = Duration.toMillis(options.ttl)
  const capacity = Math.max(1, options.capacity ?? 10_000)
  const entries = new Map<string, Entry>()
  const inFlight = new Map<string, Deferred.Deferred<Resolution>>()

  const store = (key: string, resolution: Resolution, now: number) => {
    const session = resolution.session
    if (!session.isAuthenticated) return
    const remaining = session.userInfo.session?.remainingSeconds
    const lifetime = typeof remaining === "number" ? Math.min(ttlMillis, remaining * 1000) : ttlMillis
    if (!(lifetime > 0)) return
    entries.delete(key)
    entries.set(key, { user: session.user, userInfo: session.userInfo, expiresAt: now + lifetime })
    while (entries.size > capacity) entries.delete(entries.keys().next().value!)
  }

  const hit = (token: Redacted.Redacted<string>, now: number): Resolution | undefined => {
    const key = digest(token)
    const entry = entries.get(key)
    if (entry === undefined) return undefined
    entries.delete(key)
    if (entry.expiresAt <= now) return undefined
    entries.set(key, entry) // most recently used
    return {
      session: { token, user: entry.user, isAuthenticated: true, userInfo: entry.userInfo },
      outcome: "authenticated"
    }
  }

  const load = (token: Redacted.Redacted<string>): Effect.Effect<Resolution> =>
    Effect.suspend(() => {
      const key = digest(token)
      const pending = inFlight.get(key)
      if (pending !== undefined) return Effect.zipRight(Metric.increment(shared), Deferred.await(pending))
      const deferred = Deferred.unsafeMake<Resolution>(FiberId.none)
      inFlight.set(key, deferred)
      const run = compute(token).pipe(
        Effect.tap((resolution) =>
          Effect.flatMap(Clock.currentTimeMillis, (done) => Effect.sync(() => store(key, resolution, done)))
        ),
        Effect.ensuring(Effect.sync(() => inFlight.delete(key))),
        Effect.intoDeferred(deferred)
      )
      return Effect.zipRight(
        Effect.zipRight(Metric.increment(misses), Effect.forkDaemon(run)),
        Deferred.await(deferred)
      )
    })

  const lookup = (token: Redacted.Redacted<string>): Effect.Effect<Resolution> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const found = hit(token, now)
      return found === undefined ? load(token) : Effect.as(Metric.increment(hits), found)
    })

  return {
    hit,
    load,
    lookup,
    evict: (token) => Effect.sync(() => void entries.delete(digest(token))),
    keys: () => [...entries.keys()]
  }
}
