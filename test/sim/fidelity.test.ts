// The simulator refuses what the real tools refuse, with their texts (issue 24). Each row names
// the Proxmox source (repository file and sub) whose behaviour it mirrors; `$ID` in a row's
// commands is that row's own container, created fresh from the Debian template.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseConf, type ParsedConf } from "../../src/pve/conf.js";
import { loadSimContainer, setQuorum } from "../../src/sim/index.js";
import { DEFAULT_INTERFACES, interfacesPath } from "../../src/sim/network.js";
import { DEBIAN, newSim, simBuilt, skipMessage, type Result, type Runner } from "./helpers.js";

type Tool = Parameters<Runner>[0];
type Step = [Tool, ...string[]];

interface Row {
  item: string;
  /** the Proxmox source this row mirrors: repository, file, sub */
  source: string;
  /** options of `pct create $ID DEBIAN` */
  create?: string[];
  setup?: Step[];
  /** changes to the node's files before `run` */
  prepare?: (dir: string) => void;
  run: Step;
  code: number;
  /** exact stderr */
  stderr: string;
  /** further facts about the state after `run` */
  after?: (s: { conf: ParsedConf; text: string; dir: string; id: string; out: Result }) => void;
}

const volumeFile = (dir: string, name: string): string => join(dir, "nodes", "pve1", "lvm", name);
const SET_USAGE = "pct set <vmid> [OPTIONS]\n";

export const ROWS: Row[] = [
  {
    item: "1 pending: a stopped CT applies only this call's options",
    source: "pve-container src/PVE/LXC/Config.pm update_pct_config -> vmconfig_apply_pending($selection = $modified)",
    setup: [
      ["pct", "start", "$ID"],
      ["pct", "set", "$ID", "--tty", "3", "--ostype", "ubuntu"],
      ["pct", "stop", "$ID"],
    ],
    run: ["pct", "set", "$ID", "--cores", "2"],
    code: 0,
    stderr: "",
    after: ({ conf }) => {
      expect(conf.main.keys.get("cores")).toBe("2");
      expect(conf.main.keys.has("tty")).toBe(false);
      expect(conf.pending?.keys.get("tty")).toBe("3");
      expect(conf.pending?.keys.get("ostype")).toBe("ubuntu");
      expect(conf.main.keys.get("ostype")).toBe("debian");
    },
  },
  {
    item: "1 pending: a stopped CT applies a pending key named again in this call",
    source: "pve-container src/PVE/LXC/Config.pm vmconfig_apply_pending (next if $selection && !$selection->{$opt})",
    setup: [
      ["pct", "start", "$ID"],
      ["pct", "set", "$ID", "--tty", "3", "--ostype", "ubuntu"],
      ["pct", "stop", "$ID"],
    ],
    run: ["pct", "set", "$ID", "--tty", "4"],
    code: 0,
    stderr: "",
    after: ({ conf }) => {
      expect(conf.main.keys.get("tty")).toBe("4");
      expect(conf.pending?.keys.has("tty")).toBe(false);
      expect(conf.pending?.keys.get("ostype")).toBe("ubuntu");
    },
  },
  {
    item: "2 protection: adding a mount point is refused, nothing allocated",
    source: "pve-container src/PVE/LXC/Config.pm update_pct_config; pve-guest-common AbstractConfig.pm check_protection",
    create: ["--storage", "local-lvm", "--protection", "1"],
    run: ["pct", "set", "$ID", "--rootfs", "local-lvm:4", "--mp0", "local-lvm:1,mp=/data"],
    code: 255,
    stderr: "can't update CT $ID drive 'mp0' - protection mode enabled\n",
    after: ({ conf, dir, id }) => {
      expect(conf.main.keys.has("mp0")).toBe(false);
      expect(existsSync(volumeFile(dir, `vm-${id}-disk-0`))).toBe(true);
      expect(existsSync(volumeFile(dir, `vm-${id}-disk-1`))).toBe(false);
    },
  },
  {
    item: "2 protection: unsetting protection in the same call does not help (the current flag counts)",
    source: "pve-guest-common AbstractConfig.pm check_protection($conf) reads the loaded config",
    create: ["--storage", "local-lvm", "--protection", "1"],
    run: ["pct", "set", "$ID", "--protection", "0", "--rootfs", "local-lvm:vm-$ID-disk-0,size=4G"],
    code: 255,
    stderr: "can't update CT $ID drive 'rootfs' - protection mode enabled\n",
    after: ({ conf }) => expect(conf.main.keys.get("protection")).toBe("1"),
  },
  {
    item: "2 protection: deleting a mount point is refused",
    source: "pve-container src/PVE/LXC/Config.pm update_pct_config (delete loop, mp)",
    create: ["--storage", "local-lvm", "--rootfs", "local-lvm:4", "--mp0", "local-lvm:1,mp=/data", "--protection", "1"],
    run: ["pct", "set", "$ID", "--delete", "mp0"],
    code: 255,
    stderr: "can't remove CT $ID drive 'mp0' - protection mode enabled\n",
    after: ({ conf }) => expect(conf.main.keys.has("mp0")).toBe(true),
  },
  {
    item: "2 protection: deleting an unusedN is refused and the volume survives",
    source: "pve-container src/PVE/LXC/Config.pm update_pct_config (delete loop, unused)",
    create: ["--storage", "local-lvm", "--rootfs", "local-lvm:4", "--mp0", "local-lvm:1,mp=/data"],
    setup: [
      ["pct", "set", "$ID", "--delete", "mp0"],
      ["pct", "set", "$ID", "--protection", "1"],
    ],
    run: ["pct", "set", "$ID", "--delete", "unused0"],
    code: 255,
    stderr: "can't remove CT $ID drive 'unused0' - protection mode enabled\n",
    after: ({ conf, dir }) => {
      expect(conf.main.keys.get("unused0")).toMatch(/^local-lvm:vm-\d+-disk-1$/);
      expect(existsSync(volumeFile(dir, conf.main.keys.get("unused0")!.split(":")[1]!))).toBe(true);
    },
  },
  {
    item: "2 protection: an earlier delete in the same call destroys nothing when a later key is refused",
    source: "pve-container src/PVE/LXC/Config.pm update_pct_config (all checks die before vmconfig_apply_pending)",
    create: ["--storage", "local-lvm", "--rootfs", "local-lvm:4", "--mp0", "local-lvm:1,mp=/data"],
    setup: [["pct", "set", "$ID", "--delete", "mp0"]],
    run: ["pct", "set", "$ID", "--delete", "unused0", "--mp1", "nosuch:1,mp=/x"],
    code: 255,
    stderr: "storage 'nosuch' does not exist\n",
    after: ({ conf, dir }) => expect(existsSync(volumeFile(dir, conf.main.keys.get("unused0")!.split(":")[1]!))).toBe(true),
  },
  {
    item: "2 protection: deleting a key that is not set only warns, even when protected",
    source: "pve-container src/PVE/LXC/Config.pm update_pct_config (warn ... not set, next)",
    create: ["--protection", "1"],
    run: ["pct", "set", "$ID", "--delete", "mp3"],
    code: 0,
    stderr: "cannot delete 'mp3' - not set in current configuration!\n",
  },
  {
    item: "3 revert: an unknown key",
    source: "pve-container src/PVE/API2/LXC/Config.pm update_vm (revert loop, option_exists)",
    run: ["pct", "set", "$ID", "--revert", "foo"],
    code: 255,
    stderr: "400 Parameter verification failed.\nrevert: unknown option 'foo'\n" + SET_USAGE,
  },
  {
    item: "3 delete: an unknown key",
    source: "pve-container src/PVE/API2/LXC/Config.pm update_vm (delete loop, option_exists)",
    run: ["pct", "set", "$ID", "--delete", "foo"],
    code: 255,
    stderr: "400 Parameter verification failed.\ndelete: unknown option 'foo'\n" + SET_USAGE,
  },
  {
    item: "3 delete: not a configuration id at all",
    source: "pve-common src/PVE/JSONSchema.pm pve_verify_configid (format pve-configid-list)",
    run: ["pct", "set", "$ID", "--delete", "Foo!"],
    code: 255,
    stderr: "400 Parameter verification failed.\ndelete: invalid format - invalid configuration ID 'Foo!'\n" + SET_USAGE,
  },
  {
    item: "3 delete and revert of the same key",
    source: "pve-container src/PVE/API2/LXC/Config.pm update_vm (delete loop, grep @revert)",
    run: ["pct", "set", "$ID", "--delete", "cores", "--revert", "cores"],
    code: 255,
    stderr: "400 Parameter verification failed.\ndelete: you can't use '-delete cores' and '-revert cores' at the same time\n" + SET_USAGE,
  },
  {
    item: "3 set and delete of the same key (the real text lacks a quote)",
    source: "pve-container src/PVE/API2/LXC/Config.pm update_vm (delete loop, defined $param->{$opt})",
    run: ["pct", "set", "$ID", "--cores", "2", "--delete", "cores"],
    code: 255,
    stderr: "400 Parameter verification failed.\ndelete: you can't use '-cores' and -delete cores' at the same time\n" + SET_USAGE,
  },
  {
    item: "4 timezone: an old link name is not in zone.tab",
    source: "pve-container src/PVE/LXC/Config.pm verify_ct_timezone -> pve-common JSONSchema.pm pve_verify_timezone",
    run: ["pct", "set", "$ID", "--timezone", "Asia/Calcutta"],
    code: 255,
    stderr: "400 Parameter verification failed.\ntimezone: invalid format - invalid time zone 'Asia/Calcutta'\n" + SET_USAGE,
  },
  {
    item: "4 timezone: UTC, host and zone.tab names are taken",
    source: "pve-common src/PVE/JSONSchema.pm pve_verify_timezone (UTC, zone.tab third column)",
    run: ["pct", "set", "$ID", "--timezone", "America/Argentina/Buenos_Aires"],
    code: 0,
    stderr: "",
    after: ({ conf }) => expect(conf.main.keys.get("timezone")).toBe("America/Argentina/Buenos_Aires"),
  },
  {
    item: "4 startup: a negative order",
    source: "pve-common src/PVE/JSONSchema.pm pve_verify_startup_order / pve_parse_startup_order",
    run: ["pct", "set", "$ID", "--startup", "order=-1"],
    code: 255,
    stderr: "400 Parameter verification failed.\nstartup: invalid format - unable to parse startup options\n" + SET_USAGE,
  },
  {
    item: "4 startup: a signed delay",
    source: "pve-common src/PVE/JSONSchema.pm pve_parse_startup_order (up=\\d+)",
    run: ["pct", "set", "$ID", "--startup", "2,up=+5"],
    code: 255,
    stderr: "400 Parameter verification failed.\nstartup: invalid format - unable to parse startup options\n" + SET_USAGE,
  },
  {
    item: "4 nameserver: %iface only after an fe80: address",
    source: "pve-container src/PVE/LXC/Config.pm verify_ip_with_ll_iface; pve-common JSONSchema.pm pve_verify_ip",
    run: ["pct", "set", "$ID", "--nameserver", "10.0.0.1%eth0"],
    code: 255,
    stderr: "400 Parameter verification failed.\nnameserver: invalid format - value does not look like a valid IP address\n" + SET_USAGE,
  },
  {
    item: "4 nameserver: a link-local address with its interface is taken",
    source: "pve-container src/PVE/LXC/Config.pm verify_ip_with_ll_iface (fe80:...%iface, pve_verify_iface)",
    run: ["pct", "set", "$ID", "--nameserver", "fe80::1%eth0 10.0.0.1"],
    code: 0,
    stderr: "",
    after: ({ conf }) => expect(conf.main.keys.get("nameserver")).toBe("fe80::1%eth0 10.0.0.1"),
  },
  {
    item: "4 net: SLAAC on a host-managed NIC",
    source: "pve-container src/PVE/LXC/Config.pm update_pct_config (net, host-managed && ip6 eq 'auto')",
    run: ["pct", "set", "$ID", "--net0", "name=eth0,bridge=vmbr0,host-managed=1,ip6=auto"],
    code: 255,
    stderr: "net0: SLAAC is not supported for host-managed network configuration.\n",
  },
  {
    item: "4 net: SLAAC on a host-managed NIC that is down is taken",
    source: "pve-container src/PVE/LXC/Config.pm update_pct_config (link_down != 1)",
    run: ["pct", "set", "$ID", "--net0", "name=eth0,bridge=vmbr0,host-managed=1,ip6=auto,link_down=1"],
    code: 0,
    stderr: "",
  },
  {
    item: "4 volume on a storage that does not exist",
    source: "pve-container src/PVE/LXC/Config.pm update_pct_config $check_content_type -> pve-storage PVE/Storage.pm storage_config",
    create: ["--storage", "local-lvm"],
    run: ["pct", "set", "$ID", "--mp0", "nosuch:vm-$ID-disk-9,mp=/x"],
    code: 255,
    stderr: "storage 'nosuch' does not exist\n",
  },
  {
    item: "4 net: an MTU above the bridge's",
    source: "pve-container src/PVE/LXC/Config.pm update_pct_config (net, read_bridge_mtu); pve-common Network.pm read_bridge_mtu",
    run: ["pct", "set", "$ID", "--net0", "name=eth0,bridge=vmbr0,mtu=9000"],
    code: 255,
    stderr: "net0: MTU size '9000' is bigger than bridge MTU '1500'\n",
    after: ({ conf }) => expect(conf.main.keys.has("net0")).toBe(false),
  },
  {
    item: "4 net: an MTU a jumbo-frame bridge carries",
    source: "pve-container src/PVE/LXC/Config.pm update_pct_config (mtu <= bridge MTU)",
    run: ["pct", "set", "$ID", "--net0", "name=eth0,bridge=vmbr1,mtu=9000,tag=20"],
    code: 0,
    stderr: "",
  },
  {
    item: "8 net: pct set of a NIC on a missing bridge writes the config, then fails",
    source: "pve-container src/PVE/API2/LXC/Config.pm update_vm (write_config, then update_lxc_config); LXC.pm update_lxc_config",
    run: ["pct", "set", "$ID", "--net0", "name=eth0,bridge=vmbr9"],
    code: 255,
    stderr: "bridge 'vmbr9' does not exist\n",
    after: ({ conf }) => expect(conf.main.keys.get("net0")).toMatch(/^name=eth0,bridge=vmbr9,hwaddr=/),
  },
  {
    item: "8 net: a CT whose bridge is gone does not start",
    source: "pve-container src/PVE/LXC.pm vm_start -> update_lxc_config -> pve-common Network.pm read_bridge_mtu",
    create: ["--net0", "name=eth0,bridge=vmbr0", "--net1", "name=eth1,bridge=vmbr1"],
    prepare: (dir) => writeFileSync(interfacesPath(dir, "pve1"), DEFAULT_INTERFACES.replace(/auto vmbr1\n[^]*?\n\n/, "")),
    run: ["pct", "start", "$ID"],
    code: 255,
    stderr: "bridge 'vmbr1' does not exist\n",
    after: ({ dir, id }) => {
      writeFileSync(interfacesPath(dir, "pve1"), DEFAULT_INTERFACES);
      expect(existsSync(join(dir, "run", "pve1", `${id}.running`))).toBe(false);
    },
  },
  {
    item: "5 hookscript: a file that is not there",
    source: "pve-guest-common src/PVE/GuestHelpers.pm check_hookscript (-f $path)",
    run: ["pct", "set", "$ID", "--hookscript", "local:snippets/missing.sh"],
    code: 255,
    stderr: "script 'local:snippets/missing.sh' does not exist\n",
  },
  {
    item: "5 hookscript: a volume outside snippets",
    source: "pve-guest-common src/PVE/GuestHelpers.pm check_hookscript ($type ne 'snippets'); pve-storage Storage/Plugin.pm parse_volname",
    run: ["pct", "set", "$ID", "--hookscript", "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"],
    code: 255,
    stderr: "'local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst' is not in the snippets directory\n",
  },
  {
    item: "5 hookscript: a snippet that is not executable",
    source: "pve-guest-common src/PVE/GuestHelpers.pm check_hookscript (-x $path)",
    prepare: (dir) => writeFileSync(join(dir, "nodes/pve1/var/lib/vz/snippets/plain.sh"), "#!/bin/sh\n", { mode: 0o644 }),
    run: ["pct", "set", "$ID", "--hookscript", "local:snippets/plain.sh"],
    code: 255,
    stderr: "script 'local:snippets/plain.sh' is not executable\n",
  },
  {
    item: "5 hookscript: an executable snippet on local is taken",
    source: "pve-guest-common src/PVE/GuestHelpers.pm check_hookscript; local has snippets content on a new node",
    prepare: (dir) => writeFileSync(join(dir, "nodes/pve1/var/lib/vz/snippets/hook.sh"), "#!/bin/sh\n", { mode: 0o755 }),
    run: ["pct", "set", "$ID", "--hookscript", "local:snippets/hook.sh"],
    code: 0,
    stderr: "",
    after: ({ conf, dir }) => {
      expect(conf.main.keys.get("hookscript")).toBe("local:snippets/hook.sh");
      expect(readFileSync(join(dir, "etc/pve/storage.cfg"), "utf8")).toContain("\tcontent backup,iso,rootdir,snippets,vztmpl\n");
    },
  },
  {
    item: "7 zfspool: a CT disk on local-zfs is a subvol dataset whose refquota is its size, and resize only sets the refquota",
    source: "pve-container src/PVE/LXC.pm alloc_disk (zfspool -> subvol); pve-storage ZFSPoolPlugin.pm alloc_image, zfs_create_subvol (refquota), volume_resize",
    create: ["--rootfs", "local-zfs:8", "--mp0", "local-zfs:2,mp=/data"],
    run: ["pct", "resize", "$ID", "rootfs", "10G"],
    code: 0,
    stderr: "",
    after: ({ conf, dir, id, out }) => {
      expect(conf.main.keys.get("rootfs")).toBe(`local-zfs:subvol-${id}-disk-0,size=10G`);
      expect(conf.main.keys.get("mp0")).toBe(`local-zfs:subvol-${id}-disk-1,mp=/data,size=2G`);
      expect(out.stdout).toBe("");
      const refquota = JSON.parse(readFileSync(join(dir, "nodes/pve1/zfs", `subvol-${id}-disk-0`), "utf8")) as { size: number };
      expect(refquota.size).toBe(10 * 1024 ** 3);
      expect(readFileSync(join(dir, "etc/pve/storage.cfg"), "utf8")).toContain("zfspool: local-zfs\n\tpool rpool/data\n\tsparse\n\tcontent images,rootdir\n");
    },
  },
  {
    item: "7 zfspool: the next disk number is shared by subvol- and vm- names; pvesm alloc's default format is a raw zvol",
    source: "pve-storage Plugin.pm get_next_vm_diskname; ZFSPoolPlugin.pm plugindata (default format raw), alloc_image",
    create: ["--rootfs", "local-zfs:1"],
    run: ["pvesm", "alloc", "local-zfs", "$ID", "", "1G"],
    code: 0,
    stderr: "",
    after: ({ out, id }) => expect(out.stdout).toBe(`successfully created 'local-zfs:vm-${id}-disk-1'\n`),
  },
  {
    item: "7 zfspool: a subvol must be named subvol-VMID-*",
    source: "pve-storage ZFSPoolPlugin.pm alloc_image (illegal name ... should be 'subvol-$vmid-*')",
    run: ["pvesm", "alloc", "local-zfs", "$ID", "vm-$ID-disk-5", "1G", "--format", "subvol"],
    code: 255,
    stderr: "illegal name 'vm-$ID-disk-5' - should be 'subvol-$ID-*'\n",
  },
  {
    item: "7 zfspool: a volume name that is not vm|base|subvol|basevol-VMID-* does not parse",
    source: "pve-storage ZFSPoolPlugin.pm parse_volname",
    run: ["pvesm", "path", "local-zfs:disk-$ID"],
    code: 255,
    stderr: "unable to parse zfs volume name 'disk-$ID'\n",
  },
  {
    item: "7 zfspool: subvols can be snapshotted",
    source: "pve-storage ZFSPoolPlugin.pm volume_has_feature (snapshot on images and subvols)",
    create: ["--rootfs", "local-zfs:1"],
    run: ["pct", "snapshot", "$ID", "before"],
    code: 0,
    stderr: "",
    after: ({ conf }) => expect(conf.snapshots.has("before")).toBe(true),
  },
];

describe.skipIf(!simBuilt)(`simulator fidelity (${simBuilt ? "built" : skipMessage})`, () => {
  let sim: ReturnType<typeof newSim>;
  beforeAll(() => {
    sim = newSim(["pve1"]);
  });
  afterAll(() => sim.cleanup());

  ROWS.forEach((row, i) => {
    it(`${row.item} [${row.source}]`, async () => {
      const id = String(300 + i);
      const fill = (args: string[]): string[] => args.map((a) => a.replaceAll("$ID", id));
      const created = await sim.run("pct", ["create", id, DEBIAN, ...(row.create ?? [])]);
      expect(created.stderr).toBe("");
      for (const [tool, ...args] of row.setup ?? []) {
        const r = await sim.run(tool, fill(args));
        expect(r.code, `${tool} ${fill(args).join(" ")}: ${r.stderr}`).toBe(0);
      }
      row.prepare?.(sim.dir);
      const [tool, ...args] = row.run;
      const out = await sim.run(tool, fill(args));
      expect(out.stderr).toBe(row.stderr.replaceAll("$ID", id));
      expect(out.code).toBe(row.code);
      const text = readFileSync(join(sim.dir, "etc/pve/nodes/pve1/lxc", `${id}.conf`), "utf8");
      row.after?.({ conf: parseConf(text), text, dir: sim.dir, id, out });
    });
  });

  it("pvesh get /nodes/N/network answers as API2/Network.pm index over Interfaces.pm's reading [pve-manager PVE/API2/Network.pm index; pve-common Network/Interfaces.pm __read_etc_network_interfaces]", async () => {
    const all = await sim.run("pvesh", ["get", "/nodes/pve1/network", "--output-format", "json"]);
    expect(all.stderr).toBe("");
    const list = JSON.parse(all.stdout) as Record<string, unknown>[];
    expect(list.map((i) => i["iface"]).sort()).toEqual(["eno1", "eno2", "vmbr0", "vmbr1"]);
    expect(list.find((i) => i["iface"] === "vmbr1")).toEqual({
      iface: "vmbr1",
      type: "bridge",
      method: "manual",
      method6: "manual",
      families: ["inet"],
      priority: 6,
      autostart: 1,
      active: 1,
      bridge_ports: "eno2",
      bridge_stp: "off",
      bridge_fd: "0",
      bridge_vlan_aware: 1,
      bridge_vids: "2-4094",
      mtu: "9000",
    });
    expect(list.find((i) => i["iface"] === "vmbr0")).toMatchObject({ address: "192.168.100.2", netmask: "24", cidr: "192.168.100.2/24", gateway: "192.168.100.1", method: "static" });
    expect(list.find((i) => i["iface"] === "eno1")).toMatchObject({ type: "eth", exists: 1 });
    const bridges = JSON.parse((await sim.run("pvesh", ["get", "/nodes/pve1/network", "--type", "any_bridge", "--output-format", "json"])).stdout) as { iface: string }[];
    expect(bridges.map((b) => b.iface).sort()).toEqual(["vmbr0", "vmbr1"]);
    const bad = await sim.run("pvesh", ["get", "/nodes/pve1/network", "--type", "wifi"]);
    expect(bad.code).toBe(255);
    expect(bad.stderr).toContain("type: value 'wifi' does not have a value in the enumeration 'bridge, bond, eth,");
  });

  it("pvesm status and pvesh get /nodes/N/storage answer as storage_info reports each storage [pve-storage Storage.pm storage_info; PVE/CLI/pvesm.pm status (KiB columns); pve-manager PVE/API2/Storage/Status.pm index]", async () => {
    const r = await sim.run("pvesh", ["get", "/nodes/pve1/storage", "--output-format", "json"]);
    expect(r.stderr).toBe("");
    const list = JSON.parse(r.stdout) as Record<string, unknown>[];
    const zfs = list.find((s) => s["storage"] === "local-zfs")!;
    expect(Object.keys(zfs).sort()).toEqual(["active", "avail", "content", "enabled", "shared", "storage", "total", "type", "used", "used_fraction"]);
    expect(zfs).toMatchObject({ type: "zfspool", content: "images,rootdir", active: 1, enabled: 1, shared: 0 });
    expect((zfs["used"] as number) + (zfs["avail"] as number)).toBe(zfs["total"]);
    expect(zfs["used_fraction"]).toBe((zfs["used"] as number) / (zfs["total"] as number));
    expect(list.map((s) => s["storage"])).toEqual(["local", "local-lvm", "local-zfs"]);
    const rootdir = JSON.parse((await sim.run("pvesh", ["get", "/nodes/pve1/storage", "--content", "snippets", "--output-format", "json"])).stdout) as { storage: string }[];
    expect(rootdir.map((s) => s.storage)).toEqual(["local"]);
    const status = await sim.run("pvesm", ["status", "--storage", "local-zfs"]);
    expect(status.stderr).toBe("");
    const kib = (n: unknown) => String(Math.floor((n as number) / 1024));
    const pct = (((zfs["used_fraction"] as number) * 100).toFixed(2) + "%").padStart(8);
    expect(status.stdout).toBe(
      "Name            Type     Status           Total            Used       Available        %\n" +
        `local-zfs    zfspool     active ${kib(zfs["total"]).padStart(15)} ${kib(zfs["used"]).padStart(15)} ${kib(zfs["avail"]).padStart(15)} ${pct}\n`,
    );
  });

  it("without quorum every write under /etc/pve is refused with EACCES, reads still answer, and quorum back makes writes work [pve-cluster src/pmxcfs/cfs-plug-memdb.c tree_entry_stat (0444/0555 when !cfs_is_quorate); pve-common PVE/Tools.pm file_set_contents]", async () => {
    const created = await sim.run("pct", ["create", "390", DEBIAN, "--storage", "local-zfs"]);
    expect(created.stderr).toBe("");
    const file = join(sim.dir, "etc/pve/nodes/pve1/lxc/390.conf");
    const before = readFileSync(file, "utf8");
    setQuorum(sim.dir, false);
    try {
      const set = await sim.run("pct", ["set", "390", "--cores", "2"]);
      expect(set.stderr).toMatch(/^unable to open file '\/etc\/pve\/nodes\/pve1\/lxc\/390\.conf\.tmp\.\d+' - Permission denied\n$/);
      expect(set.code).toBe(255);
      const create = await sim.run("pct", ["create", "391", DEBIAN]);
      expect(create.stderr).toMatch(/^unable to open file '\/etc\/pve\/nodes\/pve1\/lxc\/391\.conf\.tmp\.\d+' - Permission denied\n$/);
      expect(existsSync(join(sim.dir, "etc/pve/nodes/pve1/lxc/391.conf"))).toBe(false);
      const destroy = await sim.run("pct", ["destroy", "390"]);
      expect(destroy.code).toBe(255);
      expect(readFileSync(file, "utf8")).toBe(before);
      const read = await sim.run("pct", ["config", "390"]);
      expect(read.stderr).toBe("");
      expect(read.stdout).toContain("rootfs: local-zfs:subvol-390-disk-0,size=4G\n");
    } finally {
      setQuorum(sim.dir, true);
    }
    const again = await sim.run("pct", ["set", "390", "--cores", "2"]);
    expect(again.stderr).toBe("");
    expect(readFileSync(file, "utf8")).toContain("cores: 2\n");
  });

  it("cluster locks under /etc/pve/priv/lock: mkdir takes, a held lock is EEXIST, the utime-0 unlock request frees only a lock older than 120 s (and fails on a live one), touch renews, rmdir releases, no quorum is EACCES [pve-cluster PVE/Cluster.pm cfs_lock; src/pmxcfs/cfs-plug-memdb.c cfs_plug_memdb_utimens; memdb.c memdb_lock_expired, memdb.h CFS_LOCK_TIMEOUT]", async () => {
    const lock = "/etc/pve/priv/lock/pmxform-state";
    const onDisk = join(sim.dir, "etc/pve/priv/lock/pmxform-state");
    const take = await sim.run("mkdir", [lock]);
    expect([take.code, take.stderr]).toEqual([0, ""]);
    const held = await sim.run("mkdir", [lock]);
    expect([held.code, held.stderr]).toEqual([1, `mkdir: cannot create directory '${lock}': File exists\n`]);
    // a fresh lock survives the unlock request, which then fails as memdb_mtime refuses mtime 0
    expect((await sim.run("touch", ["-c", "-d", "@0", lock])).code).toBe(1);
    expect(existsSync(onDisk)).toBe(true);
    // 121 s later (the clock moved by setting the lock's mtime back) the request frees it
    const old = Date.now() / 1000 - 121;
    utimesSync(onDisk, old, old);
    expect((await sim.run("mkdir", [lock])).code).toBe(1);
    expect((await sim.run("touch", ["-c", "-d", "@0", lock])).code).toBe(0);
    expect(existsSync(onDisk)).toBe(false);
    expect((await sim.run("mkdir", [lock])).code).toBe(0);
    // renewing keeps a lock held past 120 s of age
    utimesSync(onDisk, old, old);
    expect((await sim.run("touch", ["-c", lock])).code).toBe(0);
    expect(Date.now() - statSync(onDisk).mtimeMs).toBeLessThan(120_000);
    expect((await sim.run("touch", ["-c", "-d", "@0", lock])).code).toBe(1);
    expect(existsSync(onDisk)).toBe(true);
    setQuorum(sim.dir, false);
    try {
      const denied = await sim.run("rmdir", [lock]);
      expect([denied.code, denied.stderr]).toEqual([1, `rmdir: failed to remove '${lock}': Permission denied\n`]);
      const mk = await sim.run("mkdir", ["/etc/pve/priv/lock/other"]);
      expect([mk.code, mk.stderr]).toEqual([1, "mkdir: cannot create directory '/etc/pve/priv/lock/other': Permission denied\n"]);
    } finally {
      setQuorum(sim.dir, true);
    }
    expect((await sim.run("rmdir", [lock])).code).toBe(0);
    const gone = await sim.run("rmdir", [lock]);
    expect([gone.code, gone.stderr]).toEqual([1, `rmdir: failed to remove '${lock}': No such file or directory\n`]);
  });

  it("a config write past pmxcfs's 1 MiB is refused and the file stays as it was [pve-cluster src/pmxcfs/memdb.h MEMDB_MAX_FILE_SIZE, memdb.c EFBIG; pve-common File.pm file_set_contents]", async () => {
    const big = "arch: amd64\nhostname: big\nmemory: 512\nostype: debian\nrootfs: local-lvm:vm-399-disk-0,size=1G\n\n[old]\n" + "#".padEnd(1000, "x").concat("\n").repeat(1047) + "memory: 256\n";
    expect(Buffer.byteLength(big)).toBeLessThan(1024 * 1024 + 1000);
    loadSimContainer(sim.dir, "pve1", 399, big);
    const ok = await sim.run("pct", ["set", "399", "--cores", "1"]);
    expect(ok.stderr).toBe("");
    const before = readFileSync(join(sim.dir, "etc/pve/nodes/pve1/lxc/399.conf"), "utf8");
    const r = await sim.run("pct", ["set", "399", "--description", "x".repeat(8000)]);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/^unable to write '\/etc\/pve\/nodes\/pve1\/lxc\/399\.conf\.tmp\.\d+' - File too large\n$/);
    expect(readFileSync(join(sim.dir, "etc/pve/nodes/pve1/lxc/399.conf"), "utf8")).toBe(before);
  });
});
