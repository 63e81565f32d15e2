// The examples of docs/mounts-and-devices.md stay valid: the media server + NVIDIA file in
// examples/media-server plans cleanly against the simulator, and the doc's inline NVIDIA ML
// example passes `pmxform validate`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, ROOT, SIM_NODE, Workdir } from "./helpers.js";

/** The doc's ```hcl blocks that hold a whole resource. */
function docResources(): string[] {
  const doc = readFileSync(join(ROOT, "docs/mounts-and-devices.md"), "utf8");
  return [...doc.matchAll(/```hcl\n([^]*?)```/g)].map((m) => m[1]!).filter((b) => /^resource "/m.test(b));
}

describe.skipIf(!BUILT)(`docs/mounts-and-devices.md examples${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeAll(() => {
    w = new Workdir("pmx-e2e-mountdocs-");
  });
  afterAll(() => w.remove());

  it("examples/media-server plans two containers with their GPUs, without errors", async () => {
    w.write("main.pmx.hcl", readFileSync(join(ROOT, "examples/media-server/main.pmx.hcl"), "utf8"));
    const p = await w.run("plan");
    expect(p.stderr).not.toContain("Error");
    expect(p.code).toBe(0);
    expect(p.stdout).toContain("Plan: 2 to add, 0 to change, 0 to destroy.");
    expect(p.stdout).toContain('path = "/dev/dri/renderD128"');
    expect(p.stdout).toContain('path = "/dev/nvidia-uvm"');
  });

  it("the inline NVIDIA machine-learning example validates", async () => {
    const blocks = docResources();
    expect(blocks.map((b) => /^resource "(\w+)" "(\w+)"/m.exec(b)?.slice(1).join("."))).toContain("lxc_container.ml");
    w.write("main.pmx.hcl", SIM_NODE + blocks.join("\n"));
    const v = await w.run("validate");
    expect(v.stderr).toBe("");
    expect(v.code).toBe(0);
  });
});
