// From a zfs_dataset configuration to what the dataset should hold: the profile's properties under
// the user's own, each canonicalised as `zfs get -Hp` prints it, and the planned attributes in the
// user's spelling. Also the configuration checks that need no node (validate). Pure.
import { isUnknown, Unknown } from "../../src/config/value.js";
import type { Attrs, ProviderIssue } from "../../src/provider/types.js";
import { hostIds, type OwnerConfig } from "./access.js";
import { canonValue } from "./canon.js";
import { DEDICATED } from "./fields.js";
import { PROFILE } from "./profiles.js";

export const known = (v: unknown): boolean => v !== undefined && v !== null && !isUnknown(v);

/** The property map the dataset should have, in the user's spelling: profile first, the user's properties win. */
export function desiredProperties(config: Attrs): Record<string, unknown> {
  const profile = typeof config["profile"] === "string" ? PROFILE.get(config["profile"]) : undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(profile?.props ?? {})) out[k] = v.value;
  const own = config["properties"];
  if (isUnknown(own)) return out;
  for (const [k, v] of Object.entries((own ?? {}) as Record<string, unknown>)) out[k] = v;
  return out;
}

export function validateDataset(config: Attrs): ProviderIssue[] {
  const issues: ProviderIssue[] = [];
  const own = config["properties"];
  if (own && !isUnknown(own)) {
    for (const [k, v] of Object.entries(own as Record<string, unknown>)) {
      if ((DEDICATED as readonly string[]).includes(k)) {
        issues.push({
          severity: "error",
          path: ["properties", k],
          summary: "Property has its own argument",
          detail: `Write ${k} = "..." as an argument of the resource instead of inside properties.`,
        });
        continue;
      }
      if (k.startsWith("pmxform:")) {
        issues.push({
          severity: "error",
          path: ["properties", k],
          summary: "Reserved property",
          detail: `pmxform: user properties are pmxform's own (the ownership marker). Use another prefix, e.g. "com.example:${k.slice(8)}".`,
        });
        continue;
      }
      if (typeof v !== "string") continue;
      const c = canonValue(k, v);
      if ("error" in c) issues.push({ severity: "error", path: ["properties", k], summary: "Invalid ZFS property", detail: `${c.error}.` });
    }
  }
  for (const k of ["quota", "refquota", "reservation"]) {
    const v = config[k];
    if (typeof v !== "string") continue;
    const c = canonValue(k, v);
    if ("error" in c) issues.push({ severity: "error", path: [k], summary: "Invalid size", detail: `${c.error}.` });
  }
  const owner = config["owner"] as Record<string, unknown> | undefined;
  if (owner && typeof owner["uid"] === "number" && typeof owner["gid"] === "number" && !isUnknown(owner["unprivileged"]) && !isUnknown(owner["idmap"])) {
    const h = hostIds(owner as unknown as OwnerConfig);
    if ("error" in h)
      issues.push({ severity: "error", path: ["owner"], summary: "Owner cannot be mapped to host ids", detail: `${h.error}. Use ids the map covers, or set the host ids with unprivileged = false.` });
    if (config["mountpoint"] === "none" || config["mountpoint"] === "legacy") {
      issues.push({
        severity: "error",
        path: ["owner"],
        summary: "Owner of an unmounted dataset",
        detail: `A dataset with mountpoint = "${String(config["mountpoint"])}" has no directory pmxform can chown. Remove the owner block or give it a mountpoint.`,
      });
    }
  }
  return issues;
}

/** Canonical values of a property map (what `zfs get -Hp` prints); unknown values stay unknown. */
export function canonical(props: Record<string, unknown>): Record<string, string | Unknown> {
  const out: Record<string, string | Unknown> = {};
  for (const [k, v] of Object.entries(props)) {
    if (isUnknown(v)) out[k] = v;
    else {
      const c = canonValue(k, String(v));
      out[k] = "value" in c ? c.value : String(v);
    }
  }
  return out;
}

/** The planned owner block: as configured plus the host ids it maps to. */
export function plannedOwner(config: Attrs): Attrs | null {
  const o = config["owner"] as Record<string, unknown> | undefined;
  if (!o) return null;
  const anyUnknown = Object.values(o).some(isUnknown);
  const h = anyUnknown ? undefined : hostIds(o as unknown as OwnerConfig);
  return {
    uid: o["uid"],
    gid: o["gid"],
    unprivileged: o["unprivileged"] ?? null,
    idmap: o["idmap"] ?? null,
    host_uid: h && "uid" in h ? h.uid : new Unknown("number"),
    host_gid: h && "gid" in h ? h.gid : new Unknown("number"),
  };
}
