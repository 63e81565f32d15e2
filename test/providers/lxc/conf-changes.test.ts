// changedKeys: how an update tells its own writes from someone else's between its steps
// (digest-chain.ts). Recorded conf texts in pct's on-disk format.
import { describe, expect, it } from "vitest";
import { changedKeys, confValue } from "../../../providers/lxc/conf-changes.js";

const BASE = `arch: amd64
hostname: web
memory: 512
net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01,ip=dhcp,type=veth
rootfs: local-lvm:vm-150-disk-0,size=4G
lxc.cgroup2.devices.allow: c 10:200 rwm
`;

describe("changedKeys", () => {
  it("names exactly the keys whose value differs; an unchanged text has none", () => {
    expect(changedKeys(BASE, BASE)).toEqual([]);
    expect(changedKeys(BASE, BASE.replace("memory: 512", "memory: 4096"))).toEqual(["memory"]);
    expect(changedKeys(BASE, BASE.replace("size=4G", "size=8G").replace("hostname: web", "hostname: other"))).toEqual(["hostname", "rootfs"]);
  });

  it("added and removed keys, raw lxc lines and the description count as changes", () => {
    expect(changedKeys(BASE, BASE + "swap: 256\n")).toEqual(["swap"]);
    expect(changedKeys(BASE, BASE.replace("memory: 512\n", ""))).toEqual(["memory"]);
    expect(changedKeys(BASE, BASE.replace("c 10:200", "c 10:201"))).toEqual(["lxc"]);
    expect(changedKeys(BASE, "#a note\n" + BASE)).toEqual(["description"]);
  });

  it("a value that moves into or out of [pve:pending] is a change of that key", () => {
    const pending = BASE + "\n[pve:pending]\nmemory: 1024\ndelete: swap\n";
    expect(changedKeys(BASE, pending)).toEqual(["memory", "swap"]);
    // pct start applies it: the key changes again (main now, pending gone).
    expect(changedKeys(pending, BASE.replace("memory: 512", "memory: 1024"))).toEqual(["memory", "swap"]);
    expect(confValue(pending, "memory")).toBe("1024");
  });

  it("snapshot sections are not the container's current conf", () => {
    const snap = BASE + "\n[before]\nmemory: 128\nsnaptime: 1\n";
    expect(changedKeys(BASE, snap)).toEqual([]);
  });

  it("seeded random edits: each edited key is reported, and only those", () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const keys = ["hostname", "memory", "swap", "cores", "protection", "onboot", "tags"];
    for (let i = 0; i < 200; i++) {
      const before = new Map(keys.filter(() => rnd(2) === 0).map((k) => [k, String(rnd(5))]));
      const after = new Map(before);
      const edited = new Set<string>();
      for (let j = rnd(4); j > 0; j--) {
        const k = keys[rnd(keys.length)]!;
        const v = rnd(3) === 0 ? undefined : String(rnd(5) + 10);
        if (v === undefined) after.delete(k);
        else after.set(k, v);
        if (before.get(k) !== after.get(k)) edited.add(k);
        else edited.delete(k);
      }
      const text = (m: Map<string, string>) =>
        "arch: amd64\n" +
        [...m]
          .sort()
          .map(([k, v]) => `${k}: ${v}\n`)
          .join("");
      expect(changedKeys(text(before), text(after))).toEqual([...edited].sort());
    }
  });
});
