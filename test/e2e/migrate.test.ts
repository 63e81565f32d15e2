// A `node` change of an existing container is a `pct migrate` (issue 22 defect 2), through the CLI
// on a two-node simulator: the defect's scenario (a container migrated between plan and apply is
// followed, then must not be re-created), offline and restart migrations that keep the rootfs
// data, the plan-time refusal for a running container without permission, a storage mapping, and
// a bind mount pct migrate refuses.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initSim, readCalls } from "../../src/sim/index.js";
import type { StateFile } from "../../src/state/types.js";
import { gzipSync } from "node:zlib";
import { BUILT, NOT_BUILT, Workdir } from "./helpers.js";
import { ociArchive, writeTar } from "../sim/tarwrite.js";

const NODES = ["pve1", "pve2"];
const DATA = "rootfs data written inside the container";

interface Ct {
  vmid: number;
  node: string;
  storage?: string;
  started?: boolean;
  restart?: boolean;
  bind?: boolean;
  memory?: number;
  kind?: "lxc_container" | "oci_container";
}

const resource = (name: string, c: Ct): string => `resource "${c.kind ?? "lxc_container"}" "${name}" {
  node     = "${c.node}"
  vmid     = ${c.vmid}
  hostname = "${name}"
  memory   = ${c.memory ?? 256}
  ${c.kind === "oci_container" ? `image    = "local:vztmpl/app.tar"` : `template = "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz"`}
${c.started !== undefined ? `  started  = ${c.started}\n` : ""}${c.restart ? "  restart_on_change = true\n" : ""}  rootfs {
    storage = "${c.storage ?? "local-lvm"}"
    size    = "1G"
  }
${c.bind ? `  mount "share" {\n    host_path = "/srv/share"\n    path      = "/share"\n  }\n` : ""}}
`;

// Each case runs the CLI 5-10 times; on a loaded 2-core machine that can pass the default 60 s.
describe.skipIf(!BUILT)(`node changes migrate containers${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  let sim: string;
  const write = (cts: Record<string, Ct>): void => {
    const proxmox = `proxmox {\n${NODES.map((n) => `  node "${n}" { sim = "sim" }\n`).join("")}}\n`;
    w.write(
      "main.pmx.hcl",
      proxmox +
        Object.entries(cts)
          .map(([n, c]) => resource(n, c))
          .join(""),
    );
  };
  const confOf = (node: string, vmid: number) => join(sim, `etc/pve/nodes/${node}/lxc/${vmid}.conf`);
  const rootfsVolume = (node: string, vmid: number): string => /^rootfs: ([^,]+),/m.exec(readFileSync(confOf(node, vmid), "utf8"))![1]!;
  /** The file behind a volume id of the simulator (lvmthin: nodes/N/lvm/NAME; dir: .../images/VMID/NAME). */
  const volumeFile = (node: string, volid: string): string => {
    const [storage, volname] = volid.split(":") as [string, string];
    return storage === "local-lvm" ? join(sim, `nodes/${node}/lvm`, volname) : join(sim, `nodes/${node}/var/lib/vz/images`, volname);
  };
  const writeData = (node: string, vmid: number): void => writeFileSync(volumeFile(node, rootfsVolume(node, vmid)), DATA);
  const dataOf = (node: string, vmid: number): string => readFileSync(volumeFile(node, rootfsVolume(node, vmid)), "utf8");
  const stateOf = (address: string) => (JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as StateFile).resources.find((r) => r.address === address)!.attributes;
  const pctOn = (node: string, ...args: string[]) => execFileSync(join(sim, "bin/pct"), args, { encoding: "utf8", env: { ...process.env, PMXSIM_NODE: node } });
  const calls = (since: number, verb: string) =>
    readCalls(sim)
      .slice(since)
      .filter((c) => c.tool === "pct" && c.argv[0] === verb)
      .map((c) => `${c.node}:${c.argv.slice(1).join(" ")}:${c.exit}`);

  beforeAll(() => {
    w = new Workdir("pmx-migrate-");
    sim = w.path("sim");
    initSim(sim, { nodes: NODES });
    // An application image (as oci_image would have pulled it) on each node's template storage.
    for (const node of NODES)
      writeFileSync(join(sim, `nodes/${node}/var/lib/vz/template/cache/app.tar`), ociArchive({ Entrypoint: ["/app"], Env: ["V=1"] }, gzipSync(writeTar([{ name: "app", data: "1" }]))));
  }, 180_000);
  afterAll(() => w?.remove());
  const proxmoxOnly = (): string => `proxmox {\n${NODES.map((n) => `  node "${n}" { sim = "sim" }\n`).join("")}}\n`;

  it("the defect: a container migrated between plan and apply is followed; re-plans migrate, never replace", async () => {
    write({ ct: { vmid: 112, node: "pve1" } });
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    writeData("pve1", 112);
    write({ ct: { vmid: 112, node: "pve1", memory: 512 } });
    expect((await w.run("plan", "-out=p")).code).toBe(0);
    pctOn("pve1", "migrate", "112", "pve2"); // outside pmxform
    const apply = await w.run("apply", "p");
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain("container 112 moved from node pve1 to pve2 after the plan was made; following it there");
    expect(stateOf("lxc_container.ct")).toMatchObject({ node: "pve2", memory: 512, migrated_from: "pve1" });

    // The configuration still names pve1: a migration back, not a destroy and create.
    const back = await w.run("plan", "-out=back");
    expect(back.code).toBe(0);
    expect(back.stdout).not.toContain("forces replacement");
    expect(back.stdout).toContain("lxc_container.ct will be updated in-place");
    expect(back.stdout).toMatch(/~ node\s+= "pve2" -> "pve1" # migrates/);
    expect(back.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
    expect(back.stderr).toContain("this plan migrates it back to pve1");

    // The configuration naming where it is now: nothing to do.
    write({ ct: { vmid: 112, node: "pve2", memory: 512 } });
    const here = await w.run("plan", "-detailed-exitcode");
    expect(here.stderr).toBe("");
    expect(here.code).toBe(0);

    // And back to pve1 for real: pct migrate, the rootfs and its data go along.
    write({ ct: { vmid: 112, node: "pve1", memory: 512 } });
    const before = readCalls(sim).length;
    const moved = await w.run("apply", "-auto-approve");
    expect(moved.code).toBe(0);
    expect(calls(before, "migrate")).toEqual(["pve2:112 pve1:0"]);
    expect(calls(before, "create")).toEqual([]);
    expect(calls(before, "destroy")).toEqual([]);
    expect(dataOf("pve1", 112)).toBe(DATA);
    expect(existsSync(confOf("pve2", 112))).toBe(false);
    expect(stateOf("lxc_container.ct")["migrated_from"]).toBeUndefined();
    expect((await w.run("plan", "-detailed-exitcode")).code).toBe(0);
  }, 180_000);

  it("a saved migration applied after the container was changed outside refuses as stale and undoes nothing", async () => {
    write({ stale: { vmid: 170, node: "pve1" } });
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    write({ stale: { vmid: 170, node: "pve2" } });
    const plan = await w.run("plan", "-out=m");
    expect(plan.stdout).toMatch(/~ node\s+= "pve1" -> "pve2" # migrates/);
    expect(plan.stdout).not.toContain("memory");
    pctOn("pve1", "set", "170", "--memory", "2048"); // outside pmxform, after the plan
    const before = readCalls(sim).length;
    const apply = await w.run("apply", "m");
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('lxc_container.stale: the container was changed outside pmxform since the plan was made. Run "pmxform plan" again.');
    expect(calls(before, "migrate")).toEqual([]);
    expect(readFileSync(confOf("pve1", 170), "utf8")).toMatch(/^memory: 2048$/m);
    write({});
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
  }, 180_000);

  it("migrates a stopped container offline and a running one with restart_on_change, keeping the rootfs", async () => {
    write({ off: { vmid: 120, node: "pve1" }, on: { vmid: 121, node: "pve1", started: true, restart: true } });
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    writeData("pve1", 120);
    writeData("pve1", 121);
    write({ off: { vmid: 120, node: "pve2" }, on: { vmid: 121, node: "pve2", started: true, restart: true } });
    const plan = await w.run("plan");
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/~ node\s+= "pve1" -> "pve2" # migrates/);
    expect(plan.stdout).toContain("moves from node pve1 to pve2 with pct migrate, offline");
    expect(plan.stdout).toContain("moves from node pve1 to pve2 with pct migrate --restart");
    expect(plan.stdout).toContain("Plan: 0 to add, 2 to change, 0 to destroy.");
    const before = readCalls(sim).length;
    const apply = await w.run("apply", "-auto-approve");
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    expect(calls(before, "migrate").sort()).toEqual(["pve1:120 pve2:0", "pve1:121 pve2 --restart 1:0"]);
    expect(dataOf("pve2", 120)).toBe(DATA);
    expect(dataOf("pve2", 121)).toBe(DATA);
    expect(pctOn("pve2", "status", "121")).toBe("status: running\n");
    expect(pctOn("pve2", "status", "120")).toBe("status: stopped\n");
    expect(stateOf("lxc_container.on")).toMatchObject({ node: "pve2", started: true });
    const again = await w.run("plan", "-detailed-exitcode");
    expect(again.stdout).toContain("No changes.");
    expect(again.code).toBe(0);
  }, 180_000);

  it("refuses at plan time to move a running container without permission to restart it", async () => {
    write({ run: { vmid: 130, node: "pve1", started: true } });
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    write({ run: { vmid: 130, node: "pve2", started: true } });
    const plan = await w.run("plan");
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain("Error: Moving a running container needs a restart");
    expect(plan.stderr).toContain("Set restart_on_change = true to allow that, or started = false");
    // Stopping it in the same change is allowed: stopped first, then moved offline.
    write({ run: { vmid: 130, node: "pve2", started: false } });
    const before = readCalls(sim).length;
    const apply = await w.run("apply", "-auto-approve");
    expect(apply.code).toBe(0);
    expect(calls(before, "stop")).toEqual(["pve1:130:0"]);
    expect(calls(before, "migrate")).toEqual(["pve1:130 pve2:0"]);
    expect((await w.run("plan", "-detailed-exitcode")).code).toBe(0);
  }, 180_000);

  it("maps the storages the configuration gives onto pct migrate --target-storage", async () => {
    write({ st: { vmid: 140, node: "pve1" } });
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    writeData("pve1", 140);
    write({ st: { vmid: 140, node: "pve2", storage: "local" } });
    const plan = await w.run("plan");
    expect(plan.stdout).toContain("volumes move from storage local-lvm to local");
    expect(plan.stdout).not.toContain("pct move-volume");
    const before = readCalls(sim).length;
    const apply = await w.run("apply", "-auto-approve");
    expect(apply.stderr).toBe("");
    expect(calls(before, "migrate")).toEqual(["pve1:140 pve2 --target-storage local-lvm:local:0"]);
    expect(calls(before, "move-volume")).toEqual([]);
    expect(rootfsVolume("pve2", 140)).toBe("local:140/vm-140-disk-0.raw");
    expect(dataOf("pve2", 140)).toBe(DATA);
    expect(stateOf("lxc_container.st")).toMatchObject({ node: "pve2", rootfs: { storage: "local", volume: "local:140/vm-140-disk-0.raw" } });
    expect((await w.run("plan", "-detailed-exitcode")).code).toBe(0);
  }, 180_000);

  it("refuses a local bind mount as pct migrate does, at plan time", async () => {
    write({ bound: { vmid: 150, node: "pve1", bind: true } });
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    write({ bound: { vmid: 150, node: "pve2", bind: true } });
    const plan = await w.run("plan");
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain("Error: Cannot migrate a local bind mount");
    expect(plan.stderr).toContain("cannot migrate local bind mount point 'mp0'");
    // The simulator refuses it the same way.
    const refused = spawnSync(join(sim, "bin/pct"), ["migrate", "150", "pve2"], { encoding: "utf8", env: { ...process.env, PMXSIM_NODE: "pve1" } });
    expect(refused.status).toBe(255);
    expect(refused.stderr).toBe("migration aborted\n");
    expect(refused.stdout).toMatch(/ERROR: cannot migrate local bind mount point 'mp0'\n/);
    expect(existsSync(confOf("pve1", 150))).toBe(true);
  }, 180_000);

  it("migrates an oci_container the same way, its environment and data kept", async () => {
    write({ app: { vmid: 160, node: "pve1", kind: "oci_container" } });
    const created = await w.run("apply", "-auto-approve");
    expect(created.code).toBe(0);
    writeData("pve1", 160);
    write({ app: { vmid: 160, node: "pve2", kind: "oci_container" } });
    const plan = await w.run("plan");
    expect(plan.stdout).toContain("oci_container.app will be updated in-place");
    expect(plan.stdout).toMatch(/~ node\s+= "pve1" -> "pve2" # migrates/);
    const before = readCalls(sim).length;
    const apply = await w.run("apply", "-auto-approve");
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    expect(calls(before, "migrate")).toEqual(["pve1:160 pve2:0"]);
    expect(calls(before, "create")).toEqual([]);
    expect(dataOf("pve2", 160)).toBe(DATA);
    expect(readFileSync(confOf("pve2", 160), "utf8")).toMatch(/^entrypoint: \/app$/m);
    expect(stateOf("oci_container.app")).toMatchObject({ node: "pve2" });
    expect((await w.run("plan", "-detailed-exitcode")).code).toBe(0);
  }, 180_000);

  it("a node change with an image change keeps the data volume and does not list it as deleted", async () => {
    for (const node of NODES)
      writeFileSync(join(sim, `nodes/${node}/var/lib/vz/template/cache/app2.tar`), ociArchive({ Entrypoint: ["/app"], Env: ["V=2"] }, gzipSync(writeTar([{ name: "app", data: "2" }]))));
    const app = (node: string, image: string) =>
      `proxmox {\n${NODES.map((n) => `  node "${n}" { sim = "sim" }\n`).join("")}}\nresource "oci_container" "data" {\n  node  = "${node}"\n  image = "local:vztmpl/${image}"\n  rootfs {\n    storage = "local-lvm"\n    size    = "1G"\n  }\n  mount "data" {\n    storage = "local-lvm"\n    size    = "1G"\n    path    = "/data"\n  }\n}\n`;
    w.write("main.pmx.hcl", app("pve1", "app.tar"));
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    const mp0 = (node: string, vmid: number) => /^mp0: ([^,]+),/m.exec(readFileSync(confOf(node, vmid), "utf8"))![1]!;
    const oldVmid = stateOf("oci_container.data")["vmid"] as number;
    writeFileSync(volumeFile("pve1", mp0("pve1", oldVmid)), DATA);
    w.write("main.pmx.hcl", app("pve2", "app2.tar"));
    const plan = await w.run("plan");
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`the data volume local-lvm:vm-${oldVmid}-disk-1 (mount "data") moves to the new container`);
    expect(plan.stdout + plan.stderr).not.toContain("deletes a volume");
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    const newVmid = stateOf("oci_container.data")["vmid"] as number;
    expect(readFileSync(volumeFile("pve2", mp0("pve2", newVmid)), "utf8")).toBe(DATA);
    // Every step finished: no intent of the migration stays behind in the state.
    expect((JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as StateFile).intents).toBeUndefined();
    expect((await w.run("plan", "-detailed-exitcode")).code).toBe(0);
    w.write("main.pmx.hcl", proxmoxOnly());
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
  }, 180_000);
});
