// Names of mounts and devices are configuration only (Proxmox stores slots). A container read
// without them (import, adoption) has its items named by slot (`mp0`, `dev1`); a configured item
// at the same place adopts such an item, so a hand-written configuration plans no change.
import { isUnknown } from "../../src/config/value.js";
import type { Attrs } from "../../src/provider/types.js";
import { gpuDevices } from "./gpu.js";
import type { Obj } from "./slots.js";

const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) && !isUnknown(v) ? (v as Obj) : {});

/** Mounts are the same place when they mount the same kind of thing at the same path. */
const sameMount = (want: Obj, have: Obj) => want["path"] === have["path"] && (typeof want["host_path"] === "string") === (typeof have["host_path"] === "string");
const sameDevice = (want: Obj, have: Obj) => want["path"] === have["path"];

function adopt(config: unknown, prior: unknown, prefix: "mp" | "dev", same: (want: Obj, have: Obj) => boolean): Record<string, string> | undefined {
  const wanted = obj(config);
  const held = obj(prior);
  const renames: Record<string, string> = {};
  const taken = new Set<string>();
  for (const [name, item] of Object.entries(wanted)) {
    if (name in held) continue;
    const match = Object.entries(held).find(([n, h]) => {
      const slot = obj(h)["slot"];
      // Only a name a read gave (the slot's own key), never one the configuration chose.
      return n === `${prefix}${String(slot)}` && !(n in wanted) && !taken.has(n) && same(obj(item), obj(h));
    });
    if (match) {
      renames[match[0]] = name;
      taken.add(match[0]);
    }
  }
  return Object.keys(renames).length ? renames : undefined;
}

function renamed(items: Obj, renames: Record<string, string>): Obj {
  return Object.fromEntries(Object.entries(items).map(([n, v]) => [renames[n] ?? n, v]));
}

/** `prior` with slot-named mounts and devices renamed to the configured items they are. */
export function adoptSlotNames(config: Attrs, prior: Attrs): Attrs {
  const mounts = adopt(config["mount"], prior["mount"], "mp", sameMount);
  // A gpu block stands for the devices it expands to (caps devices aside: they follow the node).
  const gpu = config["gpu"] ? gpuDevices(obj(config["gpu"])) : {};
  const devices = adopt({ ...obj(config["device"]), ...gpu }, prior["device"], "dev", sameDevice);
  if (!mounts && !devices) return prior;
  const out: Attrs = { ...prior };
  if (mounts) {
    out["mount"] = renamed(obj(prior["mount"]), mounts);
    out["mount_names"] = Object.fromEntries(Object.entries(obj(prior["mount_names"])).map(([k, n]) => [k, mounts[String(n)] ?? n]));
  }
  if (devices) {
    out["device"] = renamed(obj(prior["device"]), devices);
    out["device_names"] = Object.fromEntries(Object.entries(obj(prior["device_names"])).map(([k, n]) => [k, devices[String(n)] ?? n]));
  }
  return out;
}
