// Examples a newcomer can copy (issue 16 item 13, in part): every example directory validates,
// and each that needs no outside service applies to the simulator and re-plans as No changes.
// oci-app pulls from a registry: it applies against a local docker-registry holding a stand-in
// image at the reference it names (its `registry` variable points there, as docs/oci.md says);
// without skopeo and docker-registry it is validated only.
import { appendFileSync, cpSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, ROOT, Workdir } from "../e2e/helpers.js";
import { HAVE_REGISTRY_TOOLS, pushImage, startRegistry, type Registry } from "../helpers/registry.js";

const EXAMPLES = readdirSync(join(ROOT, "examples"), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
/** Examples that pull images, with the `-var` that points them at the test registry. */
const NEEDS_REGISTRY = new Set(["oci-app", "nas-and-media"]);
/** Examples whose simulator needs more than `sim init` gives (their header comment says so). */
const SIM_INIT: Record<string, string[]> = { "nas-and-media": ["--zfs-pool", "tank"] };
const validatedOnly = (name: string) => NEEDS_REGISTRY.has(name) && !HAVE_REGISTRY_TOOLS;

describe.skipIf(!BUILT)(`examples${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  const dirs: Workdir[] = [];
  let reg: Registry | undefined;
  beforeAll(async () => {
    if (!HAVE_REGISTRY_TOOLS) return;
    reg = await startRegistry();
    // The image oci-app names (pmx/app:1): a stand-in with the app's entrypoint and data volume.
    await pushImage(reg, "pmx/app", "1", { entrypoint: ["/bin/app"], env: ["PATH=/bin"], volumes: ["/data"] });
    // nas-and-media's Jellyfin: a stand-in with the real image's entrypoint and volumes.
    await pushImage(reg, "jellyfin/jellyfin", "10", { entrypoint: ["/jellyfin/jellyfin"], env: ["PATH=/bin"], volumes: ["/config", "/cache"] });
  }, 60_000);
  afterAll(async () => {
    dirs.forEach((d) => d.remove());
    await reg?.stop();
  });

  for (const name of EXAMPLES) {
    it(`examples/${name} ${validatedOnly(name) ? "validates (no skopeo/docker-registry)" : "validates, applies to the simulator and re-plans as No changes"}`, async () => {
      const w = new Workdir();
      dirs.push(w);
      cpSync(join(ROOT, "examples", name), w.dir, { recursive: true, filter: (src) => !/\.pmxform-sim|pmxform\.state|\/sim$/.test(src) });
      const v = await w.run("validate");
      expect(v.stderr).toBe("");
      expect(v.code).toBe(0);
      if (validatedOnly(name)) return;
      if (SIM_INIT[name]) expect((await w.run("sim", "init", ".pmxform-sim", ...SIM_INIT[name])).code).toBe(0);
      // The one-time step its header asks of the user for the SMB share: smb.conf ends with pmxform's include.
      if (name === "nas-and-media") appendFileSync(join(w.dir, ".pmxform-sim/nodes/pve1/etc/samba/smb.conf"), "include = /etc/samba/pmxform.conf\n");
      const vars = NEEDS_REGISTRY.has(name) ? ["-var", `registry=${reg?.host}`] : [];
      const apply = await w.run("apply", "-auto-approve", ...vars);
      expect(apply.code, apply.stderr).toBe(0);
      const again = await w.run("plan", "-detailed-exitcode", ...vars);
      expect(again.code, again.stdout + again.stderr).toBe(0);
    }, 120_000);
  }
});
