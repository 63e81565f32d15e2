// Null as Terraform treats it, which optional module inputs depend on (issue 19): a for-expression
// variable bound to null is still that variable, and a resource argument set to null is an
// argument left out (`gw = var.gateway` with no gateway plans like no gw at all).
import { afterAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, container } from "../e2e/helpers.js";
import { val } from "./eval-helpers.js";

describe("null in for expressions", () => {
  it("binds a null element like any other value", async () => {
    expect(await val('{ for k, v in { a = "x", b = null } : k => v if v != null }')).toEqual({ a: "x" });
    expect(await val("[for v in [null, 1] : v == null]")).toEqual([true, false]);
    expect(await val("{ for k, v in { a = null } : k => v }")).toEqual({ a: null });
  });
});

const dirs: Workdir[] = [];
afterAll(() => dirs.forEach((d) => d.remove()));

describe.skipIf(!BUILT)(`null resource arguments${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  it("plan and apply treat `arg = null` (top level and in blocks) as the argument left out", async () => {
    const w = new Workdir();
    dirs.push(w);
    const body = '  description = var.description\n  network "eth0" {\n    bridge = "vmbr0"\n    ip     = "dhcp"\n    gw     = var.gateway\n  }\n';
    w.write("main.pmx.hcl", SIM_NODE + 'variable "gateway" {\n  type    = string\n  default = null\n}\nvariable "description" {\n  type    = string\n  default = null\n}\n' + container("web", body));
    const apply = await w.run("apply", "-auto-approve");
    expect(apply.code, apply.stderr).toBe(0);
    // Same configuration with the arguments removed: nothing to do.
    w.write("main.pmx.hcl", SIM_NODE + container("web", '  network "eth0" {\n    bridge = "vmbr0"\n    ip     = "dhcp"\n  }\n'));
    const plan = await w.run("plan", "-detailed-exitcode");
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    // A required argument set to null is missing, said as such.
    w.write("main.pmx.hcl", SIM_NODE + container("web", "").replace('node     = "pve1"', "node     = null"));
    const missing = await w.run("validate");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("Missing required argument");
  }, 90_000);
});
