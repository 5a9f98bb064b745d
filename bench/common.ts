/**
 * Shared pieces of the benchmark: the public key every server is configured
 * with, the production identity host it names, and the helpers the
 * node-commons servers (express, fastify, node-http) use to behave like
 * `@authdog/express` / `@authdog/fastify`.
 */
import type { UserInfoResponse } from "@authdog/node-commons"
import { fetchUserData, isAuthenticatedUserInfo, parseCookies } from "@authdog/node-commons"

/** The identity host named by the public key. Outbound clients rewrite it to IDP_URL. */
export const IDENTITY_HOST = "https://id.authdog.com"

export const ENVIRONMENT_ID = "bench"

export const PUBLIC_KEY = "pk_" +
  Buffer.from(JSON.stringify({ environmentId: ENVIRONMENT_ID, identityHost: IDENTITY_HOST })).toString("base64")

export const COOKIE_NAME = "authdog-session"

export const UNAUTHORIZED_BODY = JSON.stringify({ error: "Unauthorized" })

export const requiredEnv = (name: string): string => {
  const value = process.env[name]
  if (value === undefined || value === "") {
    throw new Error(`missing environment variable ${name}`)
  }
  return value
}

/** The loopback identity provider origin, without trailing slash. */
export const idpUrl = (): string => requiredEnv("IDP_URL").replace(/\/+$/, "")

export const port = (): number => Number(requiredEnv("PORT"))

/**
 * Wraps `globalThis.fetch` so that requests to `https://id.authdog.com/...`
 * go to the loopback identity provider instead. node-commons calls the global
 * `fetch` at call time, so it picks the wrapper up; it still validates
 * `https://id.authdog.com` against its allowlist, as in production.
 */
export const rewriteGlobalFetch = (target: string): void => {
  const originalFetch = globalThis.fetch
  const prefix = IDENTITY_HOST + "/"
  globalThis.fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url
    if (url.startsWith(prefix)) {
      return originalFetch(target + url.slice(IDENTITY_HOST.length), init)
    }
    return originalFetch(input, init)
  }
}

export interface AuthdogContext {
  readonly token: string | null
  readonly user: unknown
  readonly isAuthenticated: boolean
  readonly userInfo: UserInfoResponse | null
}

const BEARER = /^Bearer\s+/i

export const bearerToken = (authorization: string | undefined): string | null => {
  if (authorization === undefined || !BEARER.test(authorization)) return null
  const token = authorization.replace(BEARER, "").trim()
  return token === "" ? null : token
}

export const cookieToken = (cookieHeader: string | undefined): string | null => {
  const found = parseCookies(cookieHeader ?? null).find((cookie) => cookie.name === COOKIE_NAME)
  return found === undefined || found.value === "" ? null : found.value
}

/** Bearer first, then the `authdog-session` cookie (what @authdog/express does). */
export const tokenBearerFirst = (headers: { authorization?: string | undefined; cookie?: string | undefined }) =>
  bearerToken(headers.authorization) ?? cookieToken(headers.cookie)

/** Cookie first, then Bearer (what @authdog/fastify does). */
export const tokenCookieFirst = (headers: { authorization?: string | undefined; cookie?: string | undefined }) =>
  cookieToken(headers.cookie) ?? bearerToken(headers.authorization)

/** One userinfo lookup through node-commons; any failure yields an unauthenticated context. */
export const resolveContext = async (
  identityHost: string,
  environmentId: string,
  token: string | null
): Promise<AuthdogContext> => {
  if (token === null) {
    return { token: null, user: null, isAuthenticated: false, userInfo: null }
  }
  try {
    const userInfo = await fetchUserData(identityHost, environmentId, token)
    const isAuthenticated = isAuthenticatedUserInfo(userInfo)
    return { token, user: isAuthenticated ? userInfo.user : null, isAuthenticated, userInfo }
  } catch {
    return { token, user: null, isAuthenticated: false, userInfo: null }
  }
}
