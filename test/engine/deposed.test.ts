// Deposed objects (create_before_destroy leftovers): settled against the refresh, planned and
// rendered as destroys with their key, carried through plan files and the apply graph, and a
// create_before_destroy create killed mid-way adopted as the current object.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { changeGraph, changeId } from "../../src/engine/apply.js";
import { deposedForRefresh, deposedKeyOf, settleDeposed } from "../../src/engine/deposed.js";
import { plan } from "../../src/engine/plan.js";
import { changeFromFile, changeToFile } from "../../src/engine/planfile.js";
import { reconcileIntents } from "../../src/engine/reconcile.js";
import { openSession } from "../../src/engine/session.js";
import { renderPlan } from "../../src/plan/render.js";
import { renderContext } from "../../src/commands/plan-output.js";
import { buildRegistry } from "../../src/registry-wiring.js";
import { confDigest, parseConf } from "../../src/pve/conf.js";
import { markerFor } from "../../providers/lxc/identity.js";
import type { LxcSnapshot } from "../../providers/lxc/snapshot.js";
import type { Attrs } from "../../src/provider/types.js";
import type { DeposedResource, StateFile, StateResource } from "../../src/state/types.js";

const WEB = "lxc_container.web";
const LINEAGE = "0b6c1f0e-5d1e-4a43-9c39-3f1f4f5f2a10";
const entry = (vmid: number, key?: string): DeposedResource => ({
  address: WEB,
  type: "lxc_container",
  name: "web",
  provider: "proxmox",
  attributes: { node: "pve1", vmid, hostname: "web", memory: 512 },
  sensitive_attributes: [],
  dependencies: [],
  ...(key ? { deposed_key: key } : {}),
});
const state = (resources: StateResource[], deposed: DeposedResource[]): StateFile => ({ version: 1, pmxform_version: "0.1.0", lineage: "l", serial: 4, resources, outputs: {}, deposed });

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("deposed objects", () => {
  it("keeps what is still on the cluster, drops what is gone or still current, and warns about what cannot be read", async () => {
    const legacy = entry(109);
    const s = state([entry(106)], [entry(105, "aaaa1111"), entry(106, "bbbb2222"), entry(107, "cccc3333"), entry(108, "dddd4444"), legacy]);
    const refreshed = new Map<string, Attrs | null>([[WEB, entry(106).attributes]]);
    const unreachable = new Map<string, string>();
    const addresses = deposedForRefresh(s).map((p) => p.address);
    expect(new Set(addresses).size).toBe(5);
    expect(addresses.every((a) => a.startsWith(`${WEB} (deposed `))).toBe(true);
    refreshed.set(addresses[0]!, { ...entry(105).attributes, memory: 1024 });
    refreshed.set(addresses[1]!, entry(106).attributes);
    refreshed.set(addresses[2]!, null);
    unreachable.set(addresses[3]!, "node pve1 could not be read: timeout");
    refreshed.set(addresses[4]!, legacy.attributes);

    const r = settleDeposed(await buildRegistry(), s, refreshed, unreachable);
    expect(r.objects.map((o) => [o.key, o.attributes["vmid"], o.unreachable ?? null])).toEqual([
      ["aaaa1111", 105, null],
      ["dddd4444", 108, "node pve1 could not be read: timeout"],
      [deposedKeyOf(legacy), 109, null],
    ]);
    expect(r.objects[0]!.attributes["memory"]).toBe(1024);
    // A key derived for an entry written without one is the same in every run.
    expect(deposedKeyOf(legacy)).toMatch(/^[0-9a-f]{8}$/);
    expect(deposedKeyOf(entry(109))).toBe(deposedKeyOf(legacy));
    expect(s.deposed!.map((d) => [d.attributes["vmid"], d.deposed_key])).toEqual([
      [105, "aaaa1111"],
      [108, "dddd4444"],
      [109, deposedKeyOf(legacy)],
    ]);
    expect(r.diagnostics.map((d) => d.summary)).toEqual(["Deposed object could not be refreshed"]);
    expect(r.diagnostics[0]!.detail).toContain("lxc_container.web (deposed object dddd4444, vmid 108 on pve1)");
    // The plan sees resources only.
    expect([...refreshed.keys()]).toEqual([WEB]);
    expect(unreachable.size).toBe(0);

    const none = state([], [entry(110, "eeee5555")]);
    settleDeposed(await buildRegistry(), none, new Map([[deposedForRefresh(none)[0]!.address, null]]), new Map());
    expect(none.deposed).toBeUndefined();
  });

  it("plans each as a destroy naming its key, vmid and node, through plan files and the apply graph", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pmx-deposed-"));
    dirs.push(dir);
    writeFileSync(join(dir, "main.pmx.hcl"), `proxmox {\n  node "pve1" {\n    sim = "sim"\n  }\n}\n`);
    const registry = await buildRegistry();
    const { session } = await openSession({ chdir: dir }, registry, { variables: "resolve" });
    const r = plan({
      session: session!,
      prior: [],
      refreshed: new Map(),
      unreachable: new Map(),
      snapshotFor: () => undefined,
      options: { destroy: false, refreshOnly: false, targets: [], replace: [] },
      lineage: LINEAGE,
      deposed: [
        { address: WEB, key: "aaaa1111", type: "lxc_container", attributes: entry(105).attributes, sensitive_attributes: [], dependencies: [] },
        { address: WEB, key: "dddd4444", type: "lxc_container", attributes: entry(108).attributes, sensitive_attributes: [], dependencies: [], unreachable: "down" },
      ],
    });
    expect(r.changes).toHaveLength(1);
    const c = r.changes[0]!;
    expect(c).toMatchObject({ address: WEB, action: "delete", deposedKey: "aaaa1111", node: "pve1", after: null });
    const text = renderPlan(r.changes, [], renderContext(registry, false));
    expect(text).toContain("# lxc_container.web (deposed object aaaa1111) will be destroyed");
    expect(text).toContain("# (left by an interrupted create_before_destroy replacement: vmid 105 on pve1)");
    expect(text).toMatch(/- vmid\s+= 105/);
    expect(text).toContain("Plan: 0 to add, 0 to change, 1 to destroy.");

    const file = changeToFile(c);
    expect(file.deposed).toBe("aaaa1111");
    expect(changeFromFile(JSON.parse(JSON.stringify(file)) as typeof file).deposedKey).toBe("aaaa1111");
    // Beside a replacement of the same address, the destroy is its own node of the graph.
    const replace = { ...c, action: "replace" as const, deposedKey: undefined as never, after: c.before };
    delete (replace as { deposedKey?: string }).deposedKey;
    expect(changeGraph([c, replace]).nodes().sort()).toEqual([WEB, changeId(c)].sort());
    expect(changeId(c)).toBe("lxc_container.web (deposed object aaaa1111)");
  });

  it("adopts the new container of a create_before_destroy create that was killed, leaving the old one deposed", async () => {
    const registry = await buildRegistry();
    const text = `arch: amd64\nhostname: web\nmemory: 512\nostype: debian\nrootfs: local-lvm:vm-106-disk-0,size=4G\nswap: 512\ntags: ${markerFor(LINEAGE, WEB)}\nunprivileged: 1\n`;
    const snap: LxcSnapshot = {
      nodes: ["pve1"],
      containers: new Map([[106, { node: "pve1", conf: parseConf(text, "106"), digest: confDigest(text), running: false }]]),
      vms: new Set(),
      storages: [],
      devices: new Map(),
    };
    const intents = [{ address: WEB, operation: "create", node: "pve1", vmid: 106, started: "2026-01-01T00:00:00.000Z" }];
    const old = { ...entry(105), dependencies: ["oci_image.x"] };
    const r = reconcileIntents({ lineage: LINEAGE, registry, resources: [old], deposed: [entry(105, "aaaa1111")], intents, refreshed: new Map(), snapshotFor: () => snap });
    expect(r.resources.map((x) => [x.address, x.attributes["vmid"], x.dependencies])).toEqual([[WEB, 106, ["oci_image.x"]]]);
    expect(r.adopted.get(WEB)?.["vmid"]).toBe(106);
    expect(r.diagnostics[0]!.detail).toContain("as the replacement of pve1/105, which stays deposed and is destroyed by the next apply");
    // Without a deposed copy of the current object it is an ordinary recorded create: nothing adopted.
    const plain = reconcileIntents({ lineage: LINEAGE, registry, resources: [old], intents, refreshed: new Map(), snapshotFor: () => snap });
    expect(plain.resources.map((x) => x.attributes["vmid"])).toEqual([105]);
    expect(plain.adopted.size).toBe(0);
  });

  it("records the new container of a provider's own replace killed right after its create as deposed, unless its later steps began", async () => {
    const registry = await buildRegistry();
    const text = `arch: amd64\nhostname: web\nmemory: 512\nostype: debian\nrootfs: local-lvm:vm-106-disk-0,size=4G\nswap: 512\ntags: ${markerFor(LINEAGE, WEB)}\nunprivileged: 1\n`;
    const snap: LxcSnapshot = {
      nodes: ["pve1"],
      containers: new Map([[106, { node: "pve1", conf: parseConf(text, "106"), digest: confDigest(text), running: false }]]),
      vms: new Set(),
      storages: [],
      devices: new Map(),
    };
    const create = { address: WEB, operation: "create", node: "pve1", vmid: 106, started: "2026-01-01T00:00:00.000Z" };
    const r = reconcileIntents({ lineage: LINEAGE, registry, resources: [entry(105)], intents: [create], refreshed: new Map(), snapshotFor: () => snap });
    expect(r.resources.map((x) => x.attributes["vmid"])).toEqual([105]);
    expect(r.deposed.map((d) => [d.address, d.attributes["vmid"], /^[0-9a-f]{8}$/.test(d.deposed_key!)])).toEqual([[WEB, 106, true]]);
    expect(r.intents).toEqual([]);
    expect(r.diagnostics[0]!.detail).toContain("container pve1/106 was created by an interrupted run that had not yet replaced pve1/105 with it");
    // A step after the create began (a volume may have moved to 106): both intents stay for a person.
    const step = { ...create, operation: "replace: pct stop 105" };
    const busy = reconcileIntents({ lineage: LINEAGE, registry, resources: [entry(105)], intents: [create, step], refreshed: new Map(), snapshotFor: () => snap });
    expect(busy.deposed).toEqual([]);
    expect(busy.intents).toEqual([create, step]);
  });
});
