// What the plan makes of intents a killed run left in the state (src/engine/reconcile.ts), with
// the real lxc_container type over hand-made cluster snapshots.
import { describe, expect, it } from "vitest";
import { confDigest, parseConf } from "../../src/pve/conf.js";
import { ProviderRegistry } from "../../src/provider/registry.js";
import { proxmoxProvider } from "../../providers/index.js";
import { markerFor } from "../../providers/lxc/desired.js";
import { lxcContainer } from "../../providers/lxc/resource.js";
import type { LxcSnapshot } from "../../providers/lxc/snapshot.js";
import { reconcileIntents } from "../../src/engine/reconcile.js";
import type { Attrs } from "../../src/provider/types.js";
import type { Intent, StateResource } from "../../src/state/types.js";

const registry = new ProviderRegistry().add(proxmoxProvider());
const WEB = "lxc_container.web";
const started = "2026-01-01T00:00:00.000Z";

function snapshot(confs: Record<number, string>): LxcSnapshot {
  const containers = new Map(Object.entries(confs).map(([vmid, text]) => [Number(vmid), { node: "pve1", conf: parseConf(text, vmid), digest: confDigest(text), running: false }]));
  return { nodes: ["pve1"], containers, vms: new Set(), storages: [], devices: new Map() };
}

const created = (address: string) => `arch: amd64\nhostname: web\nmemory: 512\nostype: debian\nrootfs: local-lvm:vm-105-disk-0,size=4G\nswap: 512\ntags: ${markerFor(address)}\nunprivileged: 1\n`;

function run(opts: { intents: Intent[]; confs?: Record<number, string>; resources?: StateResource[]; refreshed?: Map<string, Attrs | null> }) {
  const snap = snapshot(opts.confs ?? {});
  return reconcileIntents({ registry, resources: opts.resources ?? [], intents: opts.intents, refreshed: opts.refreshed ?? new Map(), snapshotFor: () => snap });
}

const recorded = (address: string, vmid: number): StateResource => ({ address, type: "lxc_container", name: "web", provider: "proxmox", attributes: { node: "pve1", vmid }, sensitive_attributes: [], dependencies: [] });

describe("reconciling a killed run's intents", () => {
  it("adopts the container a create left unrecorded, and says so", () => {
    const r = run({ intents: [{ address: WEB, operation: "create", node: "pve1", vmid: 105, started }], confs: { 105: created(WEB) } });
    expect(r.resources.map((x) => x.address)).toEqual([WEB]);
    expect(r.resources[0]!.attributes).toMatchObject({ vmid: 105, node: "pve1", hostname: "web", marker: markerFor(WEB), address: WEB });
    expect(r.adopted.get(WEB)).toBe(r.resources[0]!.attributes);
    expect(r.intents).toEqual([]);
    expect(r.diagnostics.map((d) => d.detail)).toEqual([expect.stringContaining("lxc_container.web: adopted container pve1/105 left by an interrupted run")]);
  });

  it("never adopts a container at that vmid that carries another address's marker or none", () => {
    for (const conf of [created("lxc_container.other"), "hostname: someone-else\nmemory: 512\n"]) {
      const r = run({ intents: [{ address: WEB, operation: "create", node: "pve1", vmid: 105, started }], confs: { 105: conf } });
      expect(r.resources).toEqual([]);
      expect(r.intents).toEqual([]);
      expect(r.diagnostics).toEqual([]);
    }
  });

  it("adopts the bare lock: create placeholder of a killed pct create, and the diff replaces it", () => {
    const r = run({ intents: [{ address: WEB, operation: "create", node: "pve1", vmid: 105, started }], confs: { 105: "lock: create\n" } });
    const prior = r.adopted.get(WEB)!;
    expect(prior["lock"]).toBe("create");
    expect(r.diagnostics[0]!.detail).toContain("half-created: it will be replaced");
    const config = { node: "pve1", template: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst", rootfs: { storage: "local-lvm", size: "4G" } };
    const d = lxcContainer.diff({ address: WEB, config, prior, snapshot: snapshot({ 105: "lock: create\n" }), claimedVmids: new Set(), forceReplace: false });
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
    const there = run({ intents: [{ address: WEB, operation: "delete", node: "pve1", vmid: 105, started }], resources: [recorded(WEB, 105)], refreshed: new Map([[WEB, { node: "pve1", vmid: 105 }]]) });
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
