// Which keys of a container's conf differ between two reads of it: how an update tells its own
// writes from someone else's between its steps (apply.ts runUpdate chains the digest with it).
import { parseConf, type ConfSection } from "../../src/pve/conf.js";

/** One comparable value per key: main and pending together, so a write that lands in [pve:pending] counts as that key's. */
function keyValues(text: string): Map<string, string> {
  const conf = parseConf(text);
  const out = new Map<string, string>();
  const add = (s: ConfSection | undefined, where: string): void => {
    if (!s) return;
    for (const [k, v] of s.keys) out.set(k, `${out.get(k) ?? ""}|${where}=${v}`);
    if (s.description !== undefined) out.set("description", `${out.get("description") ?? ""}|${where}=${s.description}`);
    // Raw lines are one key to pmxform (raw_lxc); the environment lines are the entrypoint's.
    if (s.lxc.length) out.set("lxc", `${out.get("lxc") ?? ""}|${where}=${JSON.stringify(s.lxc)}`);
    if (s.env.length) out.set("lxc.environment.runtime", `${out.get("lxc.environment.runtime") ?? ""}|${where}=${JSON.stringify(s.env)}`);
    for (const d of s.delete ?? []) {
      const k = d.replace(/^!/, "");
      out.set(k, `${out.get(k) ?? ""}|delete=${d}`);
    }
  };
  add(conf.main, "main");
  add(conf.pending, "pending");
  return out;
}

/** Pure: the keys whose value (current or pending) differs between `before` and `after`, sorted. */
export function changedKeys(before: string, after: string): string[] {
  const a = keyValues(before);
  const b = keyValues(after);
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
}

/** Pure: the current value of `key` in a conf text (pending first, as it is what will apply), for messages. */
export function confValue(text: string, key: string): string | undefined {
  const conf = parseConf(text);
  return conf.pending?.keys.get(key) ?? conf.main.keys.get(key);
}

/**
 * Keys a write may change besides the ones it names: Proxmox moves a volume a write detaches
 * (a replaced or deleted mount) to the next free unusedN (pve-container Config.pm
 * add_unused_volume, called from vmconfig_apply_pending / update_pct_config).
 */
export const SIDE_EFFECT_KEY = /^unused\d+$/;
