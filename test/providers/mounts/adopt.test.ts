import { describe, expect, it } from "vitest";
import { adoptSlotNames } from "../../../providers/mounts/adopt.js";
import type { Attrs } from "../../../src/provider/types.js";

/** A container as import reads it: Proxmox stores no names, so items are named by slot. */
const imported = (): Attrs => ({
  mount: {
    mp0: { slot: 0, path: "/data", volume: "local-lvm:vm-150-disk-1", storage: "local-lvm", size: "1G" },
    mp1: { slot: 1, path: "/media", host_path: "/tank/media", read_only: true },
  },
  mount_names: { mp0: "mp0", mp1: "mp1" },
  device: { dev0: { slot: 0, path: "/dev/net/tun" } },
  device_names: { dev0: "dev0" },
});

describe("adoptSlotNames", () => {
  it("renames slot-named items to the configured item at the same path", () => {
    const config = { mount: { data: { storage: "local-lvm", size: "2G", path: "/data" }, media: { host_path: "/tank/media", path: "/media" } }, device: { tun: { path: "/dev/net/tun" } } };
    const a = adoptSlotNames(config, imported());
    expect(Object.keys(a["mount"] as object)).toEqual(["data", "media"]);
    expect(a["mount_names"]).toEqual({ mp0: "data", mp1: "media" });
    expect((a["mount"] as Record<string, Attrs>)["data"]!["volume"]).toBe("local-lvm:vm-150-disk-1");
    expect(a["device_names"]).toEqual({ dev0: "tun" });
  });

  it("a gpu block adopts the devices it expands to", () => {
    const prior = {
      device: { dev0: { slot: 0, path: "/dev/dri/card0", gid: 44, mode: "0660" }, dev1: { slot: 1, path: "/dev/dri/renderD128", gid: 44, mode: "0660" } },
      device_names: { dev0: "dev0", dev1: "dev1" },
    };
    expect(adoptSlotNames({ gpu: { vendor: "intel", gid: 44 } }, prior)["device_names"]).toEqual({ dev0: "gpu.dri.card0", dev1: "gpu.dri.renderD128" });
  });

  it.each<[string, Attrs]>([
    ["another path", { mount: { data: { storage: "local-lvm", size: "1G", path: "/other" } } }],
    ["a bind mount where a volume is", { mount: { data: { host_path: "/srv/data", path: "/data" } } }],
    ["a volume where a bind mount is", { mount: { media: { storage: "local-lvm", size: "1G", path: "/media" } } }],
    ["the slot name still configured", { mount: { mp0: { storage: "local-lvm", size: "1G", path: "/data" }, data: { storage: "local-lvm", size: "1G", path: "/data" } } }],
  ])("leaves the prior alone for %s", (_what, config) => {
    const prior = imported();
    expect(adoptSlotNames(config, prior)).toBe(prior);
  });

  it("never takes a name the configuration chose (a renamed mount gets a new volume)", () => {
    const prior = { mount: { logs: { slot: 0, path: "/data", volume: "local-lvm:vm-150-disk-1", storage: "local-lvm", size: "1G" } }, mount_names: { mp0: "logs" } };
    expect(adoptSlotNames({ mount: { data: { storage: "local-lvm", size: "1G", path: "/data" } } }, prior)).toBe(prior);
  });
});
