// nodeChecks against snapshots the simulator cannot produce (its storages all hold rootdir):
// storages without the content type, a node whose storages or bridges were not read, and the
// rule that only new or changed values are errors. The CLI behaviour is in test/cli/node-checks.test.ts.
import { describe, expect, it } from "vitest";
import { nodeChecks } from "../../../providers/lxc/node-checks.js";
import { emptySnapshot } from "../../../providers/lxc/snapshot.js";

function snap() {
  const s = emptySnapshot(["pve1"]);
  s.storages = [
    { storage: "local", node: "pve1", content: ["iso", "vztmpl", "backup"], plugintype: "dir", total: 100 * 1024 ** 3, used: 90 * 1024 ** 3 },
    { storage: "tank", node: "pve1", content: ["images"], plugintype: "zfspool", total: 1024 ** 4, used: 0 },
    { storage: "ct", node: "pve1", content: ["rootdir", "images"], plugintype: "lvmthin", total: 1024 ** 4, used: 0 },
  ];
  s.bridges = new Map([["pve1", [{ name: "vmbr0", mtu: 1500 }]]]);
  s.templates = new Map([["pve1/local", new Map([["local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst", 1]])]]);
  return s;
}

const config = (o: Record<string, unknown> = {}) => ({
  node: "pve1",
  template: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
  rootfs: { storage: "ct", size: "8G" },
  network: { eth0: { bridge: "vmbr0" } },
  ...o,
});

describe("nodeChecks", () => {
  it("passes a container that fits the node", () => {
    expect(nodeChecks(config(), null, snap())).toEqual([]);
  });

  it("refuses rootfs and volume mounts on a storage without rootdir, naming the ones that have it", () => {
    const issues = nodeChecks(
      config({ rootfs: { storage: "local", size: "8G" }, mount: { data: { storage: "tank", size: "1G", path: "/d" }, bind: { host_path: "/srv", path: "/srv" } } }),
      null,
      snap(),
    );
    expect(issues.map((i) => [i.path, i.summary])).toEqual([
      [["rootfs", "storage"], "Storage cannot hold container volumes"],
      [["mount", "data", "storage"], "Storage cannot hold container volumes"],
    ]);
    expect(issues[0]!.detail).toContain('Use "ct"');
  });

  it("checks only new or changed values as errors: an existing container keeps what it has", () => {
    const prior = { node: "pve1", template: "local:vztmpl/gone_1_amd64.tar.zst", rootfs: { storage: "old", size: "8G" }, network: { eth0: { bridge: "vmbr7" } } };
    const issues = nodeChecks(config({ template: "local:vztmpl/gone_1_amd64.tar.zst", rootfs: { storage: "old", size: "8G" }, network: { eth0: { bridge: "vmbr7" } } }), prior, snap());
    expect(issues.map((i) => [i.severity, i.summary])).toEqual([["warning", "Bridge does not exist"]]);
  });

  it("refuses an MTU above the bridge's for a new NIC and only warns for one the container already has", () => {
    const net = { eth0: { bridge: "vmbr0", mtu: 9000 } };
    expect(nodeChecks(config({ network: net }), null, snap()).map((i) => [i.severity, i.path])).toEqual([["error", ["network", "eth0", "mtu"]]]);
    const prior = { node: "pve1", template: config().template, rootfs: { storage: "ct", size: "8G" }, network: net };
    expect(nodeChecks(config({ network: net }), prior, snap()).map((i) => [i.severity, i.path])).toEqual([["warning", ["network", "eth0", "mtu"]]]);
  });

  it("does not check the template of an imported container, which adopting does not use", () => {
    const prior = { node: "pve1", rootfs: { storage: "ct", size: "8G" }, network: { eth0: { bridge: "vmbr0" } } };
    for (const template of ["local:vztmpl/unknown-at-import.tar.zst", "local:vztmpl/gone_1_amd64.tar.zst"]) {
      expect(nodeChecks(config({ template }), prior, snap())).toEqual([]);
      expect(nodeChecks(config({ template }), { ...prior, template: "local:vztmpl/unknown-at-import.tar.zst" }, snap())).toEqual([]);
    }
    // a recorded template replaced by another is a re-creation from it: checked
    expect(nodeChecks(config({ template: "local:vztmpl/gone_1_amd64.tar.zst" }), { ...prior, template: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst" }, snap()).map((i) => i.summary)).toEqual(
      ["Template not found"],
    );
  });

  it("checks nothing a refresh did not read (an unreachable node)", () => {
    const s = emptySnapshot(["pve1"]);
    expect(nodeChecks(config({ rootfs: { storage: "nope", size: "8G" }, network: { eth0: { bridge: "nope" } }, template: "x:vztmpl/y.tar.zst" }), null, s)).toEqual([]);
  });

  it("warns when the volumes exceed the free space, counting only what a change adds", () => {
    const s = snap();
    s.storages[2]!.used = 1024 ** 4 - 5 * 1024 ** 3;
    expect(nodeChecks(config(), null, s).map((i) => [i.severity, i.path])).toEqual([["warning", ["rootfs", "size"]]]);
    // growing 8G -> 10G adds 2G, which fits in 5G
    expect(nodeChecks(config({ rootfs: { storage: "ct", size: "10G" } }), { node: "pve1", template: config().template, rootfs: { storage: "ct", size: "8G" } }, s)).toEqual([]);
  });
});
