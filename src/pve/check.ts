// Scalar checks shared by top-level keys and property-string sub-keys, returning the message
// fragments PVE::JSONSchema prints (`value must have a minimum value of 16`, ...).

import { ZONE_TAB } from "./zones.js";

// Own address checks instead of node:net's isIP: loading node:net costs every sim call start-up time.
const V4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
function isIP(v: string): 0 | 4 | 6 {
  if (V4.test(v)) return 4;
  if (!/^[0-9a-fA-F:.]+$/.test(v) || !v.includes(":")) return 0;
  let head = v;
  let groupsNeeded = 8;
  const lastColon = v.lastIndexOf(":");
  if (v.slice(lastColon + 1).includes(".")) {
    if (!V4.test(v.slice(lastColon + 1))) return 0;
    head = v.slice(0, lastColon + 1) + "0";
    groupsNeeded = 7;
  }
  const parts = head.split("::");
  if (parts.length > 2) return 0;
  const groups = parts.map((p) => (p === "" ? [] : p.split(":")));
  if (groups.some((g) => g.some((x) => !/^[0-9a-fA-F]{1,4}$/.test(x)))) return 0;
  const count = groups.reduce((n, g) => n + g.length, 0);
  return (parts.length === 2 ? count < groupsNeeded : count === groupsNeeded) ? 6 : 0;
}

export interface ScalarDef {
  type: "boolean" | "integer" | "number" | "string";
  pattern?: RegExp;
  enum?: readonly string[];
  min?: number;
  max?: number;
  maxLength?: number;
  format?: string;
}

const TRUE = new Set(["1", "on", "yes", "true"]);
const FALSE = new Set(["0", "off", "no", "false"]);

/** PVE's parse_boolean: "1"/"0" for the accepted spellings, undefined otherwise. */
export function parseBoolean(v: string): "1" | "0" | undefined {
  const l = v.toLowerCase();
  if (TRUE.has(l)) return "1";
  if (FALSE.has(l)) return "0";
  return undefined;
}

/** Checks one value; returns the error fragment, or undefined when valid. */
export function checkScalar(def: ScalarDef, value: string): string | undefined {
  if (def.type === "boolean") {
    return parseBoolean(value) === undefined ? `type check ('boolean') failed - got '${value}'` : undefined;
  }
  if (def.type === "integer" || def.type === "number") {
    const re = def.type === "integer" ? /^-?\d+$/ : /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
    if (!re.test(value)) return `type check ('${def.type}') failed - got '${value}'`;
    const n = Number(value);
    if (def.min !== undefined && n < def.min) return `value must have a minimum value of ${def.min}`;
    if (def.max !== undefined && n > def.max) return `value must have a maximum value of ${def.max}`;
    return undefined;
  }
  if (def.maxLength !== undefined && value.length > def.maxLength) {
    return `value may only be ${def.maxLength} characters long`;
  }
  if (def.enum && !def.enum.includes(value)) {
    return `value '${value}' does not have a value in the enumeration '${def.enum.join(", ")}'`;
  }
  if (def.pattern && !def.pattern.test(value)) return "value does not match the regex pattern";
  if (def.format) {
    const err = checkNamedFormat(def.format, value);
    if (err) return `invalid format - ${err}`;
  }
  return undefined;
}

const DNS_LABEL = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9\\-]*[a-zA-Z0-9])?)";
const DNS_NAME = new RegExp(`^(?:${DNS_LABEL}\\.)*${DNS_LABEL}$`);
const TAG = /^[a-z0-9_][a-z0-9_\-+.]*$/i;
const CONFIGID = /^[a-z][a-z0-9_-]+$/i;
const DISK_SIZE = /^\d+(?:\.\d+)?(?:[KMGT](?:iB)?)?$/;

function isIPv4Cidr(v: string): boolean {
  const m = /^([^/]+)\/(\d+)$/.exec(v);
  return !!m && isIP(m[1]!) === 4 && Number(m[2]) >= 8 && Number(m[2]) <= 32;
}
function isIPv6Cidr(v: string): boolean {
  const m = /^([^/]+)\/(\d+)$/.exec(v);
  return !!m && isIP(m[1]!) === 6 && Number(m[2]) >= 8 && Number(m[2]) <= 128;
}

/** Named formats (pve-common's register_format verifiers); returns the inner message. */
export function checkNamedFormat(format: string, v: string): string | undefined {
  switch (format) {
    case "dns-name":
      return DNS_NAME.test(v) ? undefined : "value does not look like a valid DNS name";
    case "dns-name-list":
      for (const p of v.split(/[;, ]+/).filter(Boolean)) {
        if (!DNS_NAME.test(p)) return "value does not look like a valid DNS name";
      }
      return undefined;
    case "lxc-ip-with-ll-iface-list":
      // pve-container Config.pm verify_ip_with_ll_iface: `%iface` only after an fe80: address,
      // with pve_verify_iface's name rule; anything else must be a plain address (pve_verify_ip).
      for (const p of v.split(/[;, ]+/).filter(Boolean)) {
        const ll = /^(fe80:[^%]+)%(.*)$/s.exec(p);
        if (ll && isIP(ll[1]!) === 6 && /^[a-z][a-z0-9_]{1,20}(?:[:.]\d+)?$/i.test(ll[2]!)) continue;
        if (isIP(p) === 0) return "value does not look like a valid IP address";
      }
      return undefined;
    case "ipv4":
      return isIP(v) === 4 ? undefined : "value does not look like a valid IPv4 address";
    case "ipv6":
      return isIP(v) === 6 ? undefined : "value does not look like a valid IPv6 address";
    case "pve-ipv4-config":
      return v === "dhcp" || v === "manual" || isIPv4Cidr(v) ? undefined : "value does not look like a valid ipv4 network configuration";
    case "pve-ipv6-config":
      return v === "auto" || v === "dhcp" || v === "manual" || isIPv6Cidr(v) ? undefined : "value does not look like a valid ipv6 network configuration";
    case "mac-addr":
      return /^[a-f0-9][02468ace](?::[a-f0-9]{2}){5}$/i.test(v) ? undefined : "value does not look like a valid unicast MAC address";
    case "pve-configid":
      return CONFIGID.test(v) && v.length <= 40 ? undefined : `invalid configuration ID '${v}'`;
    case "pve-volume-id":
      return /^([a-z][a-z0-9\-_.]*[a-z0-9]):(.+)$/i.test(v) ? undefined : `unable to parse volume ID '${v}'`;
    case "pve-tag-list": {
      const tags = v.split(/[;, ]+/).filter(Boolean);
      if (tags.length === 0) return "empty tag list";
      for (const t of tags) if (!TAG.test(t)) return `invalid tag '${t}'`;
      return undefined;
    }
    case "pve-ct-timezone":
      // Config.pm verify_ct_timezone -> JSONSchema.pm pve_verify_timezone: UTC or a zone.tab name
      return v === "host" || v === "UTC" || ZONE_TAB.has(v) ? undefined : `invalid time zone '${v}'`;
    case "pve-startup-order":
      // pve-common JSONSchema.pm pve_parse_startup_order: plain digits only, an empty value fails
      if (v === "" || v.split(",").some((p) => !/^\s*$/.test(p) && !/^(?:(?:order=)?\d+|up=\d+|down=\d+)$/.test(p))) return "unable to parse startup options";
      return undefined;
    case "disk-size":
      return DISK_SIZE.test(v) ? undefined : `unable to parse size '${v}'`;
    case "pve-lxc-mp-string":
      return /(?:^|\/)\.\.?(?:\/|$)/.test(v) ? "invalid character in mount point path" : undefined;
    case "pve-lxc-dev-string":
      if (!v.startsWith("/dev/") || /\/\.\.?(?:\/|$)/.test(v)) return `${v} is not a valid device path`;
      return undefined;
    default:
      return undefined;
  }
}
