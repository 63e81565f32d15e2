// CIDR functions: cidrhost, cidrsubnet, cidrsubnets (IPv4 and IPv6) and cidrnetmask (IPv4).
// Addresses are handled as BigInt so that IPv6 arithmetic is exact.
import type { Value } from "../value.js";
import { p, whole } from "./params.js";
import { FunctionError } from "./types.js";
import type { FunctionImpl } from "./types.js";

interface Prefix {
  v6: boolean;
  /** The network address (host bits cleared). */
  addr: bigint;
  bits: number;
}

function parseV4(s: string): bigint | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let out = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255 || (part.length > 1 && part.startsWith("0"))) return undefined;
    out = (out << 8n) | BigInt(part);
  }
  return out;
}

function parseV6(s: string): bigint | undefined {
  let text = s;
  let tail: bigint[] = [];
  const v4 = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const a = parseV4(v4[1] as string);
    if (a === undefined) return undefined;
    tail = [a >> 16n, a & 0xffffn];
    // Keep a "::" that ends right before the IPv4 part; drop a single separating colon.
    const head = text.slice(0, v4.index);
    text = head.endsWith(":") ? `${head}:` : head;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const group = (h: string): bigint[] | undefined => {
    if (h === "") return [];
    const gs = h.split(":");
    if (gs.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
    return gs.map((g) => BigInt(`0x${g}`));
  };
  const head = group(halves[0] as string);
  const rest = halves.length === 2 ? group(halves[1] as string) : [];
  if (!head || !rest) return undefined;
  const given = head.length + rest.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return undefined;
  const groups = [...head, ...Array<bigint>(8 - given).fill(0n), ...rest, ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

function parsePrefix(s: string, argIndex: number): Prefix {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  const bad = (): never => {
    throw new FunctionError(`invalid CIDR address ${JSON.stringify(s)}: write it like 10.0.0.0/16 or fd00::/48`, argIndex);
  };
  if (!m) return bad();
  const ip = m[1] as string;
  const bits = Number(m[2]);
  const v6 = ip.includes(":");
  const addr = v6 ? parseV6(ip) : parseV4(ip);
  const width = v6 ? 128 : 32;
  if (addr === undefined || bits > width) return bad();
  const hostBits = BigInt(width - bits);
  return { v6, bits, addr: (addr >> hostBits) << hostBits };
}

function formatAddr(addr: bigint, v6: boolean): string {
  if (!v6) return [24n, 16n, 8n, 0n].map((sh) => String((addr >> sh) & 0xffn)).join(".");
  const groups = Array.from({ length: 8 }, (_, i) => Number((addr >> BigInt((7 - i) * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (of two or more) of zero groups, the first one on ties.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

function subnet(prefix: Prefix, newbits: number, netnum: number, argBase: number): Prefix {
  const width = prefix.v6 ? 128 : 32;
  if (newbits < 0) throw new FunctionError("newbits must not be negative", argBase);
  if (prefix.bits + newbits > width) throw new FunctionError(`insufficient address space to extend prefix of ${prefix.bits} by ${newbits}`, argBase);
  if (netnum < 0 || BigInt(netnum) >= 1n << BigInt(newbits)) {
    throw new FunctionError(`prefix extension of ${newbits} does not accommodate a subnet numbered ${netnum}`, argBase + 1);
  }
  const bits = prefix.bits + newbits;
  return { v6: prefix.v6, bits, addr: prefix.addr | (BigInt(netnum) << BigInt(width - bits)) };
}

export const networkFunctions: Record<string, FunctionImpl> = {
  cidrhost: {
    description: "The address of a host number within a network prefix (negative numbers count from the end).",
    params: [p.string("prefix"), p.number("hostnum")],
    returns: "string",
    impl: ([pre, h]) => {
      const prefix = parsePrefix(pre as string, 0);
      const hostnum = whole(h as Value, 1, "a whole host number");
      const size = 1n << BigInt((prefix.v6 ? 128 : 32) - prefix.bits);
      const n = hostnum < 0 ? size + BigInt(hostnum) : BigInt(hostnum);
      if (n < 0n || n >= size) throw new FunctionError(`prefix of ${prefix.bits} bits cannot accommodate a host numbered ${hostnum}`, 1);
      return formatAddr(prefix.addr + n, prefix.v6);
    },
  },
  cidrsubnet: {
    description: "A subnet of a prefix: extended by newbits, numbered netnum.",
    params: [p.string("prefix"), p.number("newbits"), p.number("netnum")],
    returns: "string",
    impl: ([pre, nb, nn]) => {
      const s = subnet(parsePrefix(pre as string, 0), whole(nb as Value, 1), whole(nn as Value, 2), 1);
      return `${formatAddr(s.addr, s.v6)}/${s.bits}`;
    },
  },
  cidrsubnets: {
    description: "Consecutive subnets of a prefix, one per newbits argument, allocated in order without overlap.",
    params: [p.string("prefix")],
    variadic: p.number("newbits"),
    returns: "list",
    impl: ([pre, ...nbs]) => {
      const prefix = parsePrefix(pre as string, 0);
      const width = prefix.v6 ? 128 : 32;
      const end = prefix.addr + (1n << BigInt(width - prefix.bits));
      let cursor = prefix.addr;
      return nbs.map((nb, i) => {
        const newbits = whole(nb, i + 1);
        if (newbits < 0 || prefix.bits + newbits > width) throw new FunctionError(`insufficient address space to extend prefix of ${prefix.bits} by ${newbits}`, i + 1);
        const size = 1n << BigInt(width - prefix.bits - newbits);
        const start = ((cursor + size - 1n) / size) * size;
        if (start + size > end) throw new FunctionError(`not enough remaining address space for a subnet with a prefix of ${prefix.bits + newbits} bits`, i + 1);
        cursor = start + size;
        return `${formatAddr(start, prefix.v6)}/${prefix.bits + newbits}`;
      });
    },
  },
  cidrnetmask: {
    description: "The dotted netmask of an IPv4 prefix.",
    params: [p.string("prefix")],
    returns: "string",
    impl: ([pre]) => {
      const prefix = parsePrefix(pre as string, 0);
      if (prefix.v6) throw new FunctionError("IPv6 addresses cannot have a netmask", 0);
      const mask = ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - prefix.bits)) - 1n);
      return formatAddr(mask, false);
    },
  },
};
