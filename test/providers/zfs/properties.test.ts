// Pure tests of zfs_dataset's planning: the parsers on recorded `zfs get -Hp` / `zfs list` /
// `stat` output, the field table against the simulator's model of OpenZFS (every settable value
// the provider accepts, zfs accepts and prints the same), and a seeded random walk over property
// sets: whatever configuration follows whatever dataset, executing the planned operations on a
// model of the node and reading it back plans no change, and the operations never touch a
// property the configuration did not change.
import { describe, expect, it } from "vitest";
import { addSnapshots, parseOwners, parseZfsGet, type DatasetView } from "../../../providers/zfs/snapshot.js";
import { attrsFromView, holdsData } from "../../../providers/zfs/attrs.js";
import { diffDataset } from "../../../providers/zfs/diff.js";
import { ZFS_FIELDS } from "../../../providers/zfs/fields.js";
import { canonValue } from "../../../providers/zfs/canon.js";
import { PROFILES } from "../../../providers/zfs/profiles.js";
import { validateDataset } from "../../../providers/zfs/desired.js";
import { hostIds } from "../../../providers/zfs/access.js";
import { propNamed, parseValue } from "../../../src/sim/zfs-props.js";
import { prng } from "../../helpers/prng.js";
import { emptySnapshot } from "../../../providers/lxc/snapshot.js";
import type { Attrs, PlannedOperation } from "../../../src/provider/types.js";

// `zfs get -Hp -o name,property,value,source -t filesystem all` as OpenZFS 2.2 prints it (tab
// separated, sources as zfs_main.c get_callback writes them), trimmed to a few properties.
const RECORDED_GET = [
  "tank\ttype\tfilesystem\t-",
  "tank\tused\t1294336\t-",
  "tank\tmountpoint\t/tank\tdefault",
  "tank\tcompression\tlz4\tlocal",
  "tank/media\ttype\tfilesystem\t-",
  "tank/media\tused\t5349376\t-",
  "tank/media\treferenced\t5251072\t-",
  "tank/media\tmounted\tyes\t-",
  "tank/media\tquota\t1099511627776\tlocal",
  "tank/media\trecordsize\t1048576\tlocal",
  "tank/media\tmountpoint\t/tank/media\tdefault",
  "tank/media\tcompression\tlz4\tinherited from tank",
  "tank/media\tatime\toff\tlocal",
  "tank/media\tcasesensitivity\tmixed\t-",
  "tank/media\tutf8only\toff\t-",
  "tank/media\tpmxform:owner\tabc-lineage\tlocal",
  "tank/media\tcom.sun:auto-snapshot\tfalse\tlocal",
  "tank/media/x\tpmxform:owner\tabc-lineage\tinherited from tank/media",
  "tank/media/x\tmountpoint\tnone\tlocal",
  "",
].join("\n");

describe("parsers on recorded output", () => {
  it("reads properties with their sources, snapshots and owners", () => {
    const ds = parseZfsGet(RECORDED_GET);
    expect([...ds.keys()]).toEqual(["tank", "tank/media", "tank/media/x"]);
    addSnapshots(ds, "tank/media@daily-1\ntank/media@daily-2\ntank/other@x\n");
    const media = ds.get("tank/media")!;
    expect(media.snapshots).toEqual(["daily-1", "daily-2"]);
    expect(media.props.get("compression")).toEqual({ value: "lz4", source: "inherited from tank" });
    expect(parseOwners("101000:101000:/tank/media\n0:0:/srv/with:colon\n")).toEqual(
      new Map([
        ["/tank/media", { uid: 101000, gid: 101000 }],
        ["/srv/with:colon", { uid: 0, gid: 0 }],
      ]),
    );
  });

  it("turns a dataset into attributes: local and fixed-at-creation properties, dedicated arguments, the marker, data held", () => {
    const media = parseZfsGet(RECORDED_GET).get("tank/media")!;
    addSnapshots(new Map([["tank/media", media]]), "tank/media@daily-1\n");
    const a = attrsFromView("pve1", media, { properties: { recordsize: "1M" }, quota: "1T" });
    expect(a["properties"]).toEqual({ recordsize: "1M", atime: "off", casesensitivity: "mixed", "com.sun:auto-snapshot": "false" });
    expect(a["quota"]).toBe("1T");
    expect(a["mountpoint"]).toBe("/tank/media");
    expect(a["mountpoint_local"]).toBe(false);
    expect(a["marker"]).toBe("abc-lineage");
    expect(holdsData(a)).toBe("it holds 5.0 MiB of files and it has 1 snapshot");
    // An inherited marker is not this dataset's.
    expect(attrsFromView("pve1", parseZfsGet(RECORDED_GET).get("tank/media/x")!, null)["marker"]).toBeNull();
  });
});

describe("the field table agrees with the simulator's model of OpenZFS", () => {
  it("every value the provider accepts, zfs accepts and prints the same (and the classes match)", () => {
    for (const f of ZFS_FIELDS) {
      const sim = propNamed(f.name);
      expect(sim, f.name).toBeDefined();
      const cls = { set: ["inherit", "default"], create: ["onetime"], readonly: ["readonly"] }[f.change];
      expect(cls, f.name).toContain(sim!.cls);
      for (const v of Object.keys(f.values ?? {})) {
        const mine = canonValue(f.name, v);
        expect(mine, `${f.name}=${v}`).toEqual({ value: parseValue(sim!, v) });
      }
      if (f.dflt !== undefined && sim!.dflt !== undefined && f.name !== "keylocation") expect(f.dflt, f.name).toBe(sim!.dflt);
    }
  });

  it("sizes read the same in both (random spellings)", () => {
    const rnd = prng(18);
    for (let i = 0; i < 500; i++) {
      const n = Math.floor(rnd() * 4096);
      const unit = ["", "K", "M", "G", "T", "k", "KB", "KiB", "gb", "B"][Math.floor(rnd() * 10)]!;
      const raw = `${rnd() < 0.2 ? n + 0.5 : n}${unit}`;
      let simValue: string | undefined;
      try {
        simValue = parseValue(propNamed("quota")!, raw);
      } catch {
        simValue = undefined;
      }
      const mine = canonValue("quota", raw);
      expect("value" in mine ? mine.value : undefined, raw).toBe(simValue);
    }
  });

  it("every profile value is valid", () => {
    for (const p of PROFILES)
      expect(validateDataset({ node: "pve1", name: "tank/x", profile: p.name, properties: Object.fromEntries(Object.entries(p.props).map(([k, v]) => [k, v.value])) }), p.name).toEqual([]);
  });
});

describe("owner ids", () => {
  it("maps an unprivileged container's ids and an explicit idmap", () => {
    expect(hostIds({ uid: 1000, gid: 1000, unprivileged: true })).toEqual({ uid: 101000, gid: 101000 });
    expect(hostIds({ uid: 1000, gid: 1000 })).toEqual({ uid: 1000, gid: 1000 });
    expect(hostIds({ uid: 1000, gid: 1000, unprivileged: true, idmap: "u:0:100000:1000;u:1000:1000:1;u:1001:101001:64535;g:0:100000:65536" })).toEqual({ uid: 1000, gid: 101000 });
    expect(hostIds({ uid: 70000, gid: 0, unprivileged: true })).toHaveProperty("error");
  });
});

/** A node's dataset as a model: local properties only (what zfs set/inherit change). */
function viewOf(name: string, local: Map<string, string>, createOnly: Record<string, string>): DatasetView {
  const props = new Map<string, { value: string; source: string }>([
    ["mountpoint", { value: local.get("mountpoint") ?? `/${name}`, source: local.has("mountpoint") ? "local" : "default" }],
    ["mounted", { value: "yes", source: "-" }],
    ["referenced", { value: "98304", source: "-" }],
  ]);
  for (const [k, v] of Object.entries(createOnly)) props.set(k, { value: v, source: "-" });
  for (const [k, v] of local) if (k !== "mountpoint") props.set(k, { value: v, source: "local" });
  return { name, props, snapshots: [] };
}

function execute(ops: PlannedOperation[], local: Map<string, string>, createOnly: Record<string, string>): void {
  for (const op of ops) {
    if (op.op === "zfs create") {
      local.clear();
      for (const [k, v] of Object.entries(op["properties"] as Record<string, string>)) {
        const f = ZFS_FIELDS.find((x) => x.name === k);
        if (f?.change === "create") createOnly[k] = v;
        else local.set(k, v);
      }
    } else if (op.op === "zfs set") {
      for (const [k, v] of Object.entries(op["properties"] as Record<string, string>)) {
        const c = canonValue(k, v);
        local.set(k, "value" in c ? c.value : v);
      }
    } else if (op.op === "zfs inherit") local.delete(String(op["property"]));
  }
}

describe("seeded random walk over property sets", () => {
  const settable = ZFS_FIELDS.filter((f) => f.change === "set" && f.values && !["mountpoint", "quota", "refquota", "reservation"].includes(f.name));
  const createOnly = ZFS_FIELDS.filter((f) => f.change === "create" && f.values && f.name !== "encryption" && f.name !== "keyformat");
  it("apply then read plans no change; operations name only what changed", () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const rnd = prng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
      const local = new Map<string, string>();
      const fixed: Record<string, string> = {};
      let prior: Attrs | null = null;
      for (let step = 0; step < 25; step++) {
        const properties: Record<string, string> = {};
        for (let i = Math.floor(rnd() * 6); i > 0; i--) {
          const f = pick(settable);
          properties[f.name] = pick(Object.keys(f.values!));
        }
        if (rnd() < 0.15) {
          const f = pick(createOnly);
          properties[f.name] = pick(Object.keys(f.values!));
        }
        if (rnd() < 0.3) properties[`com.example:k${Math.floor(rnd() * 3)}`] = String(Math.floor(rnd() * 3));
        const config: Attrs = { node: "pve1", name: "tank/ds", properties };
        if (rnd() < 0.3) config["profile"] = pick(PROFILES).name;
        if (rnd() < 0.3) config["quota"] = pick(["1T", "1024G", "500G", "none"]);
        if (rnd() < 0.2) config["mountpoint"] = pick(["/srv/a", "/srv/b"]);
        const msg = `seed ${seed} step ${step}: ${JSON.stringify(config)}`;
        expect(validateDataset(config), msg).toEqual([]);
        const d = diffDataset({ address: "zfs_dataset.x", config, prior, snapshot: undefined, claimedVmids: new Set(), forceReplace: false, lineage: "L" });
        if (d.action === "no-op") continue;
        expect(d.issues, msg).toEqual([]);
        if (d.action === "replace") for (const k of Object.keys(fixed)) delete fixed[k];
        const before = new Map(local);
        execute(d.operations ?? [], local, fixed);
        if (d.action === "update") {
          // Properties neither configured before nor now are never touched.
          const was = (prior?.["properties"] ?? {}) as Record<string, unknown>;
          const now = d.planned["properties"] as Record<string, unknown>;
          for (const [k, v] of before) if (!(k in was) && !(k in now) && !["quota", "mountpoint", "pmxform:owner"].includes(k)) expect(local.get(k), msg).toBe(v);
        }
        const read = attrsFromView("pve1", viewOf("tank/ds", local, fixed), d.planned);
        for (const k of ["properties", "quota", "mountpoint"]) if (typeof d.planned[k] === "string" || (k === "properties" && d.planned[k])) expect(read[k], `${msg} ${k}`).toEqual(d.planned[k]);
        prior = read;
        const again = diffDataset({ address: "zfs_dataset.x", config, prior, snapshot: undefined, claimedVmids: new Set(), forceReplace: false, lineage: "L" });
        expect(again.action, msg).toBe("no-op");
      }
    }
  });
});

describe("docs/storage.md", () => {
  it("lists every profile with its properties and every settable property", async () => {
    const { readFileSync } = await import("node:fs");
    const doc = readFileSync(new URL("../../../docs/storage.md", import.meta.url), "utf8");
    for (const p of PROFILES) {
      const row = doc.split("\n").find((l) => l.startsWith(`| \`${p.name}\` |`));
      expect(row, p.name).toBeDefined();
      for (const [k, v] of Object.entries(p.props)) expect(row, `${p.name} ${k}`).toContain(`\`${k}=${v.value}\`: ${v.why}`);
    }
    for (const f of ZFS_FIELDS.filter((x) => x.change !== "readonly")) expect(doc, f.name).toContain(`| \`${f.name}\` |`);
  });
});

describe("crash recovery", () => {
  it("adopts a dataset a killed create left only when it carries this state's marker", async () => {
    const { zfsDataset } = await import("../../../providers/zfs/resource.js");
    const view = (marker?: string) => {
      const ds = parseZfsGet(RECORDED_GET);
      const media = ds.get("tank/media")!;
      if (marker === undefined) media.props.delete("pmxform:owner");
      else media.props.set("pmxform:owner", { value: marker, source: "local" });
      return { ...emptySnapshot(["pve1"]), zfs: new Map([["pve1", { datasets: ds }]]) };
    };
    const intent = { operation: "create", node: "pve1", file: "zfs:tank/media" };
    const ours = zfsDataset.recover!({ address: "zfs_dataset.m", intent, snapshot: view("L1"), lineage: "L1" });
    expect(ours.found).toBe("ours");
    expect(ours.found === "ours" && ours.attrs["name"]).toBe("tank/media");
    expect(zfsDataset.recover!({ address: "zfs_dataset.m", intent, snapshot: view("L2"), lineage: "L1" })).toMatchObject({ found: "nothing", note: expect.stringContaining("lineage L2") });
    expect(zfsDataset.recover!({ address: "zfs_dataset.m", intent, snapshot: view(), lineage: "L1" })).toMatchObject({ found: "nothing", note: expect.stringContaining("no pmxform marker") });
    expect(zfsDataset.recover!({ address: "zfs_dataset.m", intent: { ...intent, file: "zfs:tank/none" }, snapshot: view("L1"), lineage: "L1" })).toEqual({ found: "nothing" });
  });
});
