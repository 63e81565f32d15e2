// What the plan makes of intents a killed run left in the state (src/engine/reconcile.ts), with
// the real lxc_container type over hand-made cluster snapshots.
import { describe, expect, it } from "vitest";
import { confDigest, parseConf } from "../../src/pve/conf.js";
import { ProviderRegistry } from "../../src/provider/registry.js";
import { proxmoxProvider } from "../../providers/index.js";
import { legacyMarkerFor, markerFor } from "../../providers/lxc/identity.js";
import { lxcContainer } from "../../providers/lxc/resource.js";
import type { LxcSnapshot } from "../../providers/lxc/snapshot.js";
import { reconcileIntents } from "../../src/engine/reconcile.js";
import type { Attrs } from "../../src/provider/types.js";
import type { Intent, StateResource } from "../../src/state/types.js";

const registry = new ProviderRegistry().add(proxmoxProvider());
const WEB = "lxc_container.web";
const LINEAGE = "0b6c1f0e-5d1e-4a43-9c39-3f1f4f5f2a10";
const started = "2026-01-01T00:00:00.000Z";

function snapshot(confs: Record<number, string>): LxcSnapshot {
  const containers = new Map(Object.entries(confs).map(([vmid, text]) => [Number(vmid), { node: "pve1", conf: parseConf(text, vmid), digest: confDigest(text), running: false }]));
  return { nodes: ["pve1"], containers, vms: new Set(), storages: [], devices: new Map() };
}

const created = (address: string) =>
  `arch: amd64\nhostname: web\nmemory: 512\nostype: debian\nrootfs: local-lvm:vm-105-disk-0,size=4G\nswap: 512\ntags: ${markerFor(LINEAGE, address)}\nunprivileged: 1\n`;

function run(opts: { intents: Intent[]; confs?: Record<number, string>; resources?: StateResource[]; refreshed?: Map<string, Attrs | null> }) {
  const snap = snapshot(opts.confs ?? {});
  return reconcileIntents({ registry, resources: opts.resources ?? [], intents: opts.intents, lineage: LINEAGE, refreshed: opts.refreshed ?? new Map(), snapshotFor: () => snap });
}

const recorded = (address: string, vmid: number): StateResource => ({
  address,
  type: "lxc_container",
  name: "web",
  provider: "proxmox",
  attributes: { node: "pve1", vmid },
  sensitive_attributes: [],
  dependencies: [],
});

describe("reconciling a killed run's intents", () => {
  it("adopts the container a create left unrecorded, and says so", () => {
    const r = run({ intents: [{ address: WEB, operation: "create", node: "pve1", vmid: 105, started }], confs: { 105: created(WEB) } });
    expect(r.resources.map((x) => x.address)).toEqual([WEB]);
    expect(r.resources[0]!.attributes).toMatchObject({ vmid: 105, node: "pve1", hostname: "web", marker: markerFor(LINEAGE, WEB), address: WEB });
    expect(r.adopted.get(WEB)).toBe(r.resources[0]!.attributes);
    expect(r.intents).toEqual([]);
    expect(r.diagnostics.map((d) => d.detail)).toEqual([expect.stringContaining("lxc_container.web: adopted container pve1/105 left by an interrupted run")]);
  });

  it("never adopts a container at that vmid that carries another address's or another state's marker, or none", () => {
    const otherState = created(WEB).replace(markerFor(LINEAGE, WEB), markerFor("another-lineage", WEB));
    for (const conf of [created("lxc_container.other"), otherState, "hostname: someone-else\nmemory: 512\n"]) {
      const r = run({ intents: [{ address: WEB, operation: "create", node: "pve1", vmid: 105, started }], confs: { 105: conf } });
      expect(r.resources).toEqual([]);
      expect(r.intents).toEqual([]);
      expect(r.diagnostics).toEqual([]);
    }
  });

  it("does not adopt a container with the address-only marker of earlier versions: the same in every project", () => {
    const legacy = created(WEB).replace(markerFor(LINEAGE, WEB), legacyMarkerFor(WEB));
    const r = run({ intents: [{ address: WEB, operation: "create", node: "pve1", vmid: 105, started }], confs: { 105: legacy } });
    expect(r.resources).toEqual([]);
    expect(r.intents).toEqual([]);
    expect(r.diagnostics.map((d) => d.detail)).toEqual([expect.stringContaining('adopt it with "pmxform import lxc_container.web pve1/105"')]);
  });

  it("never adopts the bare lock: create placeholder (nothing in it says whose): the intent stays with the way to clear it", () => {
    const r = run({ intents: [{ address: WEB, operation: "create", node: "pve1", vmid: 105, started }], confs: { 105: "lock: create\n" } });
    expect(r.resources).toEqual([]);
    expect(r.adopted.size).toBe(0);
    expect(r.intents).toMatchObject([{ address: WEB, vmid: 105 }]);
    expect(r.diagnostics.map((d) => d.summary)).toEqual(["Interrupted create not adopted"]);
    expect(r.diagnostics[0]!.detail).toContain('"pct unlock 105" and "pct destroy 105 --purge 1 --destroy-unreferenced-disks 1" on pve1');
    // A full conf still locked by a killed create carries the marker: that one is provably ours, and replaced.
    const lockedFull = `lock: create\n${created(WEB)}`;
    const ours = run({ intents: [{ address: WEB, operation: "create", node: "pve1", vmid: 105, started }], confs: { 105: lockedFull } });
    const prior = ours.adopted.get(WEB)!;
    expect(prior["lock"]).toBe("create");
    expect(ours.diagnostics[0]!.detail).toContain("half-created: it will be replaced");
    const config = { node: "pve1", template: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst", rootfs: { storage: "local-lvm", size: "4G" } };
    const d = lxcContainer.diff({ address: WEB, config, prior, snapshot: snapshot({ 105: lockedFull }), claimedVmids: new Set(), forceReplace: false, lineage: LINEAGE });
    expect(d.action).toBe("replace");
    expect(d.reasons).toContainEqual({ path: ["lock"], reason: "forces replacement" });
    expect(d.notes?.join("\n")).toContain("half-made (lock: create)");
  });

  it("drops a create intent that left nothing, or whose result was recorded", () => {
    expect(run({ intents: [{ address: WEB, operation: "create", node: "pve1", vmid: 105, started }] })).toMatchObject({ resources: [], intents: [], diagnostics: [] });
    const r = run({ intents: [{ address: WEB, operation: "create", node: "pve1", vmid: 105, started }], confs: { 105: created(WEB) }, resources: [recorded(WEB, 105)] });
    expect(r.adopted.size).toBe(0);
    expect(r.intents).toEqual([]);
  });

  it("completes a destroy whose container is gone, and leaves one that is still there to the plan", () => {
    const gone = run({ intents: [{ address: WEB, operation: "delete", node: "pve1", vmid: 105, started }], resources: [recorded(WEB, 105)], refreshed: new Map([[WEB, null]]) });
    expect(gone.resources).toEqual([]);
    expect(gone.completed).toEqual([WEB]);
    expect(gone.diagnostics[0]!.summary).toBe("Completed an interrupted destroy");
    const there = run({
      intents: [{ address: WEB, operation: "delete", node: "pve1", vmid: 105, started }],
      resources: [recorded(WEB, 105)],
      refreshed: new Map([[WEB, { node: "pve1", vmid: 105 }]]),
    });
    expect(there.resources.map((x) => x.address)).toEqual([WEB]);
    expect(there.intents).toEqual([]);
  });

  it("keeps what it cannot check: a destroy that was not refreshed, operations without a rule", () => {
    const intents: Intent[] = [
      { address: WEB, operation: "delete", node: "pve1", vmid: 105, started },
      { address: "oci_image.app", operation: "pull", node: "pve1", file: "/var/lib/vz/template/cache/x.tar.tmp", started },
    ];
    const r = run({ intents, resources: [recorded(WEB, 105)] });
    expect(r.intents).toEqual(intents);
    expect(r.resources.map((x) => x.address)).toEqual([WEB]);
  });
});
