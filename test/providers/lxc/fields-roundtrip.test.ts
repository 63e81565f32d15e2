// Writer and reader agree for every field of every block table: random combinations of valid
// values (seeded) printed as pct would store them and read back give the configured value as pct
// stores it (canonicalised), so a declared option never shows as drift. A field added to a table
// is covered as soon as one of the sample values below fits its schema (the test fails otherwise).
import { describe, expect, it } from "vitest";
import { DEVICE, FEATURES, MOUNT, MOUNT_OPTIONS, NETWORK, ROOTFS, STARTUP, canonOf, type Block, type Field } from "../../../providers/lxc/fields/index.js";
import { featuresFromPve, networkFromPve, rootfsFromPve, startupFromPve } from "../../../providers/lxc/attrs.js";
import { featuresToPve, networkToPve, rootfsToPve, startupToPve } from "../../../providers/lxc/conf-map.js";
import { deviceFromPve, deviceToPve, mountFromPve, mountToPve } from "../../../providers/mounts/slots.js";

type Obj = Record<string, unknown>;

const SAMPLES: unknown[] = [
  true,
  false,
  0,
  1,
  7,
  64,
  1500,
  4094,
  2.5,
  "vmbr0",
  "vmbr1.20",
  "10.0.0.5/24",
  "dhcp",
  "manual",
  "10.0.0.1",
  "fd00::5/64",
  "auto",
  "fd00::1",
  "bc:24:11:0a:0b:0c",
  "BC:24:11:00:00:01",
  "10;20;30",
  "0660",
  "0600",
  "passthrough",
  "u:0:100000:65536;g:0:100000:65536",
  "/dev/net/tun",
  "/dev/dri/renderD128",
  ["noatime"],
  ["nosuid", "discard", "noatime"],
  [...MOUNT_OPTIONS].reverse(),
  ["nfs"],
  ["nfs", "cifs"],
];

/** A small seeded generator (mulberry32), so a failure names a reproducible case. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  block: Block;
  /** Fields the writer and reader handle by hand (volume, path, size, slot), set by `base`. */
  byHand: string[];
  base: Obj;
  roundTrip(item: Obj): Obj;
}

const CASES: Case[] = [
  { block: ROOTFS, byHand: ["storage", "size", "volume"], base: { storage: "local-lvm", volume: "local-lvm:vm-100-disk-0" }, roundTrip: (r) => rootfsFromPve(rootfsToPve(r)!) },
  { block: NETWORK, byHand: ["slot"], base: {}, roundTrip: (n) => networkFromPve(0, networkToPve("eth0", n)).iface },
  {
    block: MOUNT,
    byHand: ["host_path", "storage", "size", "path", "slot", "volume", "keep_on_remove"],
    base: { slot: 0, path: "/data", storage: "local-lvm", volume: "local-lvm:vm-100-disk-1" },
    roundTrip: (m) => mountFromPve(0, mountToPve(m)!),
  },
  { block: DEVICE, byHand: ["path", "slot"], base: { slot: 0, path: "/dev/net/tun" }, roundTrip: (d) => deviceFromPve(0, deviceToPve(d)!) },
  { block: FEATURES, byHand: [], base: {}, roundTrip: (f) => featuresFromPve(featuresToPve(f)) },
  { block: STARTUP, byHand: [], base: {}, roundTrip: (s) => startupFromPve(startupToPve(s)) },
];

/** The sample values the field's schema accepts, as the schema hands them on (strings of digits become numbers). */
function samplesFor(f: Field): unknown[] {
  const out = new Map<string, unknown>();
  for (const v of SAMPLES) {
    const r = f.schema!.safeParse(v);
    if (r.success) out.set(JSON.stringify(r.data), r.data);
  }
  return [...out.values()];
}

describe("every table field reads back as written", () => {
  it.each(CASES.map((c) => [c.block.name, c] as const))("%s: each field has sample values its schema accepts", (_name, c) => {
    for (const f of c.block.fields.filter((x) => x.schema && !c.byHand.includes(x.attr))) expect(samplesFor(f).length, `${c.block.name}.${f.attr}`).toBeGreaterThan(0);
  });

  it.each(CASES.map((c) => [c.block.name, c] as const))("%s: 300 random combinations print and read back canonically", (_name, c) => {
    const fields = c.block.fields.filter((x) => x.schema && !c.byHand.includes(x.attr));
    const seed = Number(process.env["PMXFORM_FIELDS_SEED"] ?? 6);
    const next = rng(seed);
    for (let i = 0; i < 300; i++) {
      const item: Obj = { ...c.base };
      for (const f of fields) {
        if (next() < 0.4) continue;
        const pool = samplesFor(f);
        item[f.attr] = pool[Math.floor(next() * pool.length)];
      }
      const read = c.roundTrip(item);
      for (const f of fields) {
        if (item[f.attr] === undefined) expect(read[f.attr], `${c.block.name}.${f.attr} unset (seed ${seed}, case ${i})`).toBeUndefined();
        else expect(read[f.attr], `${c.block.name}.${f.attr} = ${JSON.stringify(item[f.attr])} (seed ${seed}, case ${i})`).toEqual(canonOf(f, item[f.attr]));
      }
    }
  });
});
