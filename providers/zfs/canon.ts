// Configured property values as `zfs get -Hp` will print them, so a configuration compares with
// what the node reports: sizes in bytes ("1M" -> "1048576", "none" -> "0" for the quota family),
// index aliases folded (xattr "on" -> "sa", acltype "posixacl" -> "posix"). A value ZFS would
// refuse is reported here, at validate, with the reason zfs would print. Pure.
import { niceStrToNum, PropError } from "../../src/pve/zfs-size.js";
import { didYouMean } from "../../src/provider/schema.js";
import { FIELD, ZFS_FIELDS, isUserProperty } from "./fields.js";

export type Canon = { value: string } | { error: string };

export function canonValue(prop: string, raw: string): Canon {
  const f = FIELD.get(prop);
  if (!f) {
    if (isUserProperty(prop)) return raw.length > 8192 ? { error: "a user property value is at most 8192 characters" } : { value: raw };
    const near = didYouMean(
      prop,
      ZFS_FIELDS.map((x) => x.name),
    );
    return { error: `ZFS has no property "${prop}"${near ? ` (did you mean "${near}"?)` : ""}; user properties need a ":" in their name, e.g. "com.example:backup"` };
  }
  if (f.change === "readonly") return { error: `"${prop}" is read-only: ZFS computes it. Remove it (read it from the dataset's outputs instead)` };
  if (f.kind === "index") {
    const v = f.values?.[raw];
    return v === undefined ? { error: `"${raw}" is not a value of ${prop}; ZFS accepts ${Object.keys(f.values ?? {}).join(", ")}` } : { value: v };
  }
  if (f.kind === "size") {
    if (raw === "none" && (f.clearWithNone || prop === "special_small_blocks")) return { value: "0" };
    try {
      const n = niceStrToNum(raw);
      if (prop === "recordsize" && (n < 512 || n > 16 * 1024 ** 2 || (n & (n - 1)) !== 0)) return { error: `recordsize must be a power of 2 from 512 to 16M, not ${raw}` };
      if (prop === "special_small_blocks" && n > 16 * 1024 ** 2) return { error: "special_small_blocks must be between 0 and 16M" };
      return { value: String(n) };
    } catch (e) {
      if (e instanceof PropError) return { error: `${prop} = "${raw}": ${e.message} (write a size such as "500G", "1.5T" or "none")` };
      throw e;
    }
  }
  if (prop === "mountpoint" && !(raw === "none" || raw === "legacy" || raw.startsWith("/"))) return { error: `mountpoint must be an absolute path, "none" or "legacy", not "${raw}"` };
  if (/[\r\n\u0000]/.test(raw)) return { error: "line breaks and NUL cannot be passed to zfs" };
  return { value: raw };
}

/** Canonical value, or the value itself when it cannot be read (validate has reported it). */
export const canonOr = (prop: string, raw: string): string => {
  const c = canonValue(prop, raw);
  return "value" in c ? c.value : raw;
};
