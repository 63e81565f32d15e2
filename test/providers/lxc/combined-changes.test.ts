// Property: any combination of in-place changes converges (issue 22, defect 3). From a seeded
// PRNG, each step changes a random mix of rootfs (grow, acl, mount options), two volume mounts
// (grow, path, read_only, backup, acl), a bind mount (path, read_only), eth0 (bridge, ip, gw,
// firewall, rate, mtu, tag), eth1 (added or removed) and memory, and sometimes starts or stops the
// container with it. It is applied through lxc_container on the simulator; a running container is
// sometimes restarted and sometimes left with its changes pending for the next step to build on.
// After every step: the re-plan is a no-op, the conf (pending included) says what the
// configuration says, and every volume's size= in it is the size of the volume on its storage.
// PMXFORM_COMBINED_CASES sets the number of steps (default 12; `npm run test:soak` runs 80);
// PMXFORM_COMBINED_SEED replays a run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lxcContainer } from "../../../providers/lxc/resource.js";
import { effectiveSection } from "../../../providers/lxc/attrs.js";
import { takeSnapshot } from "../../../providers/lxc/snapshot.js";
import { SimRunner } from "../../../src/exec/sim.js";
import { parseConf } from "../../../src/pve/conf.js";
import { parsePropertyString } from "../../../src/pve/propstring.js";
import { formatSize, parseDiskSize } from "../../../src/pve/size.js";
import type { ApplyContext, Attrs } from "../../../src/provider/types.js";
import { prng } from "../../helpers/prng.js";

const haveSim = existsSync(new URL("../../../dist/src/sim/main.js", import.meta.url));
const CASES = Number(process.env["PMXFORM_COMBINED_CASES"] ?? 12);
const SEED = Number(process.env["PMXFORM_COMBINED_SEED"] ?? 2203);
const VMID = 140;
const address = "lxc_container.combo";

interface Vol {
  size: number; // GiB
  path: string;
  read_only?: boolean;
  backup?: boolean;
  acl?: boolean;
}
interface Shape {
  started: boolean;
  memory: number;
  root: { size: number; acl?: boolean; mount_options?: string[] };
  data: Vol;
  logs: Vol;
  media: { path: string; read_only?: boolean };
  eth0: { bridge: string; ip: string; gw?: string; firewall?: boolean; rate?: number; mtu?: number; tag?: number };
  eth1: boolean;
}

const gib = (n: number) => formatSize(n * 1024 ** 3);
const drop = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

function config(s: Shape): Attrs {
  const vol = (v: Vol) => drop({ storage: "local-lvm", size: gib(v.size), path: v.path, read_only: v.read_only, backup: v.backup, acl: v.acl });
  return {
    node: "pve1",
    vmid: VMID,
    template: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
    hostname: "combo",
    memory: s.memory,
    started: s.started,
    rootfs: drop({ storage: "local-lvm", size: gib(s.root.size), acl: s.root.acl, mount_options: s.root.mount_options }),
    mount: { data: vol(s.data), logs: vol(s.logs), media: drop({ host_path: "/tank/media", path: s.media.path, read_only: s.media.read_only }) },
    network: { eth0: drop({ ...s.eth0 }), ...(s.eth1 ? { eth1: { bridge: "vmbr1", ip: "dhcp" } } : {}) },
  };
}

/** A new shape with a random mix of in-place changes (sizes only grow). */
function mutate(r: () => number, s: Shape): Shape {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const maybe = (p = 0.4) => r() < p;
  const flag = () => pick([undefined, true, false]);
  const vol = (v: Vol): Vol => ({
    size: v.size + (maybe() ? pick([1, 2]) : 0),
    path: maybe() ? pick(["/data", "/var/data", "/srv/data", "/srv/x"]) : v.path,
    ...drop({ read_only: maybe() ? flag() : v.read_only, backup: maybe() ? flag() : v.backup, acl: maybe() ? flag() : v.acl }),
  });
  const e = s.eth0;
  return {
    started: maybe(0.25) ? !s.started : s.started,
    memory: maybe(0.3) ? pick([512, 1024, 2048]) : s.memory,
    root: drop({
      size: s.root.size + (maybe() ? 1 : 0),
      acl: maybe() ? flag() : s.root.acl,
      mount_options: maybe() ? pick([undefined, ["noatime"], ["nodev", "noatime"]]) : s.root.mount_options,
    }),
    data: maybe(0.7) ? vol(s.data) : s.data,
    logs: maybe(0.5) ? vol({ ...s.logs, path: s.logs.path }) : s.logs,
    media: maybe(0.3) ? drop({ path: pick(["/media", "/mnt/media"]), read_only: flag() }) : s.media,
    eth0: maybe(0.6)
      ? drop({
          bridge: maybe() ? pick(["vmbr0", "vmbr1"]) : e.bridge,
          ...(maybe() ? (r() < 0.5 ? { ip: "dhcp" } : { ip: `10.0.${Math.floor(r() * 9)}.5/24`, gw: "10.0.0.1" }) : { ip: e.ip, gw: e.gw }),
          firewall: maybe() ? flag() : e.firewall,
          rate: maybe() ? pick([undefined, 10, 50]) : e.rate,
          mtu: maybe() ? pick([undefined, 1400, 1500]) : e.mtu,
          tag: maybe() ? pick([undefined, 10, 20]) : e.tag,
        })
      : e,
    eth1: maybe(0.2) ? !s.eth1 : s.eth1,
  };
}

const LINEAGE = "combined-changes-lineage";

describe.skipIf(!haveSim)(`combined in-place changes converge (seed ${SEED}; needs npm run build)`, () => {
  let dir: string;
  const pveRoot = () => join(dir, "etc", "pve");
  const refreshCtx = () => ({ runnerFor: (n: string) => new SimRunner(dir, n), signal: new AbortController().signal, pveRootFor: pveRoot });
  const applyCtx = (snapshot: unknown): ApplyContext => ({
    ...refreshCtx(),
    snapshot,
    log: () => undefined,
    recordIntent: async () => undefined,
    forgetIntent: async () => undefined,
    lineage: LINEAGE,
  });
  const snap = async () => (await takeSnapshot("pve1", refreshCtx())).snapshot;
  const plan = (s: Awaited<ReturnType<typeof snap>>, c: Attrs, prior: Attrs | null) =>
    lxcContainer.diff({ address, config: c, prior: prior && lxcContainer.read({ address, prior, snapshot: s }), snapshot: s, claimedVmids: new Set(), forceReplace: false, lineage: LINEAGE });
  const pct = (...argv: string[]) => new SimRunner(dir, "pve1").run(["pct", ...argv]);
  const conf = () => parseConf(readFileSync(join(pveRoot(), "nodes", "pve1", "lxc", `${VMID}.conf`), "utf8"), String(VMID));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pmxform-combined-"));
    const { initSim } = await import("../../../src/sim/index.js");
    initSim(dir, { nodes: ["pve1"] });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The conf as it will be once pending values apply, against the shape; sizes against the storage. */
  async function expectConfIs(s: Shape, why: string): Promise<void> {
    const keys = effectiveSection(conf()).section.keys;
    const listed = (await new SimRunner(dir, "pve1").run(["pvesm", "list", "local-lvm", "--vmid", String(VMID)])).stdout;
    const onStorage = new Map(
      listed
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => l.trim().split(/\s+/))
        .map((f) => [f[0]!, Number(f[3])]),
    );
    const bool = (b: boolean | undefined) => (b === undefined ? undefined : b ? "1" : "0");
    const volume = (key: string, fmt: "rootfs" | "mp", size: number) => {
      const v = parsePropertyString(fmt, keys.get(key) ?? "").value;
      expect(parseDiskSize(v["size"] ?? ""), `${why}: ${key} size= in the conf`).toBe(size * 1024 ** 3);
      expect(onStorage.get(v["volume"]!), `${why}: ${key}'s volume ${v["volume"]} on its storage`).toBe(size * 1024 ** 3);
      return v;
    };
    const root = volume("rootfs", "rootfs", s.root.size);
    expect([root["acl"], root["mountoptions"]], `${why}: rootfs`).toEqual([bool(s.root.acl), s.root.mount_options && [...s.root.mount_options].sort().join(";")]);
    for (const [key, want] of [
      ["mp0", s.data],
      ["mp1", s.logs],
    ] as const) {
      const v = volume(key, "mp", want.size);
      expect([v["mp"], v["ro"], v["backup"], v["acl"]], `${why}: ${key}`).toEqual([want.path, bool(want.read_only), bool(want.backup), bool(want.acl)]);
    }
    const media = parsePropertyString("mp", keys.get("mp2") ?? "").value;
    expect([media["volume"], media["mp"], media["ro"]], `${why}: mp2`).toEqual(["/tank/media", s.media.path, bool(s.media.read_only)]);
    const net = parsePropertyString("net", keys.get("net0") ?? "").value;
    const e = s.eth0;
    expect([net["bridge"], net["ip"], net["gw"], net["firewall"], net["rate"], net["mtu"], net["tag"]], `${why}: net0`).toEqual([
      e.bridge,
      e.ip,
      e.gw,
      bool(e.firewall),
      e.rate?.toString(),
      e.mtu?.toString(),
      e.tag?.toString(),
    ]);
    expect(keys.has("net1"), `${why}: net1`).toBe(s.eth1);
    expect(keys.get("memory"), `${why}: memory`).toBe(String(s.memory));
  }

  it(`${CASES} random steps each re-plan as no changes, also after a restart`, async () => {
    const r = prng(SEED);
    let shape: Shape = {
      started: true,
      memory: 512,
      root: { size: 1 },
      data: { size: 1, path: "/data" },
      logs: { size: 1, path: "/logs", backup: true },
      media: { path: "/media" },
      eth0: { bridge: "vmbr0", ip: "dhcp" },
      eth1: false,
    };
    let s = await snap();
    const created = plan(s, config(shape), null);
    let state = await lxcContainer.create({ address, config: config(shape), planned: created.planned, operations: created.operations }, applyCtx(s));
    s = await snap();
    for (let step = 1; step <= CASES; step++) {
      const next = mutate(r, shape);
      const why = `seed ${SEED} step ${step}: ${JSON.stringify(next)}`;
      const d = plan(s, config(next), state);
      expect(d.issues?.filter((i) => i.severity === "error") ?? [], why).toEqual([]);
      if (d.action !== "no-op") state = await lxcContainer.update!({ address, config: config(next), prior: state, planned: d.planned, operations: d.operations }, applyCtx(s));
      s = await snap();
      const again = plan(s, config(next), state);
      expect([again.action, again.reasons], `${why}: re-plan after apply`).toEqual(["no-op", []]);
      await expectConfIs(next, `${why} (after apply)`);
      if (next.started && r() < 0.7) {
        await pct("reboot", String(VMID));
        expect(conf().pending, `${why}: nothing pending after the restart`).toBeUndefined();
        s = await snap();
        const after = plan(s, config(next), state);
        expect([after.action, after.reasons], `${why}: re-plan after the restart`).toEqual(["no-op", []]);
        await expectConfIs(next, `${why} (after the restart)`);
      }
      shape = next;
      state = lxcContainer.read({ address, prior: state, snapshot: s })!;
    }
  }, 600_000);
});
