// Concurrency (locks), OCI archives, faults, latency, call log and pvesh/pvesm/pveam outputs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { parseConf } from "../../src/pve/conf.js";
import { readCalls, setFaults } from "../../src/sim/index.js";
import { DEBIAN, newSim, simBuilt, skipMessage } from "./helpers.js";
import { ociArchive, writeTar } from "./tarwrite.js";

describe.skipIf(!simBuilt)(`simulator runtime (${simBuilt ? "built" : skipMessage})`, () => {
  let sim: ReturnType<typeof newSim>;
  beforeAll(() => {
    sim = newSim();
  });
  afterAll(() => sim.cleanup());

  it("two creates of one vmid at once: exactly one wins, the other gets the real error", async () => {
    const [a, b] = await Promise.all([sim.run("pct", ["create", "150", DEBIAN]), sim.run("pct", ["create", "150", DEBIAN], { PMXSIM_NODE: "pve2" })]);
    const results = [a, b].sort((x, y) => x.code - y.code);
    expect(results[0]!.code).toBe(0);
    expect(results[1]!.code).toBe(255);
    expect(results[1]!.stderr).toMatch(/^(unable to create CT 150 - )?CT 150 already exists on node 'pve[12]'\n$|^can't lock file '\/run\/lock\/lxc\/pve-config-150.lock' - got timeout\n$/);
  });

  it("two sets on one CT at once: the second waits for the lock and times out", async () => {
    const node = (await sim.run("pvesh", ["get", "/cluster/resources", "--type", "vm", "--output-format", "json"])).stdout;
    const owner = (JSON.parse(node) as { vmid: number; node: string }[]).find((r) => r.vmid === 150)!.node;
    setFaults(sim.dir, [{ tool: "pct", args: ["set", "150", "--cores", "2"], hangMs: 1500 }]);
    const first = sim.run("pct", ["set", "150", "--cores", "2"], { PMXSIM_NODE: owner });
    await new Promise((r) => setTimeout(r, 400));
    const second = await sim.run("pct", ["set", "150", "--memory", "1024"], { PMXSIM_NODE: owner, PMXSIM_LOCK_TIMEOUT_MS: "300" });
    expect(second.code).toBe(255);
    expect(second.stderr).toBe("can't lock file '/run/lock/lxc/pve-config-150.lock' - got timeout\n");
    expect((await first).code).toBe(0);
    const waited = await sim.run("pct", ["set", "150", "--memory", "1024"], { PMXSIM_NODE: owner });
    expect(waited.code).toBe(0);
    setFaults(sim.dir, []);
  });

  it("faults fail the Nth matching invocation with the given stderr and exit code", async () => {
    setFaults(sim.dir, [{ tool: "pvesh", argsRegex: "nextid", nth: 2, times: 1, stderr: "cluster not ready - no quorum?", exit: 255 }]);
    expect((await sim.run("pvesh", ["get", "/cluster/nextid"])).code).toBe(0);
    const failed = await sim.run("pvesh", ["get", "/cluster/nextid"]);
    expect(failed).toEqual({ code: 255, stdout: "", stderr: "cluster not ready - no quorum?\n" });
    expect((await sim.run("pvesh", ["get", "/cluster/nextid"])).code).toBe(0);
    setFaults(sim.dir, []);
  });

  it("latency is applied per invocation (env override)", async () => {
    const t0 = Date.now();
    await sim.run("pvesh", ["get", "/cluster/nextid"], { PMXSIM_LATENCY_MS: "300" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
  });

  it("call log records every invocation with redacted passwords", async () => {
    await sim.run("pct", ["create", "160", DEBIAN, "--password", "hunter22", "--hostname", "c160"]);
    const calls = readCalls(sim.dir);
    const create = calls.find((c) => c.argv[1] === "160")!;
    expect(create.argv).toEqual(["create", "160", DEBIAN, "--password", "<redacted>", "--hostname", "c160"]);
    expect(create).toMatchObject({ tool: "pct", node: "pve1", exit: 0 });
    expect(readFileSync(join(sim.dir, "log/calls.jsonl"), "utf8")).not.toContain("hunter22");
  });

  it("pvesh JSON endpoints", async () => {
    const json = async (path: string, ...extra: string[]): Promise<unknown> => JSON.parse((await sim.run("pvesh", ["get", path, ...extra, "--output-format", "json"])).stdout);
    const list = (await json("/nodes/pve1/lxc")) as { vmid: number; status: string; maxmem: number }[];
    expect(list.find((c) => c.vmid === 160)).toMatchObject({ status: "stopped", maxmem: 512 * 1024 * 1024, type: "lxc" });
    const cfg = (await json("/nodes/pve1/lxc/160/config")) as Record<string, unknown>;
    expect(cfg).toMatchObject({ hostname: "c160", memory: 512, unprivileged: 1, arch: "amd64" });
    expect(cfg["digest"]).toMatch(/^[0-9a-f]{40}$/);
    expect(await json("/cluster/nextid")).toBe("100");
    const taken = await sim.run("pvesh", ["get", "/cluster/nextid", "--vmid", "160"]);
    expect(taken.code).toBe(255);
    expect(taken.stderr).toContain("vmid: VM 160 already exists");
    const st = (await json("/nodes/pve1/lxc/160/status/current")) as Record<string, unknown>;
    expect(st).toMatchObject({ status: "stopped", vmid: 160, ha: { managed: 0 } });
    const missing = await sim.run("pvesh", ["get", "/nodes/pve2/lxc/160/config"]);
    expect(missing.stderr).toBe("Configuration file 'nodes/pve2/lxc/160.conf' does not exist\n");
    const pretty = (await sim.run("pvesh", ["get", "/nodes/pve1/lxc/160/config", "--output-format", "json-pretty"])).stdout;
    expect(pretty).toMatch(/^\{\n {3}"arch": "amd64",\n/);
  });

  it("pvesm path/alloc/free and pveam list", async () => {
    expect((await sim.run("pvesm", ["path", DEBIAN])).stdout).toBe(join(sim.dir, "nodes/pve1/var/lib/vz/template/cache/debian-12-standard_12.7-1_amd64.tar.zst") + "\n");
    const alloc = await sim.run("pvesm", ["alloc", "local-lvm", "160", "vm-160-disk-7", "1G"]);
    expect(alloc.stdout).toBe("successfully created 'local-lvm:vm-160-disk-7'\n");
    expect((await sim.run("pvesm", ["free", "local-lvm:vm-160-disk-7"])).code).toBe(0);
    expect((await sim.run("pvesm", ["path", "nfs:vm-1"])).stderr).toBe("storage 'nfs' does not exist\n");
    const pveam = (await sim.run("pveam", ["list", "local"])).stdout;
    expect(pveam).toContain("local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz");
  });

  it("OCI archive: detection, entrypoint, env, console, host-managed, cwd, signal, ostype", async () => {
    const layer = gzipSync(
      writeTar([
        { name: "etc/", type: "5" },
        { name: "etc/os-release", data: 'NAME="Alpine Linux"\nID=alpine\n' },
      ]),
    );
    const tar = ociArchive({ Entrypoint: ["/docker-entrypoint.sh"], Cmd: ["nginx", "-g", "daemon off;"], Env: ["PATH=/usr/bin", "NGINX_PORT=80"], WorkingDir: "/srv", StopSignal: "SIGQUIT" }, layer);
    writeFileSync(join(sim.dir, "nodes/pve1/var/lib/vz/template/cache/nginx_1.29.tar"), tar);
    const r = await sim.run("pct", ["create", "170", "local:vztmpl/nginx_1.29.tar", "--net0", "name=eth0,bridge=vmbr0,ip=dhcp", "--storage", "local-lvm"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("Detected OCI archive\n");
    const c = parseConf(readFileSync(join(sim.dir, "etc/pve/nodes/pve1/lxc/170.conf"), "utf8")).main;
    expect(c.keys.get("entrypoint")).toBe("/docker-entrypoint.sh nginx -g 'daemon off;'");
    expect(c.keys.get("cmode")).toBe("console");
    expect(c.keys.get("ostype")).toBe("alpine");
    expect(c.keys.get("net0")).toMatch(/^name=eth0,bridge=vmbr0,host-managed=1,hwaddr=BC:24:11:.*,ip=dhcp,type=veth$/);
    expect(c.env).toEqual(["PATH=/usr/bin", "NGINX_PORT=80"]);
    expect(c.lxc).toEqual([
      ["lxc.init.cwd", "/srv"],
      ["lxc.signal.halt", "SIGQUIT"],
    ]);
  });

  it("OCI archive without os-release is unmanaged; wrong config media type fails", async () => {
    writeFileSync(join(sim.dir, "nodes/pve1/var/lib/vz/template/cache/bare.tar"), ociArchive({ Cmd: ["/app"] }, gzipSync(writeTar([{ name: "app", data: "x" }]))));
    expect((await sim.run("pct", ["create", "171", "local:vztmpl/bare.tar"])).code).toBe(0);
    expect(readFileSync(join(sim.dir, "etc/pve/nodes/pve1/lxc/171.conf"), "utf8")).toContain("ostype: unmanaged\n");
    writeFileSync(join(sim.dir, "nodes/pve1/var/lib/vz/template/cache/bad.tar"), ociArchive({ Cmd: ["/app"] }, gzipSync(writeTar([])), "application/vnd.docker.container.image.v1+json"));
    const bad = await sim.run("pct", ["create", "172", "local:vztmpl/bad.tar"]);
    expect(bad.code).toBe(255);
    expect(bad.stderr).toBe("unable to create CT 172 - Wrong media type\n");
  });
});
