// Drives the lxc_container resource type against the simulator: snapshot -> diff -> create ->
// snapshot -> read -> diff = no-op; update memory; add a network; restart; delete.
import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lxcContainer } from "../../../providers/lxc/resource.js";
import { takeSnapshot, type LxcSnapshot } from "../../../providers/lxc/snapshot.js";
import type { ApplyContext, Attrs, RefreshContext } from "../../../src/provider/types.js";

const SIM_MAIN = new URL("../../../dist/src/sim/main.js", import.meta.url);
const haveSim = existsSync(SIM_MAIN);

/** A real process runner for the simulator (argv only), as src/exec's SimRunner does it. */
function simRunner(dir: string, node: string, calls: string[][]) {
  return {
    run(argv: string[], opts: { stdin?: string; okCodes?: number[]; redact?: string[] } = {}) {
      calls.push(argv);
      const [cmd, ...args] = argv;
      const file = ["pct", "pvesh", "pvesm", "pveam"].includes(cmd!) ? join(dir, "bin", cmd!) : cmd!;
      return new Promise<{ stdout: string; stderr: string; exitCode: number; durationMs: number }>((resolve, reject) => {
        const child = execFile(file, args, { env: { ...process.env, PMXSIM_NODE: node } }, (err, stdout, stderr) => {
          const exitCode = err ? (typeof err.code === "number" ? err.code : 1) : 0;
          const res = { stdout, stderr, exitCode, durationMs: 0 };
          if (exitCode !== 0 && !(opts.okCodes ?? []).includes(exitCode)) reject(Object.assign(new Error(`${argv.slice(0, 2).join(" ")} failed (exit ${exitCode}): ${stderr.trim()}`), res));
          else resolve(res);
        });
        if (opts.stdin !== undefined) child.stdin?.end(opts.stdin);
      });
    },
  };
}

describe.skipIf(!haveSim)("lxc_container against the simulator (needs npm run build)", () => {
  let dir: string;
  const calls: string[][] = [];
  const logs: string[] = [];
  const intents: unknown[] = [];
  const refreshCtx = (): RefreshContext => ({ runnerFor: (n) => simRunner(dir, n, calls) as never, signal: new AbortController().signal, pveRootFor: () => join(dir, "etc", "pve") });
  const applyCtx = (snapshot: LxcSnapshot): ApplyContext => ({
    runnerFor: (n) => simRunner(dir, n, calls) as never,
    snapshot,
    log: (m) => logs.push(m),
    recordIntent: async (i) => void intents.push(i),
    forgetIntent: async () => undefined,
    lineage: "test-lineage",
    signal: new AbortController().signal,
    pveRootFor: () => join(dir, "etc", "pve"),
  });
  const snap = async () => (await takeSnapshot("pve1", refreshCtx())).snapshot;
  const address = "lxc_container.web";
  const config = (extra: Attrs = {}): Attrs => ({
    node: "pve1",
    template: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
    hostname: "web",
    memory: 1024,
    rootfs: { storage: "local-lvm", size: "8G" },
    network: { eth0: { bridge: "vmbr0", ip: "dhcp" } },
    tags: ["Web", "prod"],
    started: true,
    ...extra,
  });
  const plan = (s: LxcSnapshot, c: Attrs, prior: Attrs | null) => lxcContainer.diff({ address, config: c, prior, snapshot: s, claimedVmids: new Set(), forceReplace: false, lineage: "test-lineage" });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pmxform-lxc-"));
    const { initSim } = await import("../../../src/sim/index.js");
    initSim(dir, { nodes: ["pve1", "pve2"] });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let state: Attrs;

  it("creates, then re-plans as no-op", async () => {
    const s0 = await snap();
    const d = plan(s0, config(), null);
    expect(d.action).toBe("create");
    state = await lxcContainer.create({ address, config: config(), planned: d.planned, operations: d.operations }, applyCtx(s0));
    expect(state).toMatchObject({ vmid: 100, node: "pve1", hostname: "web", memory: 1024, started: true, tags: ["prod", "web"] });
    expect(intents).toEqual([{ operation: "create", node: "pve1", vmid: 100 }]);
    const s1 = await snap();
    expect(s1.containers.get(100)?.running).toBe(true);
    const read = lxcContainer.read({ address, prior: state, snapshot: s1 })!;
    expect(read["digest"]).toBe(state["digest"]);
    const d2 = plan(s1, config(), read);
    expect(d2.reasons).toEqual([]);
    expect(d2.action).toBe("no-op");
    state = read;
  });

  it("my digest equals pvesh's digest of the same file", async () => {
    const out = await simRunner(dir, "pve1", calls).run(["pvesh", "get", "/nodes/pve1/lxc/100/config", "--output-format", "json"]);
    expect((JSON.parse(out.stdout) as { digest: unknown }).digest).toBe(state["digest"]);
  });

  it("updates memory in place with one pct set guarded by the digest", async () => {
    const s = await snap();
    const d = plan(s, config({ memory: 2048 }), lxcContainer.read({ address, prior: state, snapshot: s }));
    expect(d.action).toBe("update");
    calls.length = 0;
    state = await lxcContainer.update!({ address, config: config({ memory: 2048 }), prior: state, planned: d.planned, operations: d.operations }, applyCtx(s));
    expect(calls.filter((c) => c[0] === "pct")).toEqual([["pct", "set", "100", "--digest", expect.any(String), "--memory", "2048"]]);
    expect(state["memory"]).toBe(2048);
    expect(plan(await snap(), config({ memory: 2048 }), state).action).toBe("no-op");
  });

  it("adds a network interface and keeps eth0's MAC", async () => {
    const c = config({ memory: 2048, network: { eth0: { bridge: "vmbr0", ip: "dhcp" }, eth1: { bridge: "vmbr0", ip: "10.0.0.5/24" } } });
    const s = await snap();
    const mac = ((state["network"] as Attrs)["eth0"] as Attrs)["hwaddr"];
    const d = plan(s, c, state);
    expect(d.action).toBe("update");
    state = await lxcContainer.update!({ address, config: c, prior: state, planned: d.planned, operations: d.operations }, applyCtx(s));
    expect(((state["network"] as Attrs)["eth0"] as Attrs)["hwaddr"]).toBe(mac);
    expect(((state["network"] as Attrs)["eth1"] as Attrs)["slot"]).toBe(1);
    expect(plan(await snap(), c, state).action).toBe("no-op");
  });

  it("a change made outside pmxform after the plan fails on the digest with a clear message", async () => {
    const s = await snap();
    const c = config({ memory: 4096 });
    const d = plan(s, c, state);
    await simRunner(dir, "pve1", calls).run(["pct", "set", "100", "--cores", "3"]);
    await expect(lxcContainer.update!({ address, config: c, prior: state, planned: d.planned, operations: d.operations }, applyCtx(s))).rejects.toThrow(
      /lxc_container.web: the container was changed outside pmxform/,
    );
  });

  it("refresh cost does not grow with the number of containers", async () => {
    calls.length = 0;
    await snap();
    const one = calls.length;
    for (let i = 0; i < 5; i++) await simRunner(dir, "pve1", []).run(["pct", "create", String(200 + i), "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz", "--rootfs", "local-lvm:1"]);
    calls.length = 0;
    const s = await snap();
    expect(calls.length).toBe(one);
    expect(s.containers.size).toBeGreaterThanOrEqual(6);
  });

  it("creates with a password (stdin only), a volume mount and a bind mount; grows the volume", async () => {
    const c: Attrs = {
      ...config({ hostname: "db" }),
      password: "Zq9-secret",
      mount: { data: { storage: "local-lvm", size: "1G", path: "/srv/data" }, media: { host_path: "/tank/media", path: "/media" } },
    };
    const s = await snap();
    const d = plan(s, c, null);
    calls.length = 0;
    let db = await lxcContainer.create({ address: "lxc_container.db", config: c, planned: d.planned, operations: d.operations }, applyCtx(s));
    expect(calls.flat()).not.toContain("Zq9-secret");
    expect(calls.some((a) => a.includes("chpasswd"))).toBe(true);
    expect(Object.keys(db["mount"] as object).sort()).toEqual(["data", "media"]);
    const grown = { ...c, mount: { ...(c["mount"] as Attrs), data: { storage: "local-lvm", size: "2G", path: "/srv/data" } } };
    const s2 = await snap();
    const d2 = lxcContainer.diff({ address: "lxc_container.db", config: grown, prior: db, snapshot: s2, claimedVmids: new Set(), forceReplace: false });
    expect(d2.action).toBe("update");
    db = await lxcContainer.update!({ address: "lxc_container.db", config: grown, prior: db, planned: d2.planned, operations: d2.operations }, applyCtx(s2));
    expect(((db["mount"] as Attrs)["data"] as Attrs)["size"]).toBe("2G");
    const d3 = lxcContainer.diff({ address: "lxc_container.db", config: grown, prior: db, snapshot: await snap(), claimedVmids: new Set(), forceReplace: false });
    expect(d3.action).toBe("no-op");
  });

  it("deletes a running container; deleting again succeeds", async () => {
    const s = await snap();
    const prior = lxcContainer.read({ address, prior: state, snapshot: s })!;
    await lxcContainer.delete({ address, prior }, applyCtx(s));
    const after = await snap();
    expect(after.containers.has(100)).toBe(false);
    expect(lxcContainer.read({ address, prior, snapshot: after })).toBeNull();
    await lxcContainer.delete({ address, prior }, applyCtx(after));
  });
});
