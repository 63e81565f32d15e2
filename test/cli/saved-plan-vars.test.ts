// Saved plans are self-contained (issue 16 item 1): `apply PLANFILE` uses the variable values the
// plan was made with; a --var or --var-file for one of them is an error naming the variable; a
// sensitive variable (never written to a plan file) is given again at apply and must match.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, cli, container } from "../e2e/helpers.js";

const CONFIG =
  SIM_NODE +
  `variable "mem" {\n  type    = number\n  default = 512\n}\nvariable "pw" {\n  type      = string\n  sensitive = true\n}\n` +
  container("app", `  vmid     = 170\n  hostname = "app"\n  memory   = var.mem\n  password = var.pw`);

const memoryInState = async (w: Workdir): Promise<unknown> => {
  const doc = JSON.parse((await w.run("show", "-json")).stdout) as { values?: { root_module: { resources: { values: { memory?: unknown } }[] } } };
  return doc.values?.root_module.resources[0]?.values.memory;
};

describe.skipIf(!BUILT)(`saved plans carry their variables${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeEach(() => {
    w = new Workdir();
    w.write("main.pmx.hcl", CONFIG);
  });
  afterEach(() => w.remove());

  it("applies with the plan's values, refusing -var and -var-file for them by name", async () => {
    expect((await w.run("plan", "-var", "mem=640", "-var", "pw=Secret-1", "-out=p.out")).code).toBe(0);

    const changed = await w.run("apply", "-var", "mem=700", "-var", "pw=Secret-1", "p.out");
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain("Can't change variable when applying a saved plan");
    expect(changed.stderr).toContain('"mem"');
    w.write("more.pmxvars.json", JSON.stringify({ mem: 640 }));
    const fromFile = await w.run("apply", "-var-file=more.pmxvars.json", "-var", "pw=Secret-1", "p.out");
    expect(fromFile.code).toBe(1);
    expect(fromFile.stderr).toMatch(/"mem" is set by the variables file .*more\.pmxvars\.json/);

    // The environment does not override a saved plan's value either.
    const applied = await cli(w.dir, ["apply", "-var", "pw=Secret-1", "p.out"], { PMXFORM_VAR_mem: "900" });
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect(await memoryInState(w)).toBe(640);
  });

  it("needs a sensitive variable again at apply, and refuses another value for it", async () => {
    expect((await w.run("plan", "-var", "pw=Secret-1", "-out=p.out")).code).toBe(0);
    const missing = await w.run("apply", "p.out");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('The input variable "pw" is not set');
    const other = await w.run("apply", "-var", "pw=Secret-2", "p.out");
    expect(other.code).toBe(1);
    expect(other.stderr).toContain("the variable values differ");
    const same = await w.run("apply", "-var", "pw=Secret-1", "p.out");
    expect(same.code, same.stderr).toBe(0);
    expect(await memoryInState(w)).toBe(512);
  });
});
