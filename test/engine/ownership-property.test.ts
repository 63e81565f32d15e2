// Seeded property test of container ownership over random clusters shared by several projects
// (states): reconcile adopts a container for an intent exactly when this state's create made it
// (its lineage + address marker), never another project's, an old address-only marker, a bare
// placeholder or an unmarked container; the identity check flags exactly the containers another
// owner made; duplicate claims are found for exactly the containers two entries name.
import { describe, expect, it } from "vitest";
import { confDigest, parseConf } from "../../src/pve/conf.js";
import { ProviderRegistry } from "../../src/provider/registry.js";
import { proxmoxProvider } from "../../providers/index.js";
import { legacyMarkerFor, markerFor } from "../../providers/lxc/identity.js";
import { lxcContainer } from "../../providers/lxc/resource.js";
import type { LxcSnapshot } from "../../providers/lxc/snapshot.js";
import { reconcileIntents } from "../../src/engine/reconcile.js";
import { duplicateClaims } from "../../src/engine/identity.js";
import type { Intent, StateResource } from "../../src/state/types.js";
import { prng } from "../helpers/prng.js";

const registry = new ProviderRegistry().add(proxmoxProvider());
const SEED = Number(process.env.PMXFORM_OWNERSHIP_SEED ?? 20261207);
const LINEAGES = ["3e0c7f52-1b1d-4f7e-9d0e-000000000001", "3e0c7f52-1b1d-4f7e-9d0e-000000000002", "3e0c7f52-1b1d-4f7e-9d0e-000000000003"];
const ADDRESSES = ["lxc_container.web", "lxc_container.db", 'lxc_container.app["a"]'];

type Maker = { kind: "created"; lineage: string; address: string } | { kind: "legacy"; address: string } | { kind: "placeholder" } | { kind: "hand" };

function confOf(m: Maker, vmid: number): string {
  const body = `arch: amd64\nhostname: h${vmid}\nmemory: 512\nostype: debian\nrootfs: local-lvm:vm-${vmid}-disk-0,size=4G\nswap: 512\nunprivileged: 1\n`;
  if (m.kind === "placeholder") return "lock: create\n";
  if (m.kind === "hand") return body;
  return `${body}tags: ${m.kind === "created" ? markerFor(m.lineage, m.address) : legacyMarkerFor(m.address)}\n`;
}

describe(`container ownership over random shared clusters (seed ${SEED})`, () => {
  it("adopts exactly this state's own creations and flags exactly other owners' containers", () => {
    const rand = prng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    let adoptedTotal = 0;
    for (let trial = 0; trial < 300; trial++) {
      const makers = new Map<number, Maker>();
      for (let vmid = 100; vmid < 108; vmid++) {
        const r = rand();
        if (r < 0.15) continue;
        makers.set(
          vmid,
          r < 0.7
            ? { kind: "created", lineage: pick(LINEAGES), address: pick(ADDRESSES) }
            : r < 0.8
              ? { kind: "legacy", address: pick(ADDRESSES) }
              : r < 0.9
                ? { kind: "placeholder" }
                : { kind: "hand" },
        );
      }
      const containers = new Map(
        [...makers].map(([vmid, m]) => {
          const text = confOf(m, vmid);
          return [vmid, { node: "pve1", conf: parseConf(text, String(vmid)), digest: confDigest(text), running: false }];
        }),
      );
      const snap: LxcSnapshot = { nodes: ["pve1"], containers, vms: new Set(), storages: [], devices: new Map() };
      const lineage = pick(LINEAGES);
      // One interrupted create per address at most (what apply leaves), at random vmids.
      const intents: Intent[] = ADDRESSES.filter(() => rand() < 0.6).map((address) => ({
        address,
        operation: "create",
        node: "pve1",
        vmid: 100 + Math.floor(rand() * 8),
        started: "2026-01-01T00:00:00.000Z",
      }));
      const r = reconcileIntents({ registry, resources: [], intents, lineage, refreshed: new Map(), snapshotFor: () => snap });
      for (const i of intents) {
        const m = makers.get(i.vmid!);
        const ours = m?.kind === "created" && m.lineage === lineage && m.address === i.address;
        expect(r.adopted.has(i.address), `trial ${trial}: ${i.address} at ${i.vmid} made by ${JSON.stringify(m)} for lineage ${lineage}`).toBe(ours);
        // Only the placeholder is kept undecided; everything else is settled.
        expect(r.intents.includes(i)).toBe(m?.kind === "placeholder");
        if (ours) adoptedTotal++;
      }
      // Identity: an entry recorded for (lineage, address) sees a conflict at every container another maker made.
      for (const [vmid, m] of makers) {
        const address = pick(ADDRESSES);
        const recorded = { node: "pve1", vmid, marker: markerFor(lineage, address) };
        const live = lxcContainer.read({ address, prior: recorded, snapshot: snap })!;
        const same = m.kind === "created" && m.lineage === lineage && m.address === address;
        expect(lxcContainer.identityConflict!({ address, recorded, live }) === undefined).toBe(same);
      }
      // Duplicate claims: random entries over a few vmids; exactly the vmids named twice are reported.
      const entries: StateResource[] = [];
      for (let k = 0; k < 5; k++)
        entries.push({
          address: `lxc_container.e${k}`,
          type: "lxc_container",
          name: `e${k}`,
          provider: "proxmox",
          attributes: { node: "pve1", vmid: 100 + Math.floor(rand() * 4) },
          sensitive_attributes: [],
          dependencies: [],
        });
      const counts = new Map<number, number>();
      for (const e of entries) counts.set(e.attributes["vmid"] as number, (counts.get(e.attributes["vmid"] as number) ?? 0) + 1);
      const claimed = duplicateClaims(registry, entries).map((d) => /container pve1\/(\d+)/.exec(d.detail ?? "")?.[1]);
      expect(claimed.sort()).toEqual(
        [...counts]
          .filter(([, n]) => n > 1)
          .map(([v]) => String(v))
          .sort(),
      );
    }
    expect(adoptedTotal).toBeGreaterThan(5); // the property was exercised on both sides
  });
});
