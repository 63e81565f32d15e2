// oci_container import end to end: an application container created by pmxform from an image in
// a real local registry (skopeo), forgotten with state rm, adopted by import --all with generated
// configuration (HCL), which validates and re-plans as No changes, also once the real image is set,
// and imported again one by one into that block.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "./helpers.js";
import { HAVE_REGISTRY_TOOLS, NO_REGISTRY_TOOLS, pushImage, startRegistry, type Registry } from "../helpers/registry.js";

const SKIP = !BUILT ? NOT_BUILT : !HAVE_REGISTRY_TOOLS ? NO_REGISTRY_TOOLS : "";

const image = (host: string) => `resource "oci_image" "app" {
  node       = "pve1"
  storage    = "local"
  reference  = "${host}/pmx/imp:1"
  tls_verify = false
}
`;
const app = `resource "oci_container" "app" {
  node        = "pve1"
  image       = oci_image.app.volid
  hostname    = "app"
  entrypoint  = ["/bin/app", "--greeting", "hello world"]
  env         = { APP_MODE = "prod" }
  working_dir = "/srv"
  user        = "1000:1000"
  rootfs {
    storage = "local-lvm"
    size    = "2G"
  }
  network "eth0" {
    bridge = "vmbr0"
    ip     = "dhcp"
  }
  mount "data" {
    storage = "local-lvm"
    size    = "1G"
    path    = "/data"
  }
  started = true
}
`;

describe.skipIf(SKIP !== "")(`oci_container import${SKIP ? ` (skipped: ${SKIP})` : ""}`, () => {
  let reg: Registry;
  let w: Workdir;
  beforeAll(async () => {
    reg = await startRegistry();
    w = new Workdir("pmx-e2e-import-oci-");
  });
  afterAll(async () => {
    await reg?.stop();
    w?.remove();
  });

  it("create -> state rm -> import --all -> validate -> plan = No changes, and the real image is adopted without a replace", async () => {
    await pushImage(reg, "pmx/imp", "1", { entrypoint: ["/bin/app"], env: ["PATH=/bin"], volumes: ["/data"] });
    w.write("main.pmx.hcl", SIM_NODE + image(reg.host) + app);
    const apply = await w.run("apply", "--auto-approve");
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    const vmid = (JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: { type: string; attributes: { vmid: number } }[] }).resources.find((r) => r.type === "oci_container")!
      .attributes.vmid;

    expect((await w.run("state", "rm", "oci_container.app")).code).toBe(0);
    w.write("main.pmx.hcl", SIM_NODE + image(reg.host));
    const imp = await w.run("import", "--all", "--generate-config-out", "imported.pmx.hcl");
    expect(imp.stderr).toBe("");
    expect(imp.code).toBe(0);
    expect(imp.stdout).toContain(`oci_container.app: Importing from ID "pve1/${vmid}"...`);
    const generated = readFileSync(w.path("imported.pmx.hcl"), "utf8");
    expect(generated).toContain('resource "oci_container" "app" {');
    expect(generated).toContain('image        = "local:vztmpl/unknown-at-import.tar"');
    expect(generated).toMatch(/entrypoint\s+= \["\/bin\/app", "--greeting", "hello world"\]/);
    expect(generated).toMatch(/APP_MODE = "prod"/);
    expect(generated).toMatch(/PATH\s+= "\/bin"/);
    expect(generated).toMatch(/user\s+= "1000:1000"/);
    expect((await w.run("validate")).code).toBe(0);
    const plan = await w.run("plan", "--detailed-exitcode");
    expect(plan.stdout + plan.stderr, generated).toContain("No changes.");
    expect(plan.code).toBe(0);

    // Setting the real image adopts it: no replacement, since pct never recorded one.
    w.write("imported.pmx.hcl", generated.replace('"local:vztmpl/unknown-at-import.tar"', "oci_image.app.volid"));
    const again = await w.run("plan", "--detailed-exitcode");
    expect(again.stdout + again.stderr).toContain("No changes.");
    expect(again.code).toBe(0);

    // One by one into the existing block, and refused as lxc_container's counterpart would be.
    expect((await w.run("state", "rm", "oci_container.app")).code).toBe(0);
    const one = await w.run("import", "oci_container.app", `pve1/${vmid}`);
    expect(one.stderr).toBe("");
    expect(one.code).toBe(0);
    expect((await w.run("plan", "--detailed-exitcode")).code).toBe(0);
  });
});
