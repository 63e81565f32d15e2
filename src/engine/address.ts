// Resource addresses: `type.name`, `type.name[0]`, `type.name["key"]`; formatting and parsing.

export type InstanceKey = number | string | undefined;

export function instanceAddress(declAddress: string, key: InstanceKey): string {
  if (key === undefined) return declAddress;
  return typeof key === "number" ? `${declAddress}[${key}]` : `${declAddress}[${JSON.stringify(key)}]`;
}

export interface ParsedAddress {
  type: string;
  name: string;
  key: InstanceKey;
  /** `type.name` without the instance key. */
  decl: string;
}

const ADDRESS = /^([A-Za-z_][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)(?:\[(\d+|"(?:[^"\\]|\\.)*")\])?$/;

export function parseAddress(text: string): ParsedAddress | undefined {
  const m = ADDRESS.exec(text.trim());
  if (!m) return undefined;
  const [, type, name, rawKey] = m;
  let key: InstanceKey;
  if (rawKey !== undefined) key = rawKey.startsWith('"') ? (JSON.parse(rawKey) as string) : Number(rawKey);
  return { type: type!, name: name!, key, decl: `${type}.${name}` };
}

/** True when `address` is `target` or an instance of it (`lxc_container.db` matches `lxc_container.db["a"]`). */
export function addressMatches(target: string, address: string): boolean {
  return address === target || (address.startsWith(target) && address[target.length] === "[");
}
