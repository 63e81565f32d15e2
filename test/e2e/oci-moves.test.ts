// oci_container follows a container moved to another node between plan and apply, as
// lxc_container does (providers/lxc/snapshot-locate.ts): for a change of its OCI keys, for an
// image replacement that moves its data volume, and for a destroy. The move is what `pct
// migrate` leaves: the conf file and the container's volumes on the other node.
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initSim, readCalls } from "../../src/sim/index.js";
import type { StateFile } from "../../src/state/types.js";
import { BUILT, NOT_BUILT, Workdir } from "./helpers.js";
import { ociArchive, writeTar } from "../sim/tarwrite.js";

const NODES = ["pve1", "pve2", "pve3"];
const APP1 = "local:vztmpl/app-1.tar";
const APP2 = "local:vztmpl/app-2.tar";
const DATA_MARK = "pmxform-moved-data";

const config = (image: string, mode: string, node = "pve1") => `proxmox {
${NODES.map((n) => `  node "${n}" { sim = "sim" }\n`).join("")}}

resource "oci_container" "app" {
  node     = "${node}"
  image    = "${image}"
  hostname = "app"
  rootfs {
    storage = "local-lvm"
    size    = "1G"
  }
  env = {
    APP_MODE = "${mode}"
  }
  mount "data" {
    storage = "local-lvm"
    size    = "1G"
    path    = "/data"
  }
}
`;

describe.skipIf(!BUILT)(`oci_container moved between plan and apply${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  let sim: string;
  const app = (): { node: string; vmid: number } => {
    const a = (JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as StateFile).resources.find((r) => r.address === "oci_container.app")!.attributes;
    return { node: String(a["node"]), vmid: Number(a["vmid"]) };
  };
  const confOf = (node: string, vmid: number) => join(sim, `etc/pve/nodes/${node}/lxc/${vmid}.conf`);
  /** What pct migrate leaves: the conf and every volume of the container on the other node. */
  const migrate = (vmid: number, from: string, to: string): void => {
    renameSync(confOf(from, vmid), confOf(to, vmid));
    for (const v of readdirSync(join(sim, `nodes/${from}/lvm`)).filter((f) => f.startsWith(`vm-${vmid}-`))) renameSync(join(sim, `nodes/${from}/lvm/${v}`), join(sim, `nodes/${to}/lvm/${v}`));
  };
  const dataVolume = (node: string, vmid: number): string => join(sim, `nodes/${node}/lvm`, /^mp0: local-lvm:([^,]+),/m.exec(readFileSync(confOf(node, vmid), "utf8"))![1]!);
  const pctCalls = (since: number, sub: string): string[] =>
    readCalls(sim)
      .slice(since)
      .filter((c) => c.tool === "pct" && c.argv[0] === sub)
      .map((c) => `${c.node}:${c.argv[1]}:${c.exit}`);

  beforeAll(async () => {
    w = new Workdir("pmx-oci-moves-");
    sim = w.path("sim");
    initSim(sim, { nodes: NODES });
    // Two app images (as oci_image would have pulled them) on every node's template storage.
    for (const node of NODES) {
      for (const v of ["1", "2"])
        writeFileSync(
          join(sim, `nodes/${node}/var/lib/vz/template/cache/app-${v}.tar`),
          ociArchive({ Entrypoint: ["/app"], Env: [`VERSION=${v}`], Volumes: { "/data": {} } }, gzipSync(writeTar([{ name: "app", data: v }]))),
        );
    }
    w.write("main.pmx.hcl", config(APP1, "one"));
    const apply = await w.run("apply", "-auto-approve");
    expect(apply.stderr).toBe("");
    expect(apply.stdout).toContain("Apply complete! Resources: 1 added");
  });
  afterAll(() => w?.remove());

  it("follows it for a change of its environment, and the next plan follows it too", async () => {
    const { vmid } = app();
    w.write("main.pmx.hcl", config(APP1, "two"));
    expect((await w.run("plan", "-out=env.plan")).code).toBe(0);
    migrate(vmid, "pve1", "pve2");
    const apply = await w.run("apply", "env.plan");
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain(`oci_container.app: container ${vmid} moved from node pve1 to pve2 after the plan was made; following it there`);
    expect(readFileSync(confOf("pve2", vmid), "utf8")).toMatch(/^lxc\.environment\.runtime: APP_MODE=two$/m);
    expect(existsSync(confOf("pve1", vmid))).toBe(false);
    expect(app()).toEqual({ node: "pve2", vmid });
    // The configuration still names pve1: migrated back there (pct migrate), never re-created.
    const plan = await w.run("plan", "-detailed-exitcode");
    expect(plan.code).toBe(2);
    expect(plan.stderr).toContain("Container migrated outside pmxform");
    expect(plan.stdout).toMatch(/~ node\s+= "pve2" -> "pve1" # migrates/);
    expect(plan.stdout).not.toContain("forces replacement");
    // Naming the node it is on now: nothing to do.
    w.write("main.pmx.hcl", config(APP1, "two", "pve2"));
    expect((await w.run("plan", "-detailed-exitcode")).code).toBe(0);
  });

  it("follows it for an image replacement, moving the data volume to the new container on its node", async () => {
    const { vmid: old } = app();
    writeFileSync(dataVolume("pve2", old), DATA_MARK);
    w.write("main.pmx.hcl", config(APP2, "two", "pve2"));
    const plan = await w.run("plan", "-out=image.plan");
    expect(plan.stdout).toContain("oci_container.app must be replaced");
    migrate(old, "pve2", "pve3");
    const before = readCalls(sim).length;
    const apply = await w.run("apply", "image.plan");
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain(`oci_container.app: container ${old} moved from node pve2 to pve3 after the plan was made; following it there`);
    const now = app();
    expect(now.node).toBe("pve3");
    expect(now.vmid).not.toBe(old);
    expect(pctCalls(before, "create").map((c) => c.split(":")[0])).toEqual(["pve3"]);
    expect(pctCalls(before, "destroy")).toEqual([`pve3:${old}:0`]);
    expect(readFileSync(dataVolume("pve3", now.vmid), "utf8")).toBe(DATA_MARK);
    expect([...readdirSync(join(sim, "etc/pve/nodes/pve1/lxc")), ...readdirSync(join(sim, "etc/pve/nodes/pve2/lxc"))]).toEqual([]);
    w.write("main.pmx.hcl", config(APP2, "two", "pve3"));
    expect((await w.run("plan", "-detailed-exitcode")).code).toBe(0);
  });

  it("follows it for a destroy", async () => {
    const { vmid } = app();
    w.write("main.pmx.hcl", `proxmox {\n${NODES.map((n) => `  node "${n}" { sim = "sim" }\n`).join("")}}\n`);
    expect((await w.run("plan", "-out=destroy.plan")).code).toBe(0);
    migrate(vmid, "pve3", "pve1");
    const before = readCalls(sim).length;
    const apply = await w.run("apply", "destroy.plan");
    expect(apply.code).toBe(0);
    // The ownership check reads the conf first: its absence on pve3 finds the container, so pct
    // destroy runs once, where the container is.
    expect(pctCalls(before, "destroy")).toEqual([`pve1:${vmid}:0`]);
    expect(existsSync(confOf("pve1", vmid))).toBe(false);
    expect((JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as StateFile).resources).toEqual([]);
  });
});
