// Terraform's flags and refusals (issue 16 item 4): -input=false, -lock=false, -compact-warnings
// accepted; state list ADDR filters; version [-json]; unparsable -target/-replace, a -replace that
// matches nothing and contradictory mode options refused before any work; targeting warned.
import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, container } from "../e2e/helpers.js";

describe.skipIf(!BUILT)(`Terraform's flags${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeAll(async () => {
    w = new Workdir();
    w.write("main.pmx.hcl", SIM_NODE + container("web", `  vmid     = 190\n  hostname = "web"`) + container("db", `  vmid     = 191\n  hostname = "db"`));
    expect((await w.run("apply", "-auto-approve", "-input=false")).code).toBe(0);
  }, 60_000);
  afterAll(() => w.remove());

  it.each([
    [["plan", "-target=web"], "Invalid target address"],
    [["plan", "-target", "lxc_container.web[oops]"], "Invalid target address"],
    [["apply", "-replace=lxc_container", "-auto-approve"], "Invalid replace address"],
    [["plan", "-replace=lxc_container.nope"], "Replace target not found"],
    [["plan", "-refresh=false", "-refresh-only"], "Incompatible refresh options"],
    [["plan", "-destroy", "-replace=lxc_container.web"], "Incompatible plan options"],
    [["destroy", "-refresh-only", "-auto-approve"], "Incompatible plan mode options"],
    [["plan", "-destroy", "-refresh-only"], "Incompatible plan mode options"],
  ])("refuses %j", async (args, summary) => {
    const r = await w.run(...args);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Error: ${summary}`);
    expect(r.stdout).not.toContain("will be");
  });

  it("warns when targeting is in effect and when a target matches nothing; -compact-warnings puts each on one line", async () => {
    const r = await w.run("plan", "-target=lxc_container.web", "-target=lxc_container.gone");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("Warning: Resource targeting is in effect");
    expect(r.stderr).toContain("Warning: Target not found");
    const compact = await w.run("plan", "-target=lxc_container.web", "-compact-warnings");
    expect(compact.stderr).toMatch(/^- warning: Resource targeting is in effect: You are creating a plan with the --target option.*$/m);
    expect(compact.stderr).not.toContain("Warning: Resource targeting");
  });

  it("-lock=false plans while another run holds the lock; without it the plan is refused", async () => {
    mkdirSync(w.path("pmxform.state.json.lock"));
    try {
      expect((await w.run("plan")).code).toBe(1);
      const unlocked = await w.run("plan", "-lock=false", "-input=false");
      expect(unlocked.stderr).toBe("");
      expect(unlocked.code).toBe(0);
      expect((await w.run("state", "rm", "-lock=false", "lxc_container.db")).code).toBe(0);
    } finally {
      const { rmSync } = await import("node:fs");
      rmSync(w.path("pmxform.state.json.lock"), { recursive: true, force: true });
    }
    expect((await w.run("import", "lxc_container.db", "pve1/191", "-lock=false")).code).toBe(0);
  });

  it("state list ADDR... lists only the matching resources; version prints text and JSON", async () => {
    expect((await w.run("state", "list", "lxc_container.db")).stdout).toBe("lxc_container.db\n");
    expect((await w.run("state", "list", "lxc_container.web", "lxc_container.db")).stdout.split("\n").filter(Boolean).sort()).toEqual(["lxc_container.db", "lxc_container.web"]);
    const v = await w.run("version");
    expect(v.stdout).toMatch(/^pmxform v\d+\.\d+\.\d+\non \w+_\w+\n$/);
    const j = JSON.parse((await w.run("version", "-json")).stdout) as { pmxform_version: string; platform: string };
    expect(v.stdout).toContain(`v${j.pmxform_version}`);
    expect(v.stdout).toContain(j.platform);
  });
});
