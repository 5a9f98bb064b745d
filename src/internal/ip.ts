/**
 * IP literal classification for the identity-host guard.
 *
 * The WHATWG URL parser already normalizes IPv4 hosts written in decimal, octal
 * or hex (`https://2130706433` has hostname `127.0.0.1`) and IPv6 hosts to
 * their compressed, bracketed form, so this module only reads canonical text.
 *
 * @internal
 */

const ipv4Pattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

/** @internal */
export const parseIPv4 = (text: string): ReadonlyArray<number> | undefined => {
  const match = ipv4Pattern.exec(text)
  if (match === null) return undefined
  const octets = match.slice(1).map(Number)
  return octets.every((octet) => octet <= 255) ? octets : undefined
}

/** @internal */
export const parseIPv6 = (text: string): ReadonlyArray<number> | undefined => {
  let input = text
  const lastColon = input.lastIndexOf(":")
  if (input.includes(".", lastColon)) {
    // An embedded dotted IPv4 tail (`::ffff:127.0.0.1`) becomes two hex groups.
    const v4 = parseIPv4(input.slice(lastColon + 1))
    if (v4 === undefined) return undefined
    const hex = (high: number, low: number) => (high * 256 + low).toString(16)
    input = `${input.slice(0, lastColon + 1)}${hex(v4[0]!, v4[1]!)}:${hex(v4[2]!, v4[3]!)}`
  }
  const halves = input.split("::")
  if (halves.length > 2) return undefined
  const parseGroups = (part: string): Array<number> | undefined => {
    if (part === "") return []
    const groups: Array<number> = []
    for (const group of part.split(":")) {
      if (!/^[0-9a-f]{1,4}$/i.test(group)) return undefined
      groups.push(parseInt(group, 16))
    }
    return groups
  }
  const head = parseGroups(halves[0]!)
  const rest = halves.length === 2 ? parseGroups(halves[1]!) : []
  if (head === undefined || rest === undefined) return undefined
  if (halves.length === 1) return head.length === 8 ? head : undefined
  const missing = 8 - head.length - rest.length
  if (missing < 1) return undefined
  return [...head, ...Array<number>(missing).fill(0), ...rest]
}

const inRange = (octets: ReadonlyArray<number>, prefix: ReadonlyArray<number>, bits: number): boolean => {
  for (let i = 0; i < prefix.length; i++) {
    const take = Math.min(8, bits - i * 8)
    if (take <= 0) return true
    const mask = (0xff << (8 - take)) & 0xff
    if ((octets[i]! & mask) !== (prefix[i]! & mask)) return false
  }
  return true
}

const privateIPv4: ReadonlyArray<readonly [ReadonlyArray<number>, number]> = [
  [[0, 0, 0, 0], 8], // "this network", including the unspecified address
  [[10, 0, 0, 0], 8],
  [[100, 64, 0, 0], 10], // carrier-grade NAT
  [[127, 0, 0, 0], 8],
  [[169, 254, 0, 0], 16], // link-local, cloud metadata
  [[172, 16, 0, 0], 12],
  [[192, 0, 0, 0], 24], // IETF protocol assignments
  [[192, 168, 0, 0], 16],
  [[198, 18, 0, 0], 15], // benchmarking
  [[224, 0, 0, 0], 4], // multicast
  [[240, 0, 0, 0], 4] // reserved, including broadcast
]

/** @internal */
export const isPrivateIPv4 = (octets: ReadonlyArray<number>): boolean =>
  privateIPv4.some(([prefix, bits]) => inRange(octets, prefix, bits))

const embeddedIPv4 = (groups: ReadonlyArray<number>): ReadonlyArray<number> => [
  groups[6]! >> 8,
  groups[6]! & 0xff,
  groups[7]! >> 8,
  groups[7]! & 0xff
]

/** @internal */
export const isPrivateIPv6 = (groups: ReadonlyArray<number>): boolean => {
  const first = groups[0]!
  const zeroUpTo = (n: number) => groups.slice(0, n).every((group) => group === 0)
  if (zeroUpTo(8)) return true // unspecified
  if (zeroUpTo(7) && groups[7] === 1) return true // loopback
  if ((first & 0xfe00) === 0xfc00) return true // unique local fc00::/7
  if ((first & 0xffc0) === 0xfe80) return true // link-local fe80::/10
  if ((first & 0xffc0) === 0xfec0) return true // deprecated site-local fec0::/10
  if ((first & 0xff00) === 0xff00) return true // multicast
  // IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96) and NAT64 (64:ff9b::/96)
  // addresses reach the embedded IPv4 address.
  if (zeroUpTo(5) && (groups[5] === 0xffff || groups[5] === 0)) return isPrivateIPv4(embeddedIPv4(groups))
  if (first === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0)) {
    return isPrivateIPv4(embeddedIPv4(groups))
  }
  return false
}

/**
 * Whether a URL hostname (as `new URL(...).hostname` gives it) names a
 * loopback, private, link-local or otherwise non-public address.
 *
 * @internal
 */
export const isPrivateHostname = (hostname: string): boolean => {
  const host = hostname.toLowerCase().replace(/\.+$/, "")
  if (host === "localhost" || host.endsWith(".localhost")) return true
  if (host.startsWith("[") && host.endsWith("]")) {
    const groups = parseIPv6(host.slice(1, -1))
    return groups === undefined || isPrivateIPv6(groups)
  }
  const v4 = parseIPv4(host)
  return v4 !== undefined && isPrivateIPv4(v4)
}
