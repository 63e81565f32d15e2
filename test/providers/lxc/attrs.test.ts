import { describe, expect, it } from "vitest";
import { attrsFromConf } from "../../../providers/lxc/attrs.js";
import { pveKeysFromAttrs } from "../../../providers/lxc/conf-map.js";
import { parseConf } from "../../../src/pve/conf.js";
import { recordedSnapshot } from "./helpers.js";

function attrs101(prior: Record<string, unknown> | null = null) {
  const ct = recordedSnapshot().containers.get(101)!;
  return attrsFromConf(101, ct.node, ct.conf, ct.running, prior, ct.digest);
}

describe("attrsFromConf", () => {
  it("normalises scalars, lists and tags, and hides the pmxform marker", () => {
    const a = attrs101();
    expect(a).toMatchObject({ node: "pve1", vmid: 101, cores: 2, memory: 1024, onboot: true, unprivileged: true, hostname: "web01", started: true });
    expect(a["tags"]).toEqual(["prod", "web"]);
    expect(a["marker"]).toBe("pmxform-0123abcd");
    expect(a["nameserver"]).toEqual(["1.1.1.1", "9.9.9.9"]);
    expect(a["description"]).toBe("web frontend\nowner: team-a");
  });

  it("reads the effective config: pending values in, pending deletions out, keys listed", () => {
    const a = attrs101();
    expect(a["swap"]).toBeUndefined();
    expect(a["features"]).toEqual({ nesting: true, keyctl: true });
    expect(a["pending_keys"]).toEqual(["features", "swap"]);
  });

  it("turns net/mp/dev/rootfs property strings into objects keyed by name", () => {
    const a = attrs101();
    expect(a["network"]).toEqual({ eth0: { slot: 0, bridge: "vmbr0", firewall: true, hwaddr: "BC:24:11:5E:2A:10", ip: "dhcp" } });
    expect(a["rootfs"]).toEqual({ volume: "local-lvm:vm-101-disk-0", storage: "local-lvm", size: "8G" });
    expect(a["mount"]).toEqual({
      mp0: { slot: 0, path: "/srv/data", volume: "local-lvm:vm-101-disk-1", storage: "local-lvm", size: "16G", backup: true },
      mp1: { slot: 1, path: "/media", host_path: "/tank/media", read_only: true },
    });
    expect(a["device"]).toEqual({ dev0: { slot: 0, path: "/dev/net/tun" } });
    expect(a["raw_lxc"]).toEqual(["lxc.cgroup2.devices.allow: c 226:128 rwm"]);
  });

  it("reuses mount names remembered in prior state", () => {
    const a = attrs101({ mount_names: { mp0: "data", mp1: "media" }, template: "local:vztmpl/x.tar.zst", managed_keys: ["memory"] });
    expect(Object.keys(a["mount"] as object)).toEqual(["data", "media"]);
    expect(a["mount_names"]).toEqual({ mp0: "data", mp1: "media" });
    expect(a["template"]).toBe("local:vztmpl/x.tar.zst");
    expect(a["managed_keys"]).toEqual(["memory"]);
  });

  it.each([
    ["yes", true],
    ["on", true],
    ["True", true],
    ["1", true],
    ["no", false],
    ["off", false],
    ["false", false],
    ["0", false],
    ["maybe", "maybe"],
  ])("reads a hand-written boolean %s as Proxmox does (garbage stays text, reported at import, never false)", (text, want) => {
    const conf = `onboot: ${text}\nunprivileged: ${text}\nfeatures: nesting=${text}\nnet0: name=eth0,bridge=vmbr0,firewall=${text},hwaddr=BC:24:11:00:00:01\n`;
    const a = attrsFromConf(5, "n", parseConf(conf), false);
    expect(a["onboot"]).toBe(want);
    expect(a["unprivileged"]).toBe(want);
    if (typeof want !== "boolean") return;
    expect((a["features"] as Record<string, unknown>)["nesting"]).toBe(want);
    expect((a["network"] as Record<string, Record<string, unknown>>)["eth0"]!["firewall"]).toBe(want);
  });

  it("keeps keys it does not model", () => {
    const a = attrsFromConf(5, "n", parseConf("memory: 64\nentrypoint: /bin/app\nunused0: local:5/vm-5-disk-1.raw\n"), false);
    expect(a["unknown_keys"]).toEqual({ entrypoint: "/bin/app", unused0: "local:5/vm-5-disk-1.raw" });
  });

  it("prints back to pct's canonical strings (read -> print is stable)", () => {
    const keys = pveKeysFromAttrs(attrs101());
    expect(keys.get("net0")).toBe("name=eth0,bridge=vmbr0,firewall=1,hwaddr=BC:24:11:5E:2A:10,ip=dhcp,type=veth");
    expect(keys.get("tags")).toBe("pmxform-0123abcd;prod;web");
    expect(keys.get("rootfs")).toBe("local-lvm:vm-101-disk-0");
    expect(keys.get("mp1")).toBe("/tank/media,mp=/media,ro=1");
    expect(keys.get("nameserver")).toBe("1.1.1.1 9.9.9.9");
  });
});
