// Following a container migrated outside pmxform: read records where it was, and the diff keeps
// it where it runs (a warning, no replacement) while a node change made in the configuration
// still forces a replacement.
import { describe, expect, it } from "vitest";
import { confDigest, parseConf } from "../../../src/pve/conf.js";
import { emptySnapshot } from "../../../providers/lxc/snapshot.js";
import { lxcContainer } from "../../../providers/lxc/resource.js";
import type { Attrs } from "../../../src/provider/types.js";

const CONF = "arch: amd64\nhostname: mover\nmemory: 512\nostype: debian\nrootfs: local-lvm:vm-207-disk-0,size=2G\nswap: 512\n";
const config: Attrs = { node: "pve1", vmid: 207, template: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst", hostname: "mover", memory: 512, rootfs: { storage: "local-lvm", size: "2G" } };

function snapOn(node: string) {
  const s = emptySnapshot(["pve1", "pve2"]);
  s.containers.set(207, { node, conf: parseConf(CONF, "207"), digest: confDigest(CONF), running: false });
  return s;
}

describe("a container migrated outside pmxform", () => {
  const onPve1 = lxcContainer.read({ address: "lxc_container.mover", prior: { node: "pve1", vmid: 207, managed_keys: Object.keys(config).sort() }, snapshot: snapOn("pve1") })!;
  const diff = (c: Attrs, prior: Attrs) => lxcContainer.diff({ address: "lxc_container.mover", config: c, prior, snapshot: snapOn(String(prior["node"])), claimedVmids: new Set(), forceReplace: false });

  it("is read on its new node with the node it came from", () => {
    expect(onPve1["migrated_from"]).toBeUndefined();
    const moved = lxcContainer.read({ address: "lxc_container.mover", prior: onPve1, snapshot: snapOn("pve2") })!;
    expect(moved).toMatchObject({ node: "pve2", migrated_from: "pve1" });
    // Refreshing again keeps the origin; so does a second migration.
    expect(lxcContainer.read({ address: "lxc_container.mover", prior: moved, snapshot: snapOn("pve2") })!["migrated_from"]).toBe("pve1");
    expect(lxcContainer.hiddenAttributes).toContain("migrated_from");
  });

  it("is followed with a warning while the configuration names the old node; a configured move still replaces", () => {
    const moved = lxcContainer.read({ address: "lxc_container.mover", prior: onPve1, snapshot: snapOn("pve2") })!;
    const followed = diff(config, moved);
    expect(followed.action).toBe("no-op");
    expect(followed.planned["node"]).toBe("pve2");
    expect(followed.issues).toContainEqual(expect.objectContaining({ severity: "warning", summary: "Container migrated outside pmxform" }));
    expect(diff({ ...config, node: "pve2" }, moved).issues).toEqual([]);
    const replaced = diff({ ...config, node: "pve2" }, onPve1);
    expect(replaced.action).toBe("replace");
    expect(replaced.reasons).toContainEqual({ path: ["node"], reason: "forces replacement" });
  });
});
