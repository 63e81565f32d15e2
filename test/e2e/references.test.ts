// References to attributes the configuration leaves out, as Terraform users write them: before
// the container exists, what Proxmox decides is "(known after apply)" and the rest is null; after
// apply every such reference has its value, and the next plan is "No changes". Output changes
// show in the plan as Terraform's "Changes to Outputs".
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, container } from "./helpers.js";

const config =
  SIM_NODE +
  container("a", "") +
  container("b", `  description = "memory of a: \${lxc_container.a.memory}"`) +
  `output "hostname" {\n  value = lxc_container.a.hostname\n}\n` +
  `output "memory" {\n  value = lxc_container.a.memory\n}\n` +
  `output "cores" {\n  value = lxc_container.a.cores\n}\n` +
  `output "network" {\n  value = lxc_container.a.network\n}\n`;

describe.skipIf(!BUILT)(`references to attributes left out${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  const w = new Workdir("pmx-references-");
  beforeAll(() => w.write("main.pmx.hcl", config));
  afterAll(() => w.remove());

  it("plan shows what Proxmox decides as known after apply and what nobody sets as null", async () => {
    const plan = await w.run("plan");
    expect(plan.stderr).toBe("");
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/# lxc_container\.b will be created[\s\S]*\+ description = \(known after apply\)/);
    const json = JSON.parse((await w.run("plan", "--json")).stdout) as { planned_values: { outputs: unknown }; output_changes: Record<string, { after: unknown; after_unknown: unknown }> };
    // Terraform's shape: an output not known until apply has no value, and after_unknown true.
    expect(json.planned_values.outputs).toEqual({
      hostname: { sensitive: false },
      memory: { sensitive: false },
      cores: { sensitive: false, value: null },
      network: { sensitive: false, value: null },
    });
    expect(Object.fromEntries(Object.entries(json.output_changes).map(([k, v]) => [k, [v.after, v.after_unknown]]))).toEqual({
      hostname: [null, true],
      memory: [null, true],
      cores: [null, false],
      network: [null, false],
    });
  });

  it("apply gives every reference its value, and the next plan has no changes", async () => {
    const apply = await w.run("apply", "--auto-approve");
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    const out = JSON.parse((await w.run("output", "--json")).stdout) as Record<string, { value: unknown }>;
    expect(out["hostname"]?.value).toMatch(/^CT\d+$/);
    expect(out["memory"]?.value).toBe(512);
    expect(out["cores"]?.value).toBeNull();
    expect(out["network"]?.value).toBeNull();
    const b = JSON.parse((await w.run("show", "--json")).stdout) as { values: { root_module: { resources: { address: string; values: { description?: string } }[] } } };
    expect(b.values.root_module.resources.find((r) => r.address === "lxc_container.b")?.values.description).toBe("memory of a: 512");
    const again = await w.run("plan", "--detailed-exitcode");
    expect(again.stdout).toContain("No changes.");
    expect(again.code).toBe(0);
  });

  it("plans an output-only change as such (exit 2 with --detailed-exitcode), and applying it only saves the outputs", async () => {
    w.write("main.pmx.hcl", config + `output "next_vmid" {\n  value = lxc_container.a.vmid + 1\n}\n`);
    const plan = await w.run("plan", "--detailed-exitcode");
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(/^Changes to Outputs:\n {2}\+ next_vmid = \d+\n\nYou can apply this plan to save these new output values/m);
    const apply = await w.run("apply", "--auto-approve");
    expect(apply.code).toBe(0);
    expect(apply.stdout).toMatch(/next_vmid = \d+/);
    const again = await w.run("plan", "--detailed-exitcode");
    expect(again.stdout).toContain("No changes.");
    expect(again.code).toBe(0);
  });
});
