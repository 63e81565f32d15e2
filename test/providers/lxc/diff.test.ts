import { describe, expect, it } from "vitest";
import { diffContainer } from "../../../providers/lxc/diff.js";
import { attrsFromConf } from "../../../providers/lxc/attrs.js";
import { beforeMoves, computeChanges } from "../../../providers/lxc/changes.js";
import { setArgv, createArgv } from "../../../providers/lxc/argv.js";
import { managedKeys, plannedAttrs } from "../../../providers/lxc/desired.js";
import { markerFor } from "../../../providers/lxc/identity.js";
import { parseConf } from "../../../src/pve/conf.js";
import { Unknown, isUnknown } from "../../../src/config/value.js";
import type { Attrs } from "../../../src/provider/types.js";
import { recordedSnapshot } from "./helpers.js";

const TEMPLATE = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";
const base = (): Attrs => ({
  node: "pve1",
  template: TEMPLATE,
  hostname: "web",
  memory: 1024,
  rootfs: { storage: "local-lvm", size: "8G" },
  network: { eth0: { bridge: "vmbr0", ip: "dhcp" } },
  tags: ["Web", "prod"],
  started: true,
});

/** What Proxmox would store for base() as vmid 120 (normalised: hwaddr, type, tag case, sizes). */
const STORED = [
  "arch: amd64",
  "hostname: web",
  "memory: 1024",
  "net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:AA:BB:CC,ip=dhcp,type=veth",
  "ostype: debian",
  "rootfs: local-lvm:vm-120-disk-0,size=8G",
  "swap: 512",
  "tags: pmxform-5ee1a2b8;prod;web",
  "unprivileged: 1",
  "",
].join("\n");

function diff(config: Attrs, prior: Attrs | null, extra: Partial<{ forceReplace: boolean; claimed: Set<number> }> = {}) {
  return diffContainer({
    address: "lxc_container.web",
    config,
    prior,
    snapshot: recordedSnapshot(),
    claimedVmids: extra.claimed ?? new Set(),
    forceReplace: extra.forceReplace ?? false,
    lineage: "test-lineage",
  });
}

/** The prior a refresh would produce after creating `config` (planned attrs carried over). */
function applied(config: Attrs, stored = STORED, running = true, pending = ""): Attrs {
  const planned = diff(config, null).planned;
  return attrsFromConf(120, "pve1", parseConf(stored + pending), running, planned, "d1");
}

describe("create", () => {
  it("allocates the lowest free vmid and marks computed values unknown", () => {
    const claimed = new Set<number>([103]);
    const d = diff(base(), null, { claimed });
    expect(d.action).toBe("create");
    expect(d.planned["vmid"]).toBe(104);
    expect(claimed.has(104)).toBe(true);
    expect(isUnknown((d.planned["rootfs"] as Attrs)["volume"])).toBe(true);
    expect(isUnknown(((d.planned["network"] as Attrs)["eth0"] as Attrs)["hwaddr"])).toBe(true);
    expect(d.planned["tags"]).toEqual(["prod", "web"]);
    expect(d.planned["managed_keys"]).toEqual(["hostname", "memory", "network", "node", "rootfs", "started", "tags", "template"]);
  });

  it("reports an explicit vmid that is taken", () => {
    const d = diff({ ...base(), vmid: 100 }, null);
    expect(d.issues[0]).toMatchObject({ severity: "error", path: ["vmid"], summary: "VMID already in use" });
  });

  it("builds one pct create with allocation syntax and the marker tag", () => {
    const planned = diff(base(), null).planned;
    // The marker binds to the state's lineage: another state gives the same address another one.
    expect(planned["marker"]).toBe(markerFor("test-lineage", "lxc_container.web"));
    expect(planned["marker"]).not.toBe(markerFor("other-lineage", "lxc_container.web"));
    expect(createArgv(120, { ...plannedAttrs(base(), null, 120, "lxc_container.web"), marker: planned["marker"] })).toEqual([
      "pct",
      "create",
      "120",
      TEMPLATE,
      "--hostname",
      "web",
      "--memory",
      "1024",
      "--net0",
      "name=eth0,bridge=vmbr0,ip=dhcp,type=veth",
      "--rootfs",
      "local-lvm:8",
      "--tags",
      `${String(planned["marker"])};prod;web`,
      "--unprivileged",
      "1",
    ]);
  });
});

describe("no perpetual diffs", () => {
  it("an applied config re-plans as no-op despite Proxmox's normalisation", () => {
    const config = base();
    const marker = diff(config, null).planned["marker"] as string;
    const prior = applied(config, STORED.replace("pmxform-5ee1a2b8", marker));
    const d = diff(config, prior);
    expect(d.reasons).toEqual([]);
    expect(d.action).toBe("no-op");
  });

  it("size units, description newline and tag case compare by meaning", () => {
    const config = { ...base(), rootfs: { storage: "local-lvm", size: "8192M" }, description: "hello\n", tags: ["WEB", "prod", "web"] };
    const prior = applied(config, "#hello\n" + STORED);
    expect(diff(config, prior).action).toBe("no-op");
  });

  it("arguments the user does not set are not managed", () => {
    const prior = applied(base(), STORED.replace("swap: 512", "swap: 2048\ncores: 4"));
    expect(diff(base(), prior).action).toBe("no-op");
  });
});

describe("hwaddr is computed when absent (what the node holds)", () => {
  const MAC = "BC:24:11:AA:BB:CC";
  const NO_MAC = STORED.replace(`hwaddr=${MAC},`, "");
  const net = (eth0: Attrs): Attrs => ({ ...base(), network: { eth0: { bridge: "vmbr0", ip: "dhcp", ...eth0 } } });
  const eth0 = (a: Attrs) => (a["network"] as Record<string, Attrs>)["eth0"]!;
  it.each([
    ["config without (or no longer with) it, node has one", {}, STORED, { action: "no-op", hwaddr: MAC, set: undefined }],
    ["config without, node has none (hand-written conf)", {}, NO_MAC, { action: "no-op", hwaddr: undefined, set: undefined }],
    ["same MAC in another case", { hwaddr: MAC.toLowerCase() }, STORED, { action: "no-op", hwaddr: MAC, set: undefined }],
    [
      "config sets another MAC: in place",
      { hwaddr: "BC:24:11:00:00:01" },
      STORED,
      { action: "update", hwaddr: "BC:24:11:00:00:01", set: "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:01,ip=dhcp,type=veth" },
    ],
    ["another change keeps the node's MAC", { ip: "10.0.0.5/24" }, STORED, { action: "update", hwaddr: MAC, set: `name=eth0,bridge=vmbr0,hwaddr=${MAC},ip=10.0.0.5/24,type=veth` }],
    ["another change on a netN without MAC: Proxmox generates one", { ip: "10.0.0.5/24" }, NO_MAC, { action: "update", hwaddr: "unknown", set: "name=eth0,bridge=vmbr0,ip=10.0.0.5/24,type=veth" }],
  ])("%s", (_what, change, stored, want) => {
    const prior = applied(net({ hwaddr: MAC }), stored);
    const d = diff(net(change), prior);
    expect(d.action).toBe(want.action);
    expect(d.reasons).toEqual([]);
    const hw = eth0(d.planned)["hwaddr"];
    expect(isUnknown(hw) ? "unknown" : hw).toBe(want.hwaddr);
    const argv = setArgv(120, "d1", computeChanges(prior, d.planned), prior, d.planned);
    expect(argv?.[argv.indexOf("--net0") + 1]).toBe(want.set);
  });
});

describe("update", () => {
  it("memory change is hot-pluggable: update without restart", () => {
    const prior = applied(base());
    const d = diff({ ...base(), memory: 2048 }, prior);
    expect(d.action).toBe("update");
    expect(d.reasons).toEqual([]);
    expect(isUnknown(d.planned["digest"])).toBe(true);
    const cs = computeChanges(prior, d.planned);
    expect(setArgv(120, "d1", cs, prior, d.planned)).toEqual(["pct", "set", "120", "--digest", "d1", "--memory", "2048"]);
  });

  it("removing an argument resets it to Proxmox's default", () => {
    const config = { ...base(), cores: 2 };
    const prior = applied(config, STORED + "cores: 2\n");
    const { cores: _c, ...without } = config;
    const d = diff(without, prior);
    expect(d.action).toBe("update");
    const cs = computeChanges(prior, d.planned);
    expect(setArgv(120, "d1", cs, prior, d.planned)).toEqual(["pct", "set", "120", "--digest", "d1", "--delete", "cores"]);
  });

  it("features on a running container require a restart; the plan says so", () => {
    const prior = applied(base());
    const d = diff({ ...base(), features: { nesting: true } }, prior);
    expect(d.action).toBe("update");
    expect(d.reasons).toEqual([{ path: ["features"], reason: "requires restart" }]);
    expect(d.planned["pending_keys"]).toEqual(["features"]);
    const d2 = diff({ ...base(), features: { nesting: true }, restart_on_change: true }, prior);
    expect(d2.planned["pending_keys"]).toEqual([]);
  });

  it("a stopped container keeps pending changes this apply does not name (pct set applies only its own keys)", () => {
    const prior = applied({ ...base(), started: false }, STORED, false, "\n[pve:pending]\nfeatures: nesting=1\nswap: 1024\n");
    expect(prior["pending_keys"]).toEqual(["features", "swap"]);
    const d = diff({ ...base(), started: false, memory: 2048, swap: 2048 }, prior);
    expect(d.action).toBe("update");
    expect(d.planned["pending_keys"]).toEqual(["features"]);
    const started = diff({ ...base(), started: true, memory: 2048 }, prior);
    expect(started.planned["pending_keys"]).toEqual([]);
  });

  it("the same change on a stopped container needs no restart", () => {
    const prior = applied({ ...base(), started: false }, STORED, false);
    const d = diff({ ...base(), started: false, features: { nesting: true } }, prior);
    expect(d.reasons).toEqual([]);
  });

  it("adding a network interface keeps existing MACs and uses the next slot", () => {
    const prior = applied(base());
    const d = diff({ ...base(), network: { eth0: { bridge: "vmbr0", ip: "dhcp" }, eth1: { bridge: "vmbr1", ip: "10.0.0.5/24" } } }, prior);
    expect(d.action).toBe("update");
    const cs = computeChanges(prior, d.planned);
    expect([...cs.set.keys()]).toEqual(["net1"]);
    expect(setArgv(120, "d1", cs, prior, d.planned)).toEqual(["pct", "set", "120", "--digest", "d1", "--net1", "name=eth1,bridge=vmbr1,ip=10.0.0.5/24,type=veth"]);
  });

  it("rootfs growth is a resize, not a replace", () => {
    const prior = applied(base());
    const d = diff({ ...base(), rootfs: { storage: "local-lvm", size: "10G" } }, prior);
    expect(d.action).toBe("update");
    const cs = computeChanges(prior, d.planned);
    expect(cs.grow).toEqual([{ disk: "rootfs", size: "10G", path: ["rootfs", "size"] }]);
    expect(setArgv(120, "d1", cs, prior, d.planned)).toBeUndefined();
  });

  it("started toggles the run state", () => {
    const prior = applied(base());
    const d = diff({ ...base(), started: false }, prior);
    expect(d.action).toBe("update");
    expect(computeChanges(prior, d.planned).start).toBe(false);
  });

  it("a changed password is a planned change (only its hash is kept)", () => {
    const prior = applied({ ...base(), password: "one" });
    expect(prior["password_sha256"]).toMatch(/^[0-9a-f]{64}$/);
    expect(diff({ ...base(), password: "one" }, prior).action).toBe("no-op");
    const d = diff({ ...base(), password: "Zq9-secret" }, prior);
    expect(d.action).toBe("update");
    expect(JSON.stringify(d.planned)).not.toContain("Zq9-secret");
  });

  it("unknown values are changes known after apply", () => {
    const prior = applied(base());
    const d = diff({ ...base(), hostname: new Unknown("string") }, prior);
    expect(d.action).toBe("update");
  });
});

describe("mounts and devices", () => {
  const withMounts = (): Attrs => ({
    ...base(),
    mount: { data: { storage: "local-lvm", size: "4G", path: "/srv/data" }, media: { host_path: "/tank/media", path: "/media", read_only: true } },
    device: { tun: { path: "/dev/net/tun" } },
  });
  const stored = STORED + "dev0: /dev/net/tun\nmp0: local-lvm:vm-120-disk-1,mp=/srv/data,size=4G\nmp1: /tank/media,mp=/media,ro=1\n";

  it("new mounts get slots and allocation syntax", () => {
    const argv = createArgv(120, plannedAttrs(withMounts(), null, 120, "a"));
    expect(argv).toContain("local-lvm:4,mp=/srv/data");
    expect(argv).toContain("/tank/media,mp=/media,ro=1");
    expect(argv).toContain("/dev/net/tun");
  });

  it("allocates the exact GiB fraction of a MiB size (Proxmox floors to whole MiB)", () => {
    const config = { ...withMounts(), mount: { small: { storage: "local-lvm", size: "7M", path: "/small" } } };
    expect(createArgv(120, plannedAttrs(config, null, 120, "a"))).toContain("local-lvm:0.0068359375,mp=/small");
  });

  it("adopts the slot-named mounts and devices of an imported container by path: no-op", () => {
    const read: Attrs = { ...attrsFromConf(120, "pve1", parseConf(stored), true, null, "d1"), template: TEMPLATE, managed_keys: managedKeys(withMounts()) };
    expect(Object.keys(read["mount"] as object)).toEqual(["mp0", "mp1"]);
    const d = diff(withMounts(), read);
    expect(d.action).toBe("no-op");
    expect(d.notes ?? []).toEqual([]);
    expect(Object.keys(d.prior!["mount"] as object)).toEqual(["data", "media"]);
    expect(d.prior!["device_names"]).toEqual({ dev0: "tun" });
    const grown = diff({ ...withMounts(), mount: { ...(withMounts()["mount"] as Attrs), data: { storage: "local-lvm", size: "5G", path: "/srv/data" } } }, read);
    expect(grown.action).toBe("update");
    expect(computeChanges(grown.prior!, grown.planned).grow).toEqual([{ disk: "mp0", size: "5G", path: ["mount", "data", "size"] }]);
    expect(grown.notes ?? []).toEqual([]);
  });

  it("re-plans as no-op with names remembered", () => {
    const prior = applied(withMounts(), stored);
    expect(Object.keys(prior["mount"] as object).sort()).toEqual(["data", "media"]);
    expect(diff(withMounts(), prior).action).toBe("no-op");
  });

  it("changing a bind mount's options needs a restart; a new mount does not", () => {
    const prior = applied(withMounts(), stored);
    const c = withMounts();
    (c["mount"] as Record<string, Attrs>)["media"]!["read_only"] = false;
    expect(diff(c, prior).reasons).toEqual([{ path: ["mount", "media"], reason: "requires restart" }]);
    const c2 = withMounts();
    (c2["mount"] as Record<string, Attrs>)["logs"] = { host_path: "/var/log/x", path: "/logs" };
    const d2 = diff(c2, prior);
    expect(d2.reasons).toEqual([]);
    expect([...computeChanges(prior, d2.planned).set.keys()]).toEqual(["mp2"]);
  });

  it("growing a volume resizes; shrinking is an error; removing lists the deleted volume and needs allow_volume_removal", () => {
    const prior = applied(withMounts(), stored);
    const grow = withMounts();
    (grow["mount"] as Record<string, Attrs>)["data"]!["size"] = "6G";
    expect(computeChanges(prior, diff(grow, prior).planned).grow).toEqual([{ disk: "mp0", size: "6G", path: ["mount", "data", "size"] }]);
    const shrink = withMounts();
    (shrink["mount"] as Record<string, Attrs>)["data"]!["size"] = "2G";
    expect(diff(shrink, prior).issues.map((i) => i.summary)).toContain("Cannot shrink a mount volume");
    const removed = withMounts();
    delete (removed["mount"] as Record<string, Attrs>)["data"];
    // Without the opt-in the plan fails at the resource block, naming the volume and both ways out.
    const refused = diff(removed, prior);
    const issue = refused.issues.find((i) => i.summary === "Plan would delete data volumes");
    expect(issue).toMatchObject({ severity: "error", path: [] });
    expect(issue?.detail).toContain('local-lvm:vm-120-disk-1 (4G): mount "data" (mp0) is no longer in the configuration');
    expect(issue?.detail).toMatch(
      /add the mount block back[\s\S]*mount "data" \{ storage = "local-lvm" {2}size = "4G" {2}path = "\/srv\/data" \}[\s\S]*set allow_volume_removal = true in this resource block/,
    );
    const allowed = { ...removed, allow_volume_removal: true };
    const d = diff(allowed, prior);
    expect(d.issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(computeChanges(prior, d.planned).del).toEqual(["mp0"]);
    // Running: Proxmox detaches the mount at the next start; the volume is recorded for deletion.
    expect(d.volumeDeletions).toEqual([
      {
        volume: "local-lvm:vm-120-disk-1",
        size: "4G",
        reason: 'mount "data" (mp0) is no longer in the configuration',
        when: expect.stringMatching(/^by the first apply after the container restarts/),
      },
    ]);
    expect(d.planned["volumes_to_delete"]).toEqual(["local-lvm:vm-120-disk-1"]);
    // Stopped, or restarted by apply: the volume goes in the same apply.
    for (const change of [{ started: false }, { restart_on_change: true }]) {
      expect(diff({ ...allowed, ...change }, prior).volumeDeletions).toEqual([{ volume: "local-lvm:vm-120-disk-1", size: "4G", reason: 'mount "data" (mp0) is no longer in the configuration' }]);
    }
    const kept = withMounts();
    (kept["mount"] as Record<string, Attrs>)["data"]!["keep_on_remove"] = true;
    const priorKept = applied(kept, stored);
    const dk = diff(removed, priorKept);
    expect(dk.issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(dk.volumeDeletions).toBeUndefined();
    expect(dk.notes?.join()).toMatch(/vm-120-disk-1 \(4G\) is kept, detached as an unused disk/);
    expect(dk.planned["kept_volumes"]).toEqual({ data: "local-lvm:vm-120-disk-1" });
    expect(dk.planned["volumes_to_delete"]).toBeUndefined();
  });

  it("a doomed volume that Proxmox detached to unusedN is deleted; a kept one stays", () => {
    const prior = applied(base(), STORED + "unused0: local-lvm:vm-120-disk-1\nunused1: local-lvm:vm-120-disk-2\n");
    prior["volumes_to_delete"] = ["local-lvm:vm-120-disk-1"];
    prior["kept_volumes"] = { old: "local-lvm:vm-120-disk-2" };
    expect(diff(base(), prior).issues.map((i) => i.summary)).toContain("Plan would delete data volumes");
    const d = diff({ ...base(), allow_volume_removal: true }, prior);
    expect(d.action).toBe("update");
    expect(computeChanges(prior, d.planned).del).toEqual(["unused0"]);
    expect(d.planned["volumes_to_delete"]).toBeUndefined();
    expect(d.planned["kept_volumes"]).toEqual({ old: "local-lvm:vm-120-disk-2" });
    expect(d.volumeDeletions).toEqual([{ volume: "local-lvm:vm-120-disk-1", reason: "unused0, detached from a mount removed earlier" }]);
  });

  it("a storage change moves the volume (rootfs and mounts), stopping a running container", () => {
    const prior = applied(withMounts(), stored);
    const c = withMounts();
    c["rootfs"] = { storage: "local", size: "8G" };
    (c["mount"] as Record<string, Attrs>)["data"]!["storage"] = "local";
    (c["mount"] as Record<string, Attrs>)["data"]!["backup"] = true;
    const d = diff(c, prior);
    expect(d.action).toBe("update");
    expect(d.reasons).toEqual([
      { path: ["rootfs", "storage"], reason: "container will be stopped to move volume" },
      { path: ["mount", "data", "storage"], reason: "container will be stopped to move volume" },
    ]);
    const cs = computeChanges(prior, d.planned);
    expect(cs.moves.map((m) => [m.disk, m.storage])).toEqual([
      ["rootfs", "local"],
      ["mp0", "local"],
    ]);
    // Other option changes are set on the old volume first; move-volume keeps them.
    expect(setArgv(120, undefined, cs, prior, beforeMoves(prior, d.planned, cs.moves))).toEqual(["pct", "set", "120", "--mp0", "local-lvm:vm-120-disk-1,mp=/srv/data,backup=1,size=4G"]);
  });

  it("gpu expands to devN entries", () => {
    const argv = createArgv(120, plannedAttrs({ ...base(), gpu: { vendor: "intel" } }, null, 120, "a"));
    expect(argv).toContain("/dev/dri/card0,mode=0666");
    expect(argv).toContain("/dev/dri/renderD128,mode=0666");
  });

  it("mounts without a rootfs block are an error at create (pct create refuses them)", () => {
    const { rootfs: _r, ...c } = withMounts();
    expect(diff(c, null).issues.map((i) => [i.summary, i.path])).toContainEqual(["Mounts need a rootfs block", ["mount", "data"]]);
    expect(diff(withMounts(), null).issues.filter((i) => i.severity === "error")).toEqual([]);
  });

  it("quota on an unprivileged container is an error", () => {
    const c = withMounts();
    (c["mount"] as Record<string, Attrs>)["data"]!["quota"] = true;
    expect(diff(c, null).issues.map((i) => i.summary)).toContain("Quotas need a privileged container");
  });
});

describe("replace", () => {
  it.each([
    ["template", { template: "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz" }, ["template"]],
    ["unprivileged", { unprivileged: false }, ["unprivileged"]],
    ["arch", { arch: "arm64" }, ["arch"]],
    ["rootfs shrink", { rootfs: { storage: "local-lvm", size: "4G" } }, ["rootfs", "size"]],
    ["vmid", { vmid: 130 }, ["vmid"]],
  ])("%s forces replacement", (_n, change, path) => {
    const prior = applied(base());
    const d = diff({ ...base(), ...change }, prior);
    expect(d.action).toBe("replace");
    expect(d.reasons).toContainEqual({ path, reason: "forces replacement" });
  });

  it("node never does: it migrates (a running container only with restart_on_change)", () => {
    const prior = applied(base());
    const refused = diff({ ...base(), node: "pve2" }, prior);
    expect(refused.action).not.toBe("replace");
    expect(refused.issues).toContainEqual(expect.objectContaining({ severity: "error", summary: "Moving a running container needs a restart" }));
    const moved = diff({ ...base(), node: "pve2", restart_on_change: true }, prior);
    expect(moved.action).toBe("update");
    expect(moved.reasons).toContainEqual({ path: ["node"], reason: "migrates" });
  });

  it("--replace forces it too; an imported container without template adopts the configured one", () => {
    const prior = applied(base());
    expect(diff(base(), prior, { forceReplace: true }).action).toBe("replace");
    const { template: _t, ...imported } = prior;
    expect(diff(base(), imported).action).toBe("no-op");
  });
});
