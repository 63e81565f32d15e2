// A create as the plan decides it (providers/lxc/operations.ts createOperations) and as apply
// executes it: one pct create whose pieces the plan printed (volumes allocated by storage:size),
// the raw lines, start and the password; secrets and values unknown at plan time are named by
// path and printed at apply by the same mapping, and nothing is worked out again from the
// configuration apply is handed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lxcContainer } from "../../../providers/lxc/resource.js";
import { takeSnapshot } from "../../../providers/lxc/snapshot.js";
import { SENSITIVE, TOP } from "../../../providers/lxc/fields/index.js";
import { plannedAttrs } from "../../../providers/lxc/desired.js";
import { ociContainer } from "../../../providers/oci/container.js";
import { Unknown } from "../../../src/config/value.js";
import { SimRunner } from "../../../src/exec/sim.js";
import type { Runner } from "../../../src/exec/runner.js";
import type { ApplyContext, Attrs, AttrPath, PlannedOperation } from "../../../src/provider/types.js";
import { recordedSnapshot } from "./helpers.js";

const TEMPLATE = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";
const address = "lxc_container.new";

const config = (extra: Attrs = {}): Attrs => ({
  node: "pve1",
  vmid: 190,
  template: TEMPLATE,
  hostname: "new",
  memory: 512,
  started: false,
  rootfs: { storage: "local-lvm", size: "2G" },
  mount: { data: { storage: "local-lvm", size: "1G", path: "/data" } },
  network: { eth0: { bridge: "vmbr0", ip: "dhcp" } },
  ...extra,
});

const plan = (c: Attrs, snapshot: unknown = recordedSnapshot(), sensitivePaths: AttrPath[] = []) =>
  lxcContainer.diff({ address, config: c, prior: null, snapshot, claimedVmids: new Set(), forceReplace: false, lineage: "create-lineage", sensitivePaths });

describe("the create's operations", () => {
  it("one pct create with the plan's pieces (volumes as storage:size), then raw lines, start, password", () => {
    const d = plan(config({ started: true, password: "pw-secret-1", raw_lxc: ["lxc.cap.drop: sys_time"], ssh_public_keys: ["ssh-ed25519 AAAA me@host"] }), recordedSnapshot(), [["password"]]);
    expect(d.issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(d.action).toBe("create");
    const create = d.operations![0]!;
    expect(create).toMatchObject({ op: "create", vmid: 190, template: { key: "template", value: TEMPLATE }, ssh_keys: ["ssh-ed25519 AAAA me@host"] });
    const pieces = Object.fromEntries((create["set"] as { key: string; value: string }[]).map((p) => [p.key, p.value]));
    expect(pieces).toMatchObject({ hostname: "new", memory: "512", rootfs: "local-lvm:2", mp0: "local-lvm:1,mp=/data", unprivileged: "1" });
    expect(pieces["net0"]).toBe("name=eth0,bridge=vmbr0,ip=dhcp,type=veth");
    expect(pieces["tags"]).toMatch(/^pmxform-/);
    expect(d.operations!.slice(1)).toEqual([{ op: "raw_lxc", lines: ["lxc.cap.drop: sys_time"] }, { op: "start" }, { op: "password", from: ["password"] }]);
    expect(JSON.stringify(d.operations)).not.toContain("pw-secret-1");
  });

  it("a stopped container with a password is started for chpasswd and stopped again; without either it is never started", () => {
    expect(plan(config({ password: "x-secret" })).operations!.map((o) => o.op)).toEqual(["create", "start", "password", "stop"]);
    expect(plan(config()).operations!.map((o) => o.op)).toEqual(["create"]);
  });

  it("unknown and sensitive pieces name their path; a mount block unknown as a whole is one piece", () => {
    const d = plan(config({ hostname: new Unknown("string"), description: "secret words", mount: new Unknown("map") }), recordedSnapshot(), [["description"]]);
    const set = d.operations![0]!["set"] as { key: string; value?: string; from?: AttrPath }[];
    expect(set).toContainEqual({ key: "hostname", from: ["hostname"] });
    expect(set).toContainEqual({ key: "description", from: ["description"] });
    expect(set).toContainEqual({ key: "mp*", from: ["mount"] });
    expect(JSON.stringify(d.operations)).not.toContain("secret words");
    const unknownVmid = plan(config({ vmid: new Unknown("number"), template: new Unknown("string") }));
    expect(unknownVmid.operations![0]).toMatchObject({ vmid: { from: ["vmid"] }, template: { key: "template", from: ["template"] } });
  });

  it("sensitive attributes come from the field table (one table per fact)", () => {
    const fromTable = TOP.filter((f) => f.sensitive).flatMap((f) => [f.attr, ...(f.hashedAs ? [f.hashedAs] : [])]);
    expect(fromTable).toEqual(["password", "password_sha256"]);
    expect(SENSITIVE).toEqual(["password"]);
    expect(lxcContainer.sensitiveAttributes).toEqual(fromTable);
    expect(ociContainer.sensitiveAttributes).toEqual(fromTable);
    // The hash the state keeps is the attribute the table names, and the password itself is not kept.
    const planned = plannedAttrs(config({ password: "p" }), null, 190, address);
    expect(planned["password_sha256"]).toMatch(/^[0-9a-f]{64}$/);
    expect(planned["password"]).toBeUndefined();
  });
});

const haveSim = existsSync(new URL("../../../dist/src/sim/main.js", import.meta.url));

describe.skipIf(!haveSim)("create executes the operations it is given (needs npm run build)", () => {
  let dir: string;
  const calls: string[][] = [];
  const recording = (r: Runner): Runner => ({
    description: r.description,
    run: (argv, opts) => {
      calls.push(argv);
      return r.run(argv, opts);
    },
  });
  const refreshCtx = () => ({ runnerFor: (n: string) => recording(new SimRunner(dir, n)), signal: new AbortController().signal, pveRootFor: () => join(dir, "etc", "pve") });
  const intents: unknown[] = [];
  const applyCtx = (snapshot: unknown): ApplyContext => ({
    ...refreshCtx(),
    snapshot,
    log: () => undefined,
    recordIntent: async (i) => void intents.push(i),
    forgetIntent: async () => undefined,
    lineage: "create-lineage",
  });
  const snap = async () => (await takeSnapshot("pve1", refreshCtx())).snapshot;
  const confOf = (vmid: number) => readFileSync(join(dir, "etc", "pve", "nodes", "pve1", "lxc", `${vmid}.conf`), "utf8");
  const creates = () => calls.filter((a) => a[0] === "pct" && a[1] === "create");

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pmxform-create-ops-"));
    const { initSim } = await import("../../../src/sim/index.js");
    initSim(dir, { nodes: ["pve1"] });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("the configuration changed after the plan does not change what is created; a plan without a create step creates nothing", async () => {
    const s = await snap();
    const c = config({ vmid: 191, hostname: "planned", memory: 512 });
    const d = plan(c, s);
    const now = config({ vmid: 191, hostname: "changed", memory: 4096, mount: {} });
    await expect(lxcContainer.create({ address, config: now, planned: d.planned }, applyCtx(s))).rejects.toThrow(/carries no operations.*run "pmxform plan" again/);
    const bogus: PlannedOperation[] = [{ op: "format_disk", disk: "rootfs" }];
    await expect(lxcContainer.create({ address, config: now, planned: d.planned, operations: bogus }, applyCtx(s))).rejects.toThrow(/cannot carry out.*format_disk/);
    const startsLate: PlannedOperation[] = [{ op: "start" }, ...d.operations!];
    await expect(lxcContainer.create({ address, config: now, planned: d.planned, operations: startsLate }, applyCtx(s))).rejects.toThrow(/do not begin with pct create/);
    const resizesAfter: PlannedOperation[] = [...d.operations!, { op: "resize", disk: "rootfs", size: "64G" }];
    await expect(lxcContainer.create({ address, config: now, planned: d.planned, operations: resizesAfter }, applyCtx(s))).rejects.toThrow(/a create cannot carry out \(resize\). Nothing was done/);
    expect(creates()).toEqual([]);
    expect(intents).toEqual([]);

    const a = await lxcContainer.create({ address, config: now, planned: d.planned, operations: d.operations! }, applyCtx(s));
    expect(creates()).toHaveLength(1);
    expect([a["hostname"], a["memory"]]).toEqual(["planned", 512]);
    expect(Object.keys(a["mount"] as object)).toEqual(["data"]);
    expect(confOf(191)).toMatch(/^mp0: local-lvm:vm-191-disk-\d+,mp=\/data,size=1G$/m);
    expect(intents).toEqual([{ operation: "create", node: "pve1", vmid: 191 }]);
  });

  it("pieces the plan left to apply are printed from the configuration then (seeded random subsets unknown at plan)", async () => {
    // Whatever the plan could not print, apply prints from the configuration by the plan's own
    // mapping: the container equals the one a fully known plan creates.
    const SEED = 2117;
    let x = SEED;
    const rnd = () => ((x = (x * 1103515245 + 12345) % 2 ** 31), x / 2 ** 31);
    const unknownable = ["hostname", "memory", "description", "raw_lxc", "mount", "network", "template", "tags"];
    for (let i = 0; i < 6; i++) {
      const vmid = 200 + i;
      const c = config({
        vmid,
        hostname: `r${i}`,
        memory: 256 + 128 * i,
        description: `case ${i}`,
        raw_lxc: i % 2 ? ["lxc.cap.drop: sys_time"] : [],
        tags: ["t" + i],
        mount: { data: { storage: "local-lvm", size: "1G", path: "/data" }, ...(i % 3 ? { logs: { storage: "local-lvm", size: "1G", path: "/logs", backup: true } } : {}) },
      });
      const hidden = unknownable.filter(() => rnd() < 0.4);
      const atPlan = Object.fromEntries(Object.entries(c).map(([k, v]) => [k, hidden.includes(k) ? new Unknown() : v]));
      const s = await snap();
      const known = plan(c, s);
      const d = plan(atPlan, s);
      const why = `seed ${SEED} case ${i}, unknown at plan: ${hidden.join(", ") || "none"}`;
      expect(
        d.issues.filter((is) => is.severity === "error"),
        why,
      ).toEqual([]);
      const from = JSON.stringify(d.operations).match(/"from"/g)?.length ?? 0;
      expect(from, why).toBeGreaterThanOrEqual(hidden.length ? 1 : 0);
      calls.length = 0;
      await lxcContainer.create({ address, config: c, planned: d.planned, operations: d.operations! }, applyCtx(s));
      const argv = creates()[0]!;
      // The fully known plan's argv, with the vmid's volumes still to allocate: the same command.
      const expected = known.operations![0]!["set"] as { key: string; value: string }[];
      expect(argv.slice(0, 4), why).toEqual(["pct", "create", String(vmid), TEMPLATE]);
      expect(argv.slice(4), why).toEqual(expected.flatMap((p) => [`--${p.key}`, p.value]));
      expect(confOf(vmid).includes("lxc.cap.drop: sys_time"), why).toBe(i % 2 === 1);
    }
  });
});
