// The plan is the contract for OCI too, through the CLI on the simulator and a real registry: a
// saved plan's oci_image pull and oci_container OCI keys are carried out as the plan file holds
// them though the files the configuration reads changed since; a plan without those steps (an
// earlier version's) or with a garbled one is refused before anything runs; and the conf edit of
// env/lxc.init.* never overwrites a pct write another person made after pmxform read the conf.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planChecksum } from "../../src/plan/file.js";
import type { PlanFile } from "../../src/plan/types.js";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, simCalls } from "./helpers.js";
import { HAVE_REGISTRY_TOOLS, NO_REGISTRY_TOOLS, pushImage, startRegistry, type Registry } from "../helpers/registry.js";
import { runHeldAt } from "../helpers/gate.js";

const SKIP = !BUILT ? NOT_BUILT : !HAVE_REGISTRY_TOOLS ? NO_REGISTRY_TOOLS : "";
const VMID = 181;

const config = (host: string) => `${SIM_NODE}
resource "oci_image" "app" {
  node       = "pve1"
  storage    = "local"
  reference  = "${host}/pmx/contract:1"
  file_name  = trimspace(file("image-name.txt"))
  tls_verify = false
}

resource "oci_container" "app" {
  node        = "pve1"
  vmid        = ${VMID}
  image       = oci_image.app.volid
  hostname    = "app"
  working_dir = trimspace(file("cwd.txt"))
  user        = trimspace(file("user.txt"))
  env = {
    APP_MODE = trimspace(file("mode.txt"))
  }
  rootfs {
    storage = "local-lvm"
    size    = "1G"
  }
  started = false
}
`;

interface Op {
  op: string;
  [k: string]: unknown;
}
type Plan = PlanFile & { changes: { address: string; operations?: Op[] }[] };

describe.skipIf(SKIP !== "")(`OCI plans are the contract${SKIP ? ` (skipped: ${SKIP})` : ""}`, () => {
  let reg: Registry;
  let w: Workdir;
  const tpl = () => join(w.dir, "sim/nodes/pve1/var/lib/vz/template/cache");
  const conf = () => readFileSync(w.path(`sim/etc/pve/nodes/pve1/lxc/${VMID}.conf`), "utf8");
  const inputs = (v: { name: string; cwd: string; user: string; mode: string }) => {
    w.write("image-name.txt", `${v.name}\n`);
    w.write("cwd.txt", `${v.cwd}\n`);
    w.write("user.txt", `${v.user}\n`);
    w.write("mode.txt", `${v.mode}\n`);
  };
  const readPlan = (file: string) => JSON.parse(readFileSync(w.path(file), "utf8")) as Plan;
  /** The plan with `edit` applied to its changes and a checksum that matches again (an earlier version's file). */
  const rewritten = (plan: Plan, file: string, edit: (c: Plan["changes"][number]) => void) => {
    const copy = structuredClone(plan);
    for (const c of copy.changes) edit(c);
    writeFileSync(w.path(file), JSON.stringify({ ...copy, checksum: planChecksum(copy) }, null, 2));
  };
  beforeAll(async () => {
    reg = await startRegistry();
    w = new Workdir("pmx-e2e-oci-contract-");
    await pushImage(reg, "pmx/contract", "1", { entrypoint: ["/bin/app"], env: ["PATH=/bin"], workingDir: "/opt/image" });
    w.write("main.pmx.hcl", config(reg.host));
  });
  afterAll(async () => {
    await reg?.stop();
    w?.remove();
  });

  it("a saved plan without the pull step, or with a garbled one, is refused before anything is pulled or created", async () => {
    inputs({ name: "reviewed", cwd: "/srv/reviewed", user: "1000:1000", mode: "reviewed" });
    expect((await w.run("plan", "--out", "plan.out")).code).toBe(0);
    const plan = readPlan("plan.out");
    rewritten(plan, "old.out", (c) => delete c.operations);
    const old = await w.run("apply", "old.out");
    expect(old.code).toBe(1);
    expect(old.stderr).toContain('oci_image.app: the plan carries no pull step for this image (it was made by an earlier pmxform version). Nothing was done; run "pmxform plan" again.');
    // A refused apply still ends a run (the state serial moves on): a fresh plan for the next file.
    expect((await w.run("plan", "--out", "plan.out")).code).toBe(0);
    rewritten(readPlan("plan.out"), "garbled.out", (c) => {
      if (c.address === "oci_image.app") c.operations = [{ ...c.operations![0]!, digest: "sha256:not-a-digest" }];
    });
    const garbled = await w.run("apply", "garbled.out");
    expect(garbled.code).toBe(1);
    expect(garbled.stderr).toContain("oci_image.app: the plan holds a pull step this pmxform cannot carry out");
    expect(existsSync(tpl()) ? readdirSync(tpl()).filter((f) => f.startsWith("reviewed") || f.endsWith(".tmp")) : []).toEqual([]);
    expect(simCalls(w).filter((c) => c.tool === "pct" && c.argv[0] === "create")).toEqual([]);
  });

  it("a saved plan pulls and writes what it showed, though the files the configuration reads changed since", async () => {
    inputs({ name: "reviewed", cwd: "/srv/reviewed", user: "1000:1000", mode: "reviewed" });
    expect((await w.run("plan", "--out", "plan2.out")).code).toBe(0);
    const plan = readPlan("plan2.out");
    const pull = plan.changes.find((c) => c.address === "oci_image.app")!.operations!;
    expect(pull).toEqual([
      expect.objectContaining({
        op: "pull",
        reference: `${reg.host}/pmx/contract:1`,
        node: "pve1",
        storage: "local",
        platform: "amd64",
        file_name: "reviewed",
        tls_verify: false,
        auth: { mode: "none" },
      }),
    ]);
    const keys = plan.changes.find((c) => c.address === "oci_container.app")!.operations!.find((o) => o.op === "oci_keys");
    expect(keys).toMatchObject({ env: { APP_MODE: "reviewed" }, working_dir: "/srv/reviewed", user: "1000:1000" });

    inputs({ name: "sneaky", cwd: "/srv/sneaky", user: "6666", mode: "sneaky" });
    const r = await w.run("apply", "plan2.out");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readdirSync(tpl())).toContain("reviewed.tar");
    expect(readdirSync(tpl()).filter((f) => f.startsWith("sneaky"))).toEqual([]);
    const text = conf();
    expect(text).toMatch(/^lxc\.init\.cwd: \/srv\/reviewed$/m);
    expect(text).toMatch(/^lxc\.init\.uid: 1000$/m);
    expect(text).toMatch(/^lxc\.init\.gid: 1000$/m);
    expect(text).toMatch(/^lxc\.environment\.runtime: APP_MODE=reviewed$/m);
    expect(text).not.toContain("sneaky");
    expect(text).not.toContain("6666");
  }, 180_000);

  it("an older plan whose oci_keys step lacks working_dir and user is refused", async () => {
    inputs({ name: "reviewed", cwd: "/srv/next", user: "1000:1000", mode: "reviewed" });
    expect((await w.run("plan", "--out", "update.out")).code).toBe(0);
    const plan = readPlan("update.out");
    const ops = plan.changes.find((c) => c.address === "oci_container.app")!.operations!;
    expect(ops.find((o) => o.op === "oci_keys")).toMatchObject({ working_dir: "/srv/next" });
    rewritten(plan, "old-keys.out", (c) => {
      for (const o of c.operations ?? []) {
        if (o.op !== "oci_keys") continue;
        delete o["working_dir"];
        delete o["user"];
      }
    });
    const before = conf();
    const r = await w.run("apply", "old-keys.out");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("oci_container.app: the plan holds an operation this pmxform cannot carry out");
    expect(r.stderr).toContain('Nothing was done; run "pmxform plan" again.');
    expect(conf()).toBe(before);
  });

  it("a pct write made by another person between pmxform's read of the conf and its env edit is kept: the edit is refused", async () => {
    inputs({ name: "reviewed", cwd: "/srv/reviewed", user: "1000:1000", mode: "next" });
    // Held at the locked write of the conf edit, after pmxform read the conf it edits.
    const held = await runHeldAt(w.path("sim"), { tool: "flock" }, w.dir, ["apply", "-auto-approve"]);
    execFileSync(w.path("sim/bin/pct"), ["set", String(VMID), "--memory", "1024"]);
    held.open();
    const r = await held.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("oci_container.app: the container's configuration was changed outside pmxform");
    expect(r.stderr).toContain("pmxform plan");
    const text = conf();
    expect(text).toContain("memory: 1024");
    expect(text).toMatch(/^lxc\.environment\.runtime: APP_MODE=reviewed$/m);
    // Planned again, the edit goes through over the conf as it is now.
    const again = await w.run("apply", "-auto-approve");
    expect(again.stderr).toBe("");
    expect(conf()).toMatch(/^lxc\.environment\.runtime: APP_MODE=next$/m);
  }, 180_000);
});
