// The update's steps as the plan decides them (providers/lxc/operations.ts) and as apply executes
// them: combined changes give one ordered list in pct's terms, secrets and values unknown at plan
// time are named by attribute path, never printed, and update runs the steps it is given (not a
// second diff of the configuration it is handed).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lxcContainer } from "../../../providers/lxc/resource.js";
import { attrsFromConf } from "../../../providers/lxc/attrs.js";
import { takeSnapshot } from "../../../providers/lxc/snapshot.js";
import { Unknown } from "../../../src/config/value.js";
import { SimRunner } from "../../../src/exec/sim.js";
import { parseConf } from "../../../src/pve/conf.js";
import type { ApplyContext, Attrs, PlannedOperation } from "../../../src/provider/types.js";
import { recordedSnapshot } from "./helpers.js";

const address = "lxc_container.web";
const TEMPLATE = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";
const CONF = `arch: amd64
hostname: web
memory: 512
mp0: local-lvm:vm-120-disk-1,mp=/data,size=4G
mp1: local-lvm:vm-120-disk-2,mp=/logs,size=2G
net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01,ip=dhcp,type=veth
ostype: debian
rootfs: local-lvm:vm-120-disk-0,size=8G
`;

function prior(running = true): Attrs {
  const carried = { template: TEMPLATE, managed_keys: ["hostname", "memory", "mount", "network", "node", "rootfs", "started", "template"], mount_names: { mp0: "data", mp1: "logs" }, address };
  return attrsFromConf(120, "pve1", parseConf(CONF, "120"), running, carried, "d1");
}

const config = (extra: Attrs = {}): Attrs => ({
  node: "pve1",
  vmid: 120,
  template: TEMPLATE,
  hostname: "web",
  memory: 512,
  started: true,
  rootfs: { storage: "local-lvm", size: "8G" },
  mount: { data: { storage: "local-lvm", size: "4G", path: "/data" }, logs: { storage: "local-lvm", size: "2G", path: "/logs" } },
  network: { eth0: { bridge: "vmbr0", ip: "dhcp" } },
  ...extra,
});

const diff = (c: Attrs, p: Attrs, sensitivePaths: (string | number)[][] = []) =>
  lxcContainer.diff({ address, config: c, prior: p, snapshot: recordedSnapshot(), claimedVmids: new Set(), forceReplace: false, lineage: "l", sensitivePaths });

describe("the update's operations", () => {
  it("memory + a mount's size + a storage move + raw lxc + restart: one ordered list in pct's terms", () => {
    const c = config({
      memory: 2048,
      restart_on_change: true,
      raw_lxc: ["lxc.cap.drop: sys_time"],
      mount: { data: { storage: "local-lvm", size: "8G", path: "/data" }, logs: { storage: "local", size: "2G", path: "/logs" } },
    });
    const d = diff(c, prior());
    expect(d.issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(d.action).toBe("update");
    // Stopped for the move (which needs a stopped container), so the raw lines and the pending
    // values apply at the start: no reboot. The set echoes the grown size and still names mp1's
    // old volume (move-volume moves it afterwards).
    expect(d.operations).toEqual([
      { op: "digest", digest: "d1" },
      { op: "stop" },
      { op: "raw_lxc", lines: ["lxc.cap.drop: sys_time"] },
      { op: "resize", disk: "mp0", size: "8G", if_already: { key: "mp0", value: "local-lvm:vm-120-disk-1,mp=/data,size=8G" } },
      { op: "set", set: [{ key: "memory", value: "2048" }], delete: [] },
      { op: "move_volume", disk: "mp1", storage: "local" },
      { op: "start" },
    ]);
  });

  it("a running container without moves is rebooted last when restart_on_change allows it, else told to wait", () => {
    const change = { memory: 1024, rootfs: { storage: "local-lvm", size: "8G", acl: true } };
    const allowed = diff(config({ ...change, restart_on_change: true }), prior());
    expect(allowed.operations!.map((o) => o.op)).toEqual(["digest", "set", "reboot"]);
    expect(allowed.operations![1]).toEqual({
      op: "set",
      set: [
        { key: "memory", value: "1024" },
        { key: "rootfs", value: "local-lvm:vm-120-disk-0,acl=1,size=8G" },
      ],
      delete: [],
    });
    const waits = diff(config(change), prior());
    expect(waits.operations!.map((o) => o.op)).toEqual(["digest", "set", "pending"]);
    expect(waits.operations![2]).toEqual({ op: "pending", keys: ["rootfs"] });
  });

  it("never holds a secret or a value only apply knows: such pieces name their attribute", () => {
    const d = diff(config({ password: "hunter2-secret", hostname: new Unknown("string"), description: "the db password is hunter2-secret" }), prior(), [["password"], ["description"]]);
    const text = JSON.stringify(d.operations);
    expect(text).not.toContain("hunter2");
    expect(d.operations).toContainEqual({
      op: "set",
      set: [
        { key: "description", from: ["description"] },
        { key: "hostname", from: ["hostname"] },
      ],
      delete: [],
    });
    expect(d.operations).toContainEqual({ op: "password", from: ["password"] });
  });
});

const haveSim = existsSync(new URL("../../../dist/src/sim/main.js", import.meta.url));

describe.skipIf(!haveSim)("update executes the operations it is given (needs npm run build)", () => {
  let dir: string;
  const refreshCtx = () => ({ runnerFor: (n: string) => new SimRunner(dir, n), signal: new AbortController().signal, pveRootFor: () => join(dir, "etc", "pve") });
  const logs: string[] = [];
  const applyCtx = (snapshot: unknown): ApplyContext => ({
    ...refreshCtx(),
    snapshot,
    log: (m) => logs.push(m),
    recordIntent: async () => undefined,
    forgetIntent: async () => undefined,
    lineage: "ops-lineage",
  });
  const snap = async () => (await takeSnapshot("pve1", refreshCtx())).snapshot;
  const cfg = (extra: Attrs = {}): Attrs => ({ node: "pve1", vmid: 181, template: TEMPLATE, hostname: "ops", memory: 512, started: false, rootfs: { storage: "local-lvm", size: "1G" }, ...extra });
  const plan = (s: unknown, c: Attrs, p: Attrs | null) =>
    lxcContainer.diff({ address, config: c, prior: p && lxcContainer.read({ address, prior: p, snapshot: s }), snapshot: s, claimedVmids: new Set(), forceReplace: false, lineage: "ops-lineage" });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pmxform-ops-"));
    const { initSim } = await import("../../../src/sim/index.js");
    initSim(dir, { nodes: ["pve1"] });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("the configuration handed to update is not diffed again: the planned steps run, and a plan without steps is refused", async () => {
    let s = await snap();
    const created = plan(s, cfg(), null);
    let state = await lxcContainer.create({ address, config: cfg(), planned: created.planned, operations: created.operations }, applyCtx(s));
    s = await snap();
    const d = plan(s, cfg({ memory: 2048 }), state);
    // The configuration now says 4096 and a new hostname: neither was planned, so neither happens.
    const now = cfg({ memory: 4096, hostname: "other" });
    const prior = lxcContainer.read({ address, prior: state, snapshot: s })!;
    await expect(lxcContainer.update!({ address, config: now, prior, planned: d.planned }, applyCtx(s))).rejects.toThrow(/carries no operations.*run "pmxform plan" again/);
    const bogus: PlannedOperation[] = [{ op: "format_disk", disk: "rootfs" }];
    await expect(lxcContainer.update!({ address, config: now, prior, planned: d.planned, operations: bogus }, applyCtx(s))).rejects.toThrow(/cannot carry out.*format_disk/);
    state = await lxcContainer.update!({ address, config: now, prior, planned: d.planned, operations: d.operations! }, applyCtx(s));
    expect([state["memory"], state["hostname"]]).toEqual([2048, "ops"]);
  });
});
