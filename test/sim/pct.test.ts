// pct verbs against the simulator's executables: success and error texts from pve-reference.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parseConf } from "../../src/pve/conf.js";
import { loadSimContainer } from "../../src/sim/index.js";
import { DEBIAN, newSim, simBuilt, skipMessage, type Runner } from "./helpers.js";

describe.skipIf(!simBuilt)(`pct lifecycle (${simBuilt ? "built" : skipMessage})`, () => {
  let sim: ReturnType<typeof newSim>;
  let pct: (args: string[], env?: Record<string, string>) => ReturnType<Runner>;
  const conf = (vmid: number, node = "pve1") => readFileSync(join(sim.dir, "etc/pve/nodes", node, "lxc", `${vmid}.conf`), "utf8");
  beforeAll(() => {
    sim = newSim();
    pct = (args, env) => sim.run("pct", args, env);
  });
  afterAll(() => sim.cleanup());

  it("create normalises and writes defaults", async () => {
    const r = await pct([
      "create",
      "100",
      DEBIAN,
      "--storage",
      "local-lvm",
      "--net0",
      "name=eth0,bridge=vmbr0,ip=dhcp",
      "--tags",
      "Web,prod web",
      "--mp0",
      "local-lvm:2,mp=/data,backup=1",
      "--rootfs",
      "local-lvm:8",
      "-description",
      "hello",
      "--onboot=yes",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Detected container architecture: amd64");
    const text = conf(100);
    expect(text).toMatch(/^#hello\narch: amd64\nhostname: CT100\nmemory: 512\n/);
    expect(text).toContain("mp0: local-lvm:vm-100-disk-1,mp=/data,backup=1,size=2G\n");
    expect(text).toMatch(/net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:[0-9A-F]{2}:[0-9A-F]{2}:[0-9A-F]{2},ip=dhcp,type=veth\n/);
    expect(text).toContain("rootfs: local-lvm:vm-100-disk-0,size=8G\n");
    expect(text).toContain("tags: prod;web\n");
    expect(text).toContain("onboot: 1\nostype: debian\n");
    expect(text).toContain("swap: 512\n");
    expect(text).toContain("unprivileged: 1\n");
  });

  it("allocates whole MiB like create_disks (int(GiB * 1024) MiB)", async () => {
    const r = await pct(["create", "110", DEBIAN, "--rootfs", "local-lvm:0.5", "--mp0", "local-lvm:0.0068359375,mp=/exact", "--mp1", "local-lvm:0.0068,mp=/rounded"]);
    expect(r.stderr).toBe("");
    const text = conf(110);
    expect(text).toContain("rootfs: local-lvm:vm-110-disk-0,size=512M\n");
    expect(text).toContain("mp0: local-lvm:vm-110-disk-1,mp=/exact,size=7M\n");
    expect(text).toContain("mp1: local-lvm:vm-110-disk-2,mp=/rounded,size=6M\n");
    expect((await pct(["destroy", "110", "--purge", "1"])).code).toBe(0);
  });

  it("pct config prints sorted keys with the encoded description", async () => {
    const r = await pct(["config", "100"]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").slice(0, 3)).toEqual(["arch: amd64", "description: hello%0A", "hostname: CT100"]);
  });

  it("rejects an existing vmid cluster-wide, also from another node", async () => {
    const r = await pct(["create", "100", DEBIAN], { PMXSIM_NODE: "pve2" });
    expect(r.code).toBe(255);
    expect(r.stderr).toBe("CT 100 already exists on node 'pve1'\n");
  });

  it("reports a CT of another node as a missing config file", async () => {
    const r = await pct(["config", "100"], { PMXSIM_NODE: "pve2" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe("Configuration file 'nodes/pve2/lxc/100.conf' does not exist\n");
  });

  it("parameter errors have the 400 shape and exit 255", async () => {
    const r = await pct(["set", "100", "--memory", "8", "--net0", "name=eth0,foo=1"]);
    expect(r.code).toBe(255);
    expect(r.stderr).toBe(
      "400 Parameter verification failed.\nmemory: value must have a minimum value of 16\nnet0: invalid format - invalid key in comma-separated list property: foo\npct set <vmid> [OPTIONS]\n",
    );
    const missing = await pct(["set", "100", "--net1", "bridge=vmbr0"]);
    expect(missing.stderr).toBe("400 Parameter verification failed.\nnet1: invalid format - format error\nnet1.name: property is missing and it is not optional\npct set <vmid> [OPTIONS]\n");
    const bad = await pct(["set", "abc", "--memory", "64"]);
    expect(bad.stderr).toContain("vmid: invalid format - value does not look like a valid VM ID");
    const unknown = await pct(["set", "100", "--bogus", "1"]);
    expect(unknown.code).toBe(255);
    expect(unknown.stderr).toBe("Unknown option: bogus\n400 unable to parse option\npct set <vmid> [OPTIONS]\n");
    const bool = await pct(["set", "100", "--onboot", "maybe"]);
    expect(bool.stderr).toContain("onboot: type check ('boolean') failed - got 'maybe'");
  });

  it("set errors: no options, read-only and required keys, same key set+delete", async () => {
    expect((await pct(["set", "100"])).stderr).toBe("no options specified\n");
    expect((await pct(["set", "100", "--unprivileged", "0"])).stderr).toBe("unable to modify read-only option: 'unprivileged'\n");
    expect((await pct(["set", "100", "--delete", "memory"])).stderr).toBe("unable to delete required option 'memory'\n");
    const both = await pct(["set", "100", "--cores", "2", "--delete", "cores"]);
    expect(both.stderr).toContain("delete: you can't use '-cores' and -delete cores' at the same time");
  });

  it("stopped CT: every change applies at once; deleting an unset key only warns", async () => {
    const r = await pct(["set", "100", "--cores", "2", "--features", "nesting=1", "--delete", "swap,cpulimit"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("cannot delete 'cpulimit' - not set in current configuration!\n");
    const text = conf(100);
    expect(text).toContain("cores: 2\n");
    expect(text).toContain("features: nesting=1\n");
    expect(text).not.toContain("swap:");
    expect(text).not.toContain("[pve:pending]");
  });

  it("running CT: hot-plug vs [pve:pending], config merges pending, --current does not, start applies", async () => {
    expect((await pct(["start", "100"])).code).toBe(0);
    expect((await pct(["start", "100"])).stderr).toBe("CT 100 already running\n");
    const r = await pct(["set", "100", "--memory", "1024", "--hostname", "web", "--ostype", "ubuntu", "--mp1", "local-lvm:1,mp=/x", "--delete", "mp0"]);
    expect(r.code).toBe(0);
    const parsed = parseConf(conf(100));
    expect(parsed.main.keys.get("memory")).toBe("1024");
    expect(parsed.main.keys.get("hostname")).toBe("web");
    expect(parsed.main.keys.get("mp1")).toBe("local-lvm:vm-100-disk-2,mp=/x,size=1G");
    expect(parsed.main.keys.get("ostype")).toBe("debian");
    expect(parsed.pending?.keys.get("ostype")).toBe("ubuntu");
    expect(parsed.pending?.delete).toEqual(["mp0"]);
    const pending = await pct(["pending", "100"]);
    expect(pending.stdout).toContain("cur ostype: debian\nnew ostype: ubuntu\n");
    expect(pending.stdout).toContain("del mp0: local-lvm:vm-100-disk-1,mp=/data,backup=1,size=2G\n");
    expect((await pct(["config", "100"])).stdout).toContain("ostype: ubuntu\n");
    const current = (await pct(["config", "100", "--current", "1"])).stdout;
    expect(current).toContain("ostype: debian\n");
    expect(current).toContain("mp0: ");
    expect((await pct(["config", "100", "--current", "1", "--snapshot", "x"])).stderr).toContain("snapshot: cannot use 'snapshot' parameter with 'current'");
    expect((await pct(["stop", "100"])).code).toBe(0);
    expect((await pct(["stop", "100"])).stderr).toBe("CT 100 not running\n");
    expect((await pct(["start", "100"])).code).toBe(0);
    const after = parseConf(conf(100));
    expect(after.pending).toBeUndefined();
    expect(after.main.keys.get("ostype")).toBe("ubuntu");
    expect(after.main.keys.get("unused0")).toBe("local-lvm:vm-100-disk-1");
  });

  it("--revert drops a pending change; --digest guards against concurrent edits", async () => {
    await pct(["set", "100", "--tty", "3"]);
    expect(parseConf(conf(100)).pending?.keys.get("tty")).toBe("3");
    await pct(["set", "100", "--revert", "tty"]);
    expect(parseConf(conf(100)).pending).toBeUndefined();
    const stale = await pct(["set", "100", "--cores", "3", "--digest", "0".repeat(40)]);
    expect(stale.stderr).toBe("detected modified configuration - file changed by other user? Try again.\n");
  });

  it("status, list and reboot", async () => {
    expect((await pct(["status", "100"])).stdout).toBe("status: running\n");
    const verbose = (await pct(["status", "100", "--verbose"])).stdout;
    expect(verbose).toContain("maxdisk: 8589934592\n");
    expect(verbose).toContain("name: web\n");
    expect(verbose).not.toMatch(/^cpu:/m);
    expect((await pct(["list"])).stdout).toBe("VMID       Status     Lock         Name                \n100        running                 web                 \n");
    expect((await pct(["reboot", "100"])).code).toBe(0);
    expect((await pct(["exec", "100", "--", "uname", "-a"])).code).toBe(0);
    const execLog = readFileSync(join(sim.dir, "log/exec.jsonl"), "utf8");
    expect(execLog).toContain('"command":["uname","-a"]');
  });

  it("resize grows, refuses to shrink", async () => {
    expect((await pct(["resize", "100", "rootfs", "+2G"])).code).toBe(0);
    expect(conf(100)).toContain("rootfs: local-lvm:vm-100-disk-0,size=10G\n");
    expect((await pct(["resize", "100", "rootfs", "4G"])).stderr).toBe("unable to shrink disk size\n");
    expect((await pct(["resize", "100", "rootfs", "10G"])).stderr).toBe("disk is already at specified size\n");
    expect((await pct(["resize", "100", "rootfs", "10X"])).stderr).toContain("size: value does not match the regex pattern");
  });

  it("snapshots: create, list, rollback, delete", async () => {
    expect((await pct(["snapshot", "100", "before", "--description", "first"])).code).toBe(0);
    expect((await pct(["snapshot", "100", "before"])).stderr).toBe("snapshot name 'before' already used\n");
    await pct(["set", "100", "--cores", "4"]);
    const list = (await pct(["listsnapshot", "100"])).stdout.split("\n");
    expect(list[0]).toMatch(/^`-> before {22}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {5}first$/);
    expect(list[1]).toMatch(/^ `-> current {44}You are here!$/);
    expect((await pct(["rollback", "100", "before"])).code).toBe(0);
    expect((await pct(["status", "100"])).stdout).toBe("status: stopped\n");
    expect(parseConf(conf(100)).main.keys.get("cores")).toBe("2");
    expect((await pct(["config", "100", "--snapshot", "before"])).stdout).toContain("snaptime: ");
    expect((await pct(["delsnapshot", "100", "before"])).code).toBe(0);
    expect(conf(100)).not.toContain("parent:");
  });

  it("move-volume to another storage and to another CT", async () => {
    await pct(["create", "200", DEBIAN, "--storage", "local-lvm"]);
    const mv = await pct(["move-volume", "100", "mp1", "--target-vmid", "200", "--target-volume", "mp0"]);
    expect(mv.stderr).toBe("");
    expect(mv.code).toBe(0);
    expect(parseConf(conf(200)).main.keys.get("mp0")).toBe("local-lvm:vm-200-disk-1,mp=/x,size=1G");
    expect(parseConf(conf(100)).main.keys.has("mp1")).toBe(false);
    expect((await pct(["move-volume", "100", "rootfs", "--target-vmid", "200"])).stderr).toBe("Cannot move to/from 'rootfs'\n");
    expect((await pct(["move-volume", "200", "mp0", "local"])).code).toBe(0);
    const c = parseConf(conf(200)).main.keys;
    expect(c.get("mp0")).toBe("local:200/vm-200-disk-0.raw,mp=/x,size=1G");
    expect(c.get("unused0")).toBe("local-lvm:vm-200-disk-1");
  });

  it("protection, locks, unlock", async () => {
    await pct(["set", "200", "--protection", "1"]);
    expect((await pct(["destroy", "200"])).stderr).toBe("can't remove CT 200 - protection mode enabled\n");
    expect((await pct(["set", "200", "--delete", "mp0"])).stderr).toBe("can't remove CT 200 drive 'mp0' - protection mode enabled\n");
    await pct(["set", "200", "--protection", "0"]);
    const text = conf(200).replace("memory: 512", "lock: backup\nmemory: 512");
    loadSimContainer(sim.dir, "pve1", 200, text);
    expect((await pct(["set", "200", "--cores", "1"])).stderr).toBe("CT is locked (backup)\n");
    expect((await pct(["unlock", "200"])).code).toBe(0);
    expect((await pct(["set", "200", "--cores", "1"])).code).toBe(0);
  });

  it("destroy: refuses a running CT, frees owned volumes", async () => {
    await pct(["start", "200"]);
    expect((await pct(["destroy", "200"])).stderr).toBe("unable to destroy CT 200 - container is running\n");
    const r = await pct(["destroy", "200", "--force", "1"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Logical volume "vm-200-disk-1" successfully removed.');
    expect(existsSync(join(sim.dir, "etc/pve/nodes/pve1/lxc/200.conf"))).toBe(false);
    expect(existsSync(join(sim.dir, "nodes/pve1/lvm/vm-200-disk-1"))).toBe(false);
    expect((await sim.run("pvesm", ["list", "local", "--vmid", "200"])).stdout.split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("create failures: missing template, bad storage, mp without rootfs", async () => {
    const t = await pct(["create", "300", "local:vztmpl/nope.tar.zst"]);
    expect(t.code).toBe(255);
    expect(t.stderr).toBe("unable to create CT 300 - can't find file 'local:vztmpl/nope.tar.zst'\n");
    expect(existsSync(join(sim.dir, "etc/pve/nodes/pve1/lxc/300.conf"))).toBe(false);
    expect((await pct(["create", "300", DEBIAN, "--storage", "nfs"])).stderr).toBe(
      "400 Parameter verification failed.\nstorage: storage 'nfs' does not exist\npct create <vmid> <ostemplate> [OPTIONS]\n",
    );
    expect((await pct(["create", "300", DEBIAN, "--mp0", "local-lvm:1,mp=/a"])).stderr).toBe("mount points configured, but 'rootfs' not set - aborting\n");
    expect((await pct(["create", "300", "local:vztmpl/x.img"])).stderr).toBe("unable to create CT 300 - unable to parse directory volume name 'vztmpl/x.img'\n");
    expect((await pct(["frobnicate"])).stderr).toMatch(/^ERROR: unknown command 'pct frobnicate'\n/);
    expect((await pct(["constructor"])).stderr).toMatch(/^ERROR: unknown command 'pct constructor'\n/);
  });

  it("hand-placed conf files are picked up (with warnings kept out of output)", async () => {
    loadSimContainer(sim.dir, "pve2", 555, "arch: amd64\r\nhostname: hand\r\nmemory: 256\r\nostype: debian\r\nrootfs: local-lvm:vm-555-disk-0,size=1G\r\nweird: 1\r\n");
    const r = await pct(["config", "555"], { PMXSIM_NODE: "pve2" });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("weird: 1\n");
    expect((await pct(["list"], { PMXSIM_NODE: "pve2" })).stdout).toContain("555        stopped                 hand");
  });
});
