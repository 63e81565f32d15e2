// A string attribute longer than Proxmox's schema allows is refused at plan time at the
// attribute (description: 8,192 characters), instead of passing plan and failing at apply.
import { afterAll, describe, expect, it } from "vitest";
import { KEYS } from "../../src/pve/schema.js";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, container } from "../e2e/helpers.js";
import { prng } from "../helpers/prng.js";

const SEED = Number(process.env["PMXFORM_SEED"] ?? 1414);

describe.skipIf(!BUILT)(`string limits${BUILT ? "" : ` (skipped: ${NOT_BUILT})`} (seed ${SEED})`, () => {
  const w = new Workdir("pmx-strlimit-");
  afterAll(() => w.remove());
  const max = KEYS["description"]!.maxLength!;

  it("refuses a description over the limit at plan time, and applies one at the limit", async () => {
    const rand = prng(SEED);
    const over = max + 1 + Math.floor(rand() * 5000);
    w.write("main.pmx.hcl", SIM_NODE + container("d", `  vmid = 160\n  description = "${"x".repeat(over)}"`));
    const p = await w.run("plan");
    expect(p.code, p.stderr).toBe(1);
    expect(p.stderr).toContain(`"description": at most ${max} characters are allowed`);
    expect(p.stderr).toContain("on main.pmx.hcl line");
    w.write("main.pmx.hcl", SIM_NODE + container("d", `  vmid = 160\n  description = "${"y".repeat(max)}"`));
    const a = await w.run("apply", "-auto-approve");
    expect(a.code, a.stderr).toBe(0);
  });
});
