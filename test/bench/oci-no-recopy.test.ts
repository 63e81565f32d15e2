// Budget 7 of issue 9, as a CI counter: an image already in template storage under its
// digest-named file is adopted, not copied again. Real skopeo and registry; skopeo runs through
// a PATH wrapper that logs each invocation's argv, so the test counts `skopeo copy` processes.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, cli } from "../e2e/helpers.js";
import { HAVE_REGISTRY_TOOLS, NO_REGISTRY_TOOLS, pushImage, startRegistry, type Registry } from "../helpers/registry.js";

const skip = !BUILT ? NOT_BUILT : !HAVE_REGISTRY_TOOLS ? NO_REGISTRY_TOOLS : "";

const image = (name: string, host: string) => `resource "oci_image" "${name}" {
  node       = "pve1"
  storage    = "local"
  reference  = "${host}/pmx/bench:1"
  tls_verify = false
}
`;

describe.skipIf(skip !== "")(`skopeo copies${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let reg: Registry;
  let w: Workdir;
  let env: Record<string, string>;
  beforeAll(async () => {
    reg = await startRegistry();
    await pushImage(reg, "pmx/bench", "1", { entrypoint: ["/bin/app"] });
    w = new Workdir("pmx-bench-oci-");
    const wrappers = w.path("wrap");
    mkdirSync(wrappers);
    const real = ["/usr/bin/skopeo", "/usr/local/bin/skopeo"].find((p) => existsSync(p))!;
    writeFileSync(join(wrappers, "skopeo"), `#!/bin/sh\nprintf '%s\\n' "$*" >> "${w.path("skopeo.log")}"\nexec ${real} "$@"\n`);
    chmodSync(join(wrappers, "skopeo"), 0o755);
    env = { PATH: `${wrappers}:${process.env["PATH"] ?? ""}` };
  });
  afterAll(async () => {
    w?.remove();
    await reg?.stop();
  });
  const copies = () =>
    existsSync(w.path("skopeo.log"))
      ? readFileSync(w.path("skopeo.log"), "utf8")
          .split("\n")
          .filter((l) => l.split(" ").includes("copy")).length
      : 0;

  it("pulls once, then adopts the same digest already in template storage", async () => {
    w.write("main.pmx.hcl", SIM_NODE + image("first", reg.host));
    const first = await cli(w.dir, ["apply", "--auto-approve"], env);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(copies()).toBe(1);

    // A second resource for the same image and storage (as another workspace, or a state that
    // lost the first, would have): created without a copy, same file, same digest.
    w.write("main.pmx.hcl", SIM_NODE + image("first", reg.host) + image("second", reg.host));
    const second = await cli(w.dir, ["apply", "--auto-approve"], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("not pulling it again");
    expect(copies()).toBe(1);
    const state = JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: { name: string; attributes: Record<string, unknown> }[] };
    const [a, b] = ["first", "second"].map((n) => state.resources.find((r) => r.name === n)!.attributes);
    expect(b!["volid"]).toBe(a!["volid"]);
    expect(b!["digest"]).toBe(a!["digest"]);
    expect(b!["size"]).toBeGreaterThan(0);
  });
});
