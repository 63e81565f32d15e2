// Pins the field tables (providers/lxc/fields) to Proxmox's real container schema: every pct key
// and sub-key a table names exists in pve-lxc-schema.json (pve-container's Config.pm) with a
// compatible type, the enum values and limits agree, every sub-key Proxmox has is either modelled
// or listed here with the reason it is not, and the change class matches Proxmox's hotplug class.
// Also pins the restart classification to the simulator's key table (src/pve/schema.ts).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ZodType } from "zod";
import { sharedDir } from "../../pve/shared.js";
import {
  FEATURES,
  IDMAP,
  MOUNT_OPTIONS,
  NETWORK,
  ROOTFS,
  STARTUP,
  DEVICE,
  MOUNT,
  TOP,
  IMPORT_DEFAULTS,
  RESET_VALUE,
  NOT_RESETTABLE,
  waitsForRestart,
  type Block,
  type Change,
  type Field,
} from "../../../providers/lxc/fields/index.js";
import { KEYS, lookupKey } from "../../../src/pve/schema.js";
import { FORMATS, type FormatName } from "../../../src/pve/formats.js";

const REF_PATH = join(sharedDir, "reference", "pve-lxc-schema.json");
const HAVE_REF = existsSync(REF_PATH);

interface RefKey {
  type: "string" | "integer" | "number" | "boolean";
  enum?: string[];
  min?: number;
  max?: number;
  maxLength?: number;
  default?: unknown;
  pattern?: string;
  hotplug?: string;
  deletable?: boolean;
  index_max?: number;
  format?: Record<string, RefKey & { required?: boolean }>;
}

/** Proxmox's hotplug classes each change class may stand for. */
const HOTPLUG: Partial<Record<Change, string[]>> = { live: ["immediate", "live"], pending: ["pending"], "add-live": ["live-add-only"] };

/** Sub-keys Proxmox has that no field models, and why. */
const NOT_MODELLED: Record<string, string> = {
  "net.name": "the block label (NETWORK_LABEL_KEY)",
  "net.type": "always veth (NETWORK_FIXED)",
};

const TYPE_OF: Record<string, RefKey["type"][]> = {
  string: ["string"],
  int: ["integer"],
  number: ["number"],
  bool: ["boolean"],
  "list(string)": ["string"],
  size: ["string"],
};

const accepts = (s: ZodType, v: unknown) => s.safeParse(v).success;

describe.skipIf(!HAVE_REF)(`field tables against Proxmox's schema${HAVE_REF ? "" : ` (skipped: ${REF_PATH} not found; set PMXFORM_SHARED to the shared directory)`}`, () => {
  const ref = HAVE_REF ? (JSON.parse(readFileSync(REF_PATH, "utf8")) as Record<string, RefKey>) : {};
  const refKey = (b: Block) => ref[b.maxIndex !== undefined ? `${b.pve}[n]` : b.pve!]!;
  const blocks = TOP.filter((f) => f.block?.pve).map((f) => f.block!);

  /** Type, enum, limits and default of one table field against Proxmox's definition. */
  function sameValueRules(where: string, f: Field, r: RefKey): void {
    expect(TYPE_OF[f.type], `${where}: type ${f.type} vs ${r.type}`).toContain(r.type);
    if (!f.schema) return;
    const s = f.schema;
    if (r.enum) {
      for (const v of r.enum) expect(accepts(s, v), `${where} accepts ${v}`).toBe(true);
      expect(accepts(s, "not-a-value"), `${where} refuses other values`).toBe(false);
    }
    if (r.type === "integer" || r.type === "number") {
      if (r.min !== undefined) {
        expect(accepts(s, r.min), `${where} accepts its minimum ${r.min}`).toBe(true);
        expect(accepts(s, r.min - 1), `${where} refuses ${r.min - 1}`).toBe(false);
      }
      if (r.max !== undefined) {
        expect(accepts(s, r.max), `${where} accepts its maximum ${r.max}`).toBe(true);
        expect(accepts(s, r.max + 1), `${where} refuses ${r.max + 1}`).toBe(false);
      }
      expect(accepts(s, r.type === "integer" ? 1.5 : "x"), `${where} refuses a non-${r.type}`).toBe(false);
    }
    if (r.maxLength !== undefined && f.type === "string" && f.attr === "description") {
      expect(accepts(s, "x".repeat(r.maxLength))).toBe(true);
      expect(accepts(s, "x".repeat(r.maxLength + 1))).toBe(false);
    }
    if (r.type === "boolean") expect(accepts(s, true) && accepts(s, false)).toBe(true);
  }

  it("every top-level pct key exists with a compatible type, enum, limits and hotplug class", () => {
    const scalars = TOP.filter((f) => f.pve && !f.block);
    expect(scalars.length).toBeGreaterThan(15);
    for (const f of scalars) {
      const r = ref[f.pve!];
      expect(r, `pct key ${f.pve} of ${f.attr}`).toBeDefined();
      sameValueRules(f.pve!, f, r!);
      const change = f.change === "replace" ? f.pctSet : f.change;
      const allowed = [...(HOTPLUG[change!] ?? []), ...(f.change === "replace" ? ["immutable"] : [])];
      expect(allowed, `${f.pve}: change ${f.change} vs hotplug ${r!.hotplug}`).toContain(r!.hotplug);
    }
  });

  it("the defaults import leaves out and the reset values are Proxmox's defaults; keys --delete refuses are never deleted", () => {
    const pveDefault = (k: string) => {
      const r = ref[k]!;
      return r.type === "boolean" ? r.default === 1 : r.default;
    };
    for (const [attr, v] of Object.entries(IMPORT_DEFAULTS)) expect(v, attr).toEqual(pveDefault(attr));
    for (const [attr, v] of Object.entries(RESET_VALUE)) expect(v, attr).toEqual(pveDefault(attr));
    for (const f of TOP.filter((x) => x.pve && ref[x.pve]?.deletable === false)) {
      expect(NOT_RESETTABLE.has(f.attr) || f.attr in RESET_VALUE, `${f.pve} cannot be deleted: the table must never reset it`).toBe(true);
    }
  });

  it.each(blocks.map((b) => [b.name, b] as const))("%s: the key, its index limit and hotplug class, and every sub-key agree", (_name, b) => {
    const r = refKey(b);
    expect(r, `pct key ${b.pve}`).toBeDefined();
    expect(b.maxIndex).toBe(r.index_max);
    expect(HOTPLUG[b.change], `${b.name}: change ${b.change} vs hotplug ${r.hotplug}`).toContain(r.hotplug);
    const format = r.format!;
    const modelled = new Set<string>();
    for (const f of b.fields.filter((x) => x.pve)) {
      const sub = format[f.pve!];
      expect(sub, `${b.pve}.${f.pve} (${f.attr})`).toBeDefined();
      modelled.add(f.pve!);
      // The volume sub-key is assembled by hand (storage + size, a host path, a volume id).
      if (f.pve !== "volume") sameValueRules(`${b.pve}.${f.pve}`, f, sub!);
    }
    const missing = Object.keys(format).filter((k) => !modelled.has(k) && !(`${b.pve}.${k}` in NOT_MODELLED));
    expect(missing, `sub-keys of ${b.pve} Proxmox has that no field reads, writes or declares`).toEqual([]);
  });

  it("patterns: mount options, idmap and features.mount are Proxmox's", () => {
    const alternatives = (p: string) => [...new Set(/\(([a-z|]+)\)/.exec(p)![1]!.split("|"))].sort();
    expect([...MOUNT_OPTIONS].sort()).toEqual(alternatives(ref["rootfs"]!.format!["mountoptions"]!.pattern!));
    expect([...MOUNT_OPTIONS].sort()).toEqual(alternatives(ref["mp[n]"]!.format!["mountoptions"]!.pattern!));
    expect(IDMAP.source).toBe(ref["rootfs"]!.format!["idmap"]!.pattern);
    expect(IDMAP.source).toBe(ref["mp[n]"]!.format!["idmap"]!.pattern);
    const idmap = ROOTFS.fields.find((f) => f.attr === "idmap")!.schema!;
    expect(accepts(idmap, "passthrough") && accepts(idmap, "u:0:100000:65536;g:0:100000:65536")).toBe(true);
    expect(accepts(idmap, "u:0:100000:0") || accepts(idmap, "passthrough,ro=1")).toBe(false);
    const fsType = FEATURES.fields.find((f) => f.attr === "mount")!.schema!;
    expect(accepts(fsType, ["nfs", "cifs"])).toBe(true);
    expect(accepts(fsType, ["nfs;cifs"])).toBe(false); // one type per list item; pct's ";" is the list separator
  });

  it("the tables cover the blocks Proxmox has (rootfs, mp, net, dev, features, startup)", () => {
    expect(new Set(blocks.map((b) => b.pve))).toEqual(new Set(["rootfs", "mp", "net", "dev", "features", "startup"]));
    expect([ROOTFS, MOUNT, NETWORK, DEVICE, FEATURES, STARTUP].every((b) => blocks.includes(b))).toBe(true);
  });
});

describe("field tables against the simulator's key table (src/pve)", () => {
  /** The classification changes.ts used before the tables: the simulator's hotplug classes. */
  function fromKeys(key: string, existed: boolean, deleted: boolean): boolean {
    const def = lookupKey(key === "net*" ? "net0" : key);
    const hot = def?.def.hotplug;
    if (hot === "pending") return true;
    if (hot === "live-add-only") return existed;
    return def?.base === "net" && deleted && (def.index ?? 0) >= 10;
  }

  it("every key pmxform writes waits for a restart exactly when Proxmox keeps it pending", () => {
    const keys = ["net*", "unused0", "unused255"];
    for (const f of TOP.filter((x) => x.pve)) {
      if (f.block?.maxIndex !== undefined) for (let i = 0; i <= f.block.maxIndex; i++) keys.push(`${f.pve}${i}`);
      else keys.push(f.pve!);
    }
    for (const k of keys) {
      for (const existed of [false, true]) {
        for (const deleted of [false, true]) expect(waitsForRestart(k, existed, deleted), `${k} existed=${existed} deleted=${deleted}`).toBe(fromKeys(k, existed, deleted));
      }
    }
  });

  it("every sub-key a table names is one the simulator's property-string formats know", () => {
    const formatOf: Record<string, FormatName> = { rootfs: "rootfs", mp: "mp", net: "net", dev: "dev", features: "features", startup: "startup" };
    for (const f of TOP.filter((x) => x.block?.pve)) {
      const format = FORMATS[formatOf[f.block!.pve!]!];
      for (const sub of f.block!.fields.filter((x) => x.pve)) expect(format[sub.pve!], `${f.block!.pve}.${sub.pve}`).toBeDefined();
    }
    for (const f of TOP.filter((x) => x.pve && !x.block)) expect(KEYS[f.pve!], f.pve).toBeDefined();
  });
});
