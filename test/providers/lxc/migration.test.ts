// Following a container migrated outside pmxform: read records where it was; the diff migrates a
// stopped one back (the configuration says where it belongs) and leaves a running one where it
// runs with a warning; a node change made in the configuration is a migration, never a replacement.
import { describe, expect, it } from "vitest";
import { confDigest, parseConf } from "../../../src/pve/conf.js";
import { emptySnapshot } from "../../../providers/lxc/snapshot.js";
import { lxcContainer } from "../../../providers/lxc/resource.js";
import type { Attrs } from "../../../src/provider/types.js";
import { prng } from "../../helpers/prng.js";
import { explainPveError } from "../../../providers/lxc/errors.js";

const CONF = "arch: amd64\nhostname: mover\nmemory: 512\nostype: debian\nrootfs: local-lvm:vm-207-disk-0,size=2G\nswap: 512\n";
const config: Attrs = { node: "pve1", vmid: 207, template: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst", hostname: "mover", memory: 512, rootfs: { storage: "local-lvm", size: "2G" } };

function snapOn(node: string) {
  const s = emptySnapshot(["pve1", "pve2"]);
  s.containers.set(207, { node, conf: parseConf(CONF, "207"), digest: confDigest(CONF), running: false });
  return s;
}

describe("a container migrated outside pmxform", () => {
  const onPve1 = lxcContainer.read({ address: "lxc_container.mover", prior: { node: "pve1", vmid: 207, managed_keys: Object.keys(config).sort() }, snapshot: snapOn("pve1") })!;
  const diff = (c: Attrs, prior: Attrs) =>
    lxcContainer.diff({ address: "lxc_container.mover", config: c, prior, snapshot: snapOn(String(prior["node"])), claimedVmids: new Set(), forceReplace: false });

  it("is read on its new node with the node it came from", () => {
    expect(onPve1["migrated_from"]).toBeUndefined();
    const moved = lxcContainer.read({ address: "lxc_container.mover", prior: onPve1, snapshot: snapOn("pve2") })!;
    expect(moved).toMatchObject({ node: "pve2", migrated_from: "pve1" });
    // Refreshing again keeps the origin; so does a second migration.
    expect(lxcContainer.read({ address: "lxc_container.mover", prior: moved, snapshot: snapOn("pve2") })!["migrated_from"]).toBe("pve1");
    expect(lxcContainer.hiddenAttributes).toContain("migrated_from");
  });

  it("a stopped container migrated outside is migrated back; a running one is followed with a warning", () => {
    const moved = lxcContainer.read({ address: "lxc_container.mover", prior: onPve1, snapshot: snapOn("pve2") })!;
    const back = diff(config, moved);
    expect(back.action).toBe("update");
    expect(back.reasons).toContainEqual({ path: ["node"], reason: "migrates" });
    expect(back.planned["node"]).toBe("pve1");
    expect(back.issues).toContainEqual(expect.objectContaining({ severity: "warning", summary: "Container migrated outside pmxform" }));
    const running = { ...moved, started: true };
    const followed = diff(config, running);
    expect(followed.action).toBe("no-op");
    expect(followed.planned["node"]).toBe("pve2");
    expect(followed.issues).toContainEqual(expect.objectContaining({ severity: "warning", summary: "Container migrated outside pmxform" }));
    expect(diff({ ...config, node: "pve2" }, moved).issues).toEqual([]);
  });

  it("a configured node change migrates, never replaces (seeded combinations)", () => {
    const seed = 22_2;
    const rnd = prng(seed);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    for (let i = 0; i < 200; i++) {
      const started = pick([true, false]);
      const wantStarted = pick([true, false, undefined]);
      const restart = pick([true, false, undefined]);
      const storage = pick(["local-lvm", "local"]);
      const memory = pick([512, 1024]);
      const prior = { ...onPve1, started, rootfs: { ...(onPve1["rootfs"] as object), storage: "local-lvm", volume: "local-lvm:vm-207-disk-0" } };
      const c: Attrs = { ...config, node: "pve2", memory, rootfs: { storage, size: "2G" } };
      if (wantStarted !== undefined) c["started"] = wantStarted;
      if (restart !== undefined) c["restart_on_change"] = restart;
      const d = diff(c, prior);
      const where = `seed ${seed} case ${i}: ${JSON.stringify({ started, wantStarted, restart, storage, memory })}`;
      expect(d.action, where).not.toBe("replace");
      expect(
        d.reasons.some((r) => r.reason === "forces replacement"),
        where,
      ).toBe(false);
      const refused = started && wantStarted !== false && restart !== true;
      if (refused) {
        expect(
          d.issues.map((x) => x.summary),
          where,
        ).toContain("Moving a running container needs a restart");
        continue;
      }
      expect(d.action, where).toBe("update");
      expect(d.reasons, where).toContainEqual({ path: ["node"], reason: "migrates" });
      expect(d.planned["node"], where).toBe("pve2");
      expect(d.notes?.join("\n"), where).toContain(started && wantStarted !== false ? "--restart" : "offline");
      // A storage change rides on the migration (--target-storage), not on pct move-volume.
      expect(d.notes?.join("\n"), where).not.toContain("move-volume");
      if (storage === "local") expect(d.notes?.join("\n"), where).toContain("volumes move from storage local-lvm to local");
    }
  });

  it("a failed pct migrate is explained from its task log (stderr only says 'migration aborted')", () => {
    const log =
      "2026-12-07 06:00:00 starting migration of CT 207 to node 'pve2' (pve2)\n2026-12-07 06:00:00 ERROR: can't migrate CT - check log\n2026-12-07 06:00:00 ERROR: migration aborted (duration 00:00:00): can't migrate CT - check log\n";
    expect(explainPveError(`migration aborted\n${log}`, "lxc_container.mover")).toBe(
      "lxc_container.mover: pct migrate failed: can't migrate CT - check log. The container was left on its node (a restart migration starts it there again); fix the cause and apply again.",
    );
  });
});
