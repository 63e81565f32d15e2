// Every catalog entry validates with the real loader and plans against the simulator, each app
// directory loaded as a root configuration with its required variables supplied (the same
// loader a module call uses; catalog-modules.test.ts calls them as modules once modules exist).
// Bad inputs are refused with the app's own validation messages, pointing at its variables file.
import { afterAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, type Workdir } from "../e2e/helpers.js";
import { appAsRoot, catalogEntries, requiredVars } from "./helpers.js";

const dirs: Workdir[] = [];
afterAll(() => dirs.forEach((d) => d.remove()));

describe.skipIf(!BUILT)(`every catalog app as a root configuration${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  for (const app of catalogEntries()) {
    it(`${app.name}: validates, and plans its resources against the simulator with the required inputs set`, async () => {
      const w = appAsRoot(app.name);
      dirs.push(w);
      const v = await w.run("validate");
      expect(v.stderr).toBe("");
      expect(v.code).toBe(0);
      const plan = await w.run("plan", "-detailed-exitcode", ...(await requiredVars(app.dir)));
      expect(plan.code, plan.stdout + plan.stderr).toBe(2);
      // A tag-only image (no verified digest) is looked up at plan time; the test machine has no
      // route to its registry, so that lookup may only warn (apply would resolve it).
      if (app.digest === null) expect(plan.stderr.replace(/Warning: Could not resolve the image[\s\S]*?(?=\nWarning:|\nError:|$)/g, "").trim()).toBe("");
      else expect(plan.stderr).toBe("");
      expect(plan.stdout).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy\./);
      expect(plan.stdout).toContain("+ url");
      // Secrets never appear in a plan.
      expect(plan.stdout).not.toContain("Sample0Secret0Value");
    }, 90_000);
  }

  it("a required secret left out is a clear error naming how to set it", async () => {
    const w = appAsRoot("vaultwarden");
    dirs.push(w);
    const r = await w.run("plan", "-var", "node=pve1");
    expect(r.code).toBe(0); // vaultwarden has no required secret: the admin page stays off
    const g = appAsRoot("grafana");
    dirs.push(g);
    const e = await g.run("plan", "-var", "node=pve1");
    expect(e.code).toBe(1);
    expect(e.stderr).toContain("No value for required variable");
    expect(e.stderr).toContain("admin_password");
  }, 90_000);

  it("refuses bad inputs with the app's validation message at its variables file", async () => {
    const w = appAsRoot("jellyfin");
    dirs.push(w);
    const ip = await w.run("plan", "-var", "node=pve1", "-var", "media_path=/tank/media", "-var", "ip=192.0.2.10");
    expect(ip.code).toBe(1);
    expect(ip.stderr).toContain('ip must be "dhcp" or an address in CIDR notation');
    expect(ip.stderr).toContain("variables.pmx.hcl");
    const gpu = await w.run("plan", "-var", "node=pve1", "-var", "media_path=/tank/media", "-var", "gpu=nvidia");
    expect(gpu.code).toBe(1);
    expect(gpu.stderr).toContain("gpu must be null or one of intel, amd");
    const im = appAsRoot("immich");
    dirs.push(im);
    const pw = await im.run("plan", "-var", "node=pve1", "-var", "db_password=has spaces!");
    expect(pw.code).toBe(1);
    expect(pw.stderr).toContain("db_password must use only letters and digits");
    expect(pw.stderr).not.toContain("has spaces!");
  }, 90_000);

  it("immich without machine learning plans three containers and tells the server so", async () => {
    const w = appAsRoot("immich");
    dirs.push(w);
    const r = await w.run("plan", "-var", "node=pve1", "-var", "db_password=Sample0Secret0Value", "-var", "machine_learning=false");
    expect(r.code, r.stderr).toBe(0);
    const addrs = [...r.stdout.matchAll(/# (\S+) will be created/g)].map((m) => m[1]);
    expect(addrs.sort()).toEqual(["oci_container.postgres", "oci_container.redis", "oci_container.server", "oci_image.postgres", "oci_image.redis", "oci_image.server"]);
    expect(r.stdout).toContain("Plan: 6 to add");
  }, 90_000);
});
