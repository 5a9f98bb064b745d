/**
 * Reading request URLs.
 *
 * @internal
 */

/**
 * The `redirect_uri` of a request URL: the value when the parameter appears
 * once, else `undefined` (a repeated parameter is refused, as Express and
 * Fastify refuse the array they parse it into).
 *
 * @internal
 */
export const redirectTarget = (url: string): string | undefined => {
  const query = url.indexOf("?")
  if (query === -1) return undefined
  const values = new URLSearchParams(url.slice(query + 1)).getAll("redirect_uri")
  return values.length === 1 ? values[0] : undefined
}
