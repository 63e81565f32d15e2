// The pvesh JSON form of a config section: integers and booleans as numbers, raw lxc lines as
// pairs, env NUL-joined, description raw (with its trailing newline).
import type { ConfSection } from "./conf.js";
import { lookupKey } from "./schema.js";

export function sectionToJson(s: ConfSection): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of s.keys) {
    const t = lookupKey(k)?.def.type;
    out[k] = (t === "integer" || t === "boolean") && /^-?\d+$/.test(v) ? Number(v) : v;
  }
  if (s.description !== undefined) out["description"] = s.description;
  if (s.env.length) out["env"] = s.env.join("\0");
  if (s.lxc.length) out["lxc"] = s.lxc.map(([k, v]) => [k, v]);
  return out;
}
