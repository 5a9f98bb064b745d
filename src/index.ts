/**
 * @authdog/effect: Authdog authentication for Effect HTTP servers.
 *
 * @since 0.1.0
 */
export * from "./Authdog.js"
export * from "./AuthdogSession.js"
export * as AuthdogTest from "./AuthdogTest.js"
export * from "./Cookies.js"
export * from "./Gate.js"
export * from "./HttpApi.js"
export * from "./IdentityHost.js"
export * from "./LayerRouter.js"
export * from "./Logout.js"
export * from "./Metrics.js"
export * from "./PublicKey.js"
export * from "./Redirect.js"
export * from "./Token.js"
export * from "./Unauthorized.js"
export * from "./Unavailable.js"
export * from "./UserInfo.js"
