// -chdir as Terraform has it (issue 16 item 2): a global option before the verb; every relative
// path (-out, the plan file of apply/show, -var-file, -state) is read inside the directory; the
// printed hint works, word for word, from where the user stands.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, cli, container } from "../e2e/helpers.js";

const CONFIG = SIM_NODE + `variable "mem" {\n  type = number\n}\n` + container("app", `  vmid     = 180\n  hostname = "app"\n  memory   = var.mem`);

describe.skipIf(!BUILT)(`-chdir${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  let proj: string;
  beforeEach(() => {
    w = new Workdir();
    proj = join(w.dir, "my project");
    mkdirSync(proj);
    w.write("my project/main.pmx.hcl", CONFIG);
    w.write("my project/vars.pmxvars.json", JSON.stringify({ mem: 640 }));
  });
  afterEach(() => w.remove());

  it("reads and writes every relative path inside the directory, and its hint runs as printed", async () => {
    const plan = await w.run("-chdir=my project", "plan", "-var-file=vars.pmxvars.json", "-state=custom.state.json", "-out=p.out");
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(0);
    expect(existsSync(join(proj, "p.out"))).toBe(true);
    expect(existsSync(w.path("p.out"))).toBe(false);
    const hint = /run the following command to apply:\n {4}(.*)\n/.exec(plan.stdout)![1]!;
    expect(hint).toBe("pmxform -chdir='my project' apply p.out");

    const show = await w.run("-chdir=my project", "show", "p.out");
    expect(show.stdout).toContain("# lxc_container.app will be created");
    // The hint as a shell would split it (the quoted directory is one word), from where the user stands.
    const words = ["-chdir=my project", "apply", "p.out"];
    expect(hint).toBe(`pmxform ${words.map((x) => (x.includes(" ") ? x.replace(/=(.*)$/, "='$1'") : x)).join(" ")}`);
    const apply = await w.run(...words.slice(0, 2), "-state=custom.state.json", words[2]!);
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    expect(existsSync(join(proj, "custom.state.json"))).toBe(true);
    expect(existsSync(w.path("custom.state.json"))).toBe(false);
    const list = await w.run("-chdir", "my project", "state", "list", "-state=custom.state.json");
    expect(list.stdout.trim()).toBe("lxc_container.app");
  });

  it("means the same after the verb, and refuses a directory that does not exist", async () => {
    const after = await cli(w.dir, ["plan", "-chdir=my project", "-var", "mem=256", "-out=q.out"]);
    expect(after.code).toBe(0);
    expect(existsSync(join(proj, "q.out"))).toBe(true);
    const missing = await w.run("-chdir=nowhere", "plan");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("Error handling -chdir option: chdir nowhere: no such file or directory\n");
  });
});
