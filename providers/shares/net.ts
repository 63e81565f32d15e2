// Client and network specs as Samba's `hosts allow` and nfs-utils' exports(5) take them: pure
// checks shared by the schema (plan-time errors at the attribute) and the file parsers.

/** IPv4 dotted quad, each part 0-255 without leading zeros (inet_pton's rules). */
function isIpv4(s: string): boolean {
  const parts = s.split(".");
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** IPv6 as inet_pton accepts it (one "::" at most, 8 groups, an IPv4 tail allowed). */
function isIpv6(s: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.split("::").length > 2) return false;
  const [head, tail] = s.includes("::") ? s.split("::") : [s, undefined];
  const groups = (x: string | undefined) => (x ? x.split(":") : []);
  const all = [...groups(head), ...groups(tail)];
  let count = all.length;
  const last = all[all.length - 1];
  if (last !== undefined && last.includes(".")) {
    if (!isIpv4(last)) return false;
    count += 1; // an IPv4 tail fills two groups
    all.pop();
  }
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return tail === undefined ? count === 8 : count <= 7;
}

export function isIp(s: string): boolean {
  return isIpv4(s) || isIpv6(s);
}

/** ADDRESS/PREFIX with the prefix within the family's width and no host bits set (a network, not a host). */
export function cidrProblem(s: string): string | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m) return isIp(s) ? undefined : `"${s}" is not an IP address or a network in CIDR notation (such as 192.168.1.0/24)`;
  const [, addr, len] = m as unknown as [string, string, string];
  const v4 = isIpv4(addr);
  if (!v4 && !isIpv6(addr)) return `"${addr}" in "${s}" is not an IP address`;
  const width = v4 ? 32 : 128;
  if (Number(len) > width) return `the prefix length /${len} of "${s}" is larger than ${width}`;
  if (v4) {
    const n = addr.split(".").reduce((a, p) => a * 256 + Number(p), 0);
    const hostBits = 2 ** (32 - Number(len));
    if (n % hostBits !== 0) return `"${s}" has host bits set: the network is ${networkOf(n, hostBits)}/${len}`;
  }
  return undefined;
}

function networkOf(n: number, hostBits: number): string {
  const net = n - (n % hostBits);
  return [24, 16, 8, 0].map((shift) => Math.floor(net / 2 ** shift) % 256).join(".");
}

/** A host name as exports(5) and Samba take one: letters, digits, hyphens, dots; `*`/`?` wildcards only where `wildcards`. */
export function isHostName(s: string, wildcards: boolean): boolean {
  const label = wildcards ? /^[A-Za-z0-9*?]([A-Za-z0-9*?-]{0,61}[A-Za-z0-9*?])?$/ : /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
  return s.length <= 253 && s.split(".").every((l) => label.test(l));
}

/**
 * An NFS client spec (exports(5) "Machine Name Formats"): `*`, an address, a CIDR network, a host
 * name (wildcards allowed) or an @netgroup. nfs-utils support/export/client.c client_gettype.
 */
export function nfsClientProblem(s: string): string | undefined {
  if (s === "*") return undefined;
  if (s.startsWith("@")) return /^@[A-Za-z0-9_.-]+$/.test(s) ? undefined : `"${s}" is not a netgroup name`;
  if (/[/]/.test(s) || isIp(s)) return cidrProblem(s);
  if (/^[\d.]+$/.test(s)) return `"${s}" is not an IP address`;
  return isHostName(s, true) ? undefined : `"${s}" is not a host name, an IP address, a CIDR network, @netgroup or *`;
}
