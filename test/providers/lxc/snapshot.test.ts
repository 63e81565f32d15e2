import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { parseClusterResources, parseConfDump, parseNodeLxcList } from "../../../providers/lxc/snapshot-parse.js";
import { allocateVmid, confDumpArgv } from "../../../providers/lxc/snapshot.js";
import { fixture, recordedSnapshot } from "./helpers.js";

describe("cluster snapshot parsers", () => {
  it("reads guests, nodes and storages from /cluster/resources", () => {
    const r = parseClusterResources(fixture("cluster-resources.json"));
    expect(r.nodes).toEqual(["pve1", "pve2"]);
    expect(r.guests.map((g) => [g.vmid, g.node, g.type])).toEqual([
      [101, "pve1", "lxc"],
      [102, "pve2", "lxc"],
      [100, "pve2", "qemu"],
    ]);
    expect(r.guests[1]!.lock).toBe("backup");
    expect(r.storages.find((s) => s.storage === "local-lvm")?.content).toEqual(["rootdir", "images"]);
  });

  it("regroups grep's PATH:LINE dump into files and ignores VM configs", () => {
    const files = parseConfDump(fixture("conf-dump.txt"));
    expect(files.map((f) => [f.node, f.vmid])).toEqual([
      ["pve1", 101],
      ["pve2", 102],
    ]);
    const f101 = files[0]!.text;
    expect(f101.startsWith("#web frontend\n#owner%3A team-a\narch: amd64\n")).toBe(true);
    expect(f101).toContain("\n\n[pve:pending]\ndelete: swap\n");
    expect(f101.endsWith("keyctl=1\n")).toBe(true);
  });

  it("keeps a line whose content itself contains a .conf: path", () => {
    const out = "/r/nodes/pve1/lxc/150.conf:#see /r/nodes/pve1/lxc/151.conf: x\n/r/nodes/pve1/lxc/150.conf:memory: 64\n";
    const files = parseConfDump(out);
    expect(files).toHaveLength(1);
    expect(files[0]!.text).toBe("#see /r/nodes/pve1/lxc/151.conf: x\nmemory: 64\n");
  });

  it("digest is the SHA-1 of the reconstructed file", () => {
    const snap = recordedSnapshot();
    const text = parseConfDump(fixture("conf-dump.txt"))[1]!.text;
    expect(snap.containers.get(102)!.digest).toBe(createHash("sha1").update(text).digest("hex"));
  });

  it("merges live run state and locks", () => {
    const snap = recordedSnapshot();
    expect(snap.containers.get(101)!.running).toBe(true);
    expect(snap.containers.get(102)!.running).toBe(false);
    expect(snap.containers.get(102)!.lock).toBe("backup");
    expect([...snap.vms]).toEqual([100]);
    expect(parseNodeLxcList("")).toEqual([]);
  });

  it("allocates the lowest vmid free of containers, VMs and claims", () => {
    const snap = recordedSnapshot();
    const claimed = new Set<number>([103]);
    expect(allocateVmid(snap, claimed)).toBe(104);
    expect(allocateVmid(snap, claimed)).toBe(105);
    expect(claimed.has(104)).toBe(true);
  });

  it("reads all configs with one grep argv (no shell)", () => {
    expect(confDumpArgv("/sim/etc/pve/")).toEqual(["grep", "-a", "-r", "-H", "-e", "", "--include=*.conf", "/sim/etc/pve/nodes"]);
  });

  it("rejects non-JSON pvesh output clearly", () => {
    expect(() => parseClusterResources("Usage: pvesh")).toThrow(/not JSON/);
  });
});

describe("locating a container that moved", () => {
  it("finds the node and the digest of the config from one grep over /etc/pve/nodes", async () => {
    const { locateArgv, locateInDump } = await import("../../../providers/lxc/snapshot-locate.js");
    expect(locateArgv("/etc/pve/", 301)).toEqual(["grep", "-a", "-r", "-H", "-e", "", "--include=301.conf", "/etc/pve/nodes"]);
    const dump = "/etc/pve/nodes/pve2/qemu-server/301.conf:name: vm\n/etc/pve/nodes/pve3/lxc/301.conf:arch: amd64\n/etc/pve/nodes/pve3/lxc/301.conf:memory: 512\n";
    expect(locateInDump(dump, 301)).toEqual({ node: "pve3", digest: createHash("sha1").update("arch: amd64\nmemory: 512\n").digest("hex") });
    expect(locateInDump("", 301)).toBeUndefined();
  });
});
