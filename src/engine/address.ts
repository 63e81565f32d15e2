// Resource addresses: `type.name`, `type.name[0]`, `type.name["key"]`, each optionally inside
// module instances (`module.media["a"].module.db.lxc_container.x[0]`); formatting and parsing.

export type InstanceKey = number | string | undefined;

export function instanceAddress(declAddress: string, key: InstanceKey): string {
  if (key === undefined) return declAddress;
  return typeof key === "number" ? `${declAddress}[${key}]` : `${declAddress}[${JSON.stringify(key)}]`;
}

export interface ParsedAddress {
  type: string;
  name: string;
  key: InstanceKey;
  /** `type.name` without the instance key, with the module path in front when there is one. */
  decl: string;
  /** The module instance path (`module.a["k"].module.b`), "" at the root. */
  module: string;
}

const IDENT = `[A-Za-z_][A-Za-z0-9_-]*`;
const KEY = `\\[(?:\\d+|"(?:[^"\\\\]|\\\\.)*")\\]`;
const MODULE_STEP = `module\\.${IDENT}(?:${KEY})?`;
const MODULE_PATH = new RegExp(`^${MODULE_STEP}(?:\\.${MODULE_STEP})*$`);
const ADDRESS = new RegExp(`^((?:${MODULE_STEP}\\.)*)(${IDENT})\\.(${IDENT})(?:\\[(\\d+|"(?:[^"\\\\]|\\\\.)*")\\])?$`);

export function parseAddress(text: string): ParsedAddress | undefined {
  const m = ADDRESS.exec(text.trim());
  if (!m) return undefined;
  const [, prefix, type, name, rawKey] = m;
  // `module.a.b` names module a's ... nothing: "module" is never a resource type.
  if (type === "module") return undefined;
  let key: InstanceKey;
  if (rawKey !== undefined) key = rawKey.startsWith('"') ? (JSON.parse(rawKey) as string) : Number(rawKey);
  const module = prefix ? prefix.slice(0, -1) : "";
  return { type: type!, name: name!, key, decl: `${prefix}${type}.${name}`, module };
}

/** True for a module call or instance address (`module.a`, `module.a[0].module.b`). */
export function isModuleAddress(text: string): boolean {
  return MODULE_PATH.test(text.trim());
}

/** A resource or module address that -target, state list/rm and moved accept. */
export function parseTargetAddress(text: string): boolean {
  return parseAddress(text) !== undefined || isModuleAddress(text);
}

/**
 * True when `address` is `target`, an instance of it (`lxc_container.db` matches
 * `lxc_container.db["a"]`), or inside it when `target` is a module (`module.m` matches
 * `module.m[0].lxc_container.x`).
 */
export function addressMatches(target: string, address: string): boolean {
  if (address === target) return true;
  if (!address.startsWith(target)) return false;
  const next = address[target.length];
  return next === "[" || (next === "." && isModuleAddress(target));
}

/** A state entry with its `module` field set to the module path of its address (absent at the root). */
export function withModule<T extends { module?: string }>(entry: T, module: string): T {
  if (module) entry.module = module;
  else delete entry.module;
  return entry;
}
