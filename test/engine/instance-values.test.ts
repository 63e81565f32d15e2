// What references to resource instances see while a plan or apply records them one by one:
// whole-declaration values follow every newly recorded instance, and an instance's attributes
// are completed (referenceValue) only when a reference reads them.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { buildRegistry } from "../../src/registry-wiring.js";
import { openSession } from "../../src/engine/session.js";
import { unmark } from "../../src/config/value.js";
import type { ResourceType } from "../../src/provider/types.js";

const dir = mkdtempSync(join(tmpdir(), "pmx-instance-values-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, "main.pmx.hcl"),
  `resource "lxc_container" "web" {
  count    = 2
  node     = "pve1"
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
}
output "names" {
  value = lxc_container.web[*].hostname
}
`,
);

const { session } = await openSession({ chdir: dir }, await buildRegistry(), { variables: "resolve" });
const ev = session!.evaluation;
const decl = session!.module.resources.get("lxc_container.web")!;
const lxc = session!.registry.resourceType("lxc_container");
const names = () => unmark(ev.eval(session!.module.outputs.get("names")!.value, ev.scope()).value);

describe("recorded instance values", () => {
  it("a reference to the whole declaration follows every instance recorded after it was first read", () => {
    ev.setInstanceAttributes(decl, 0, lxc, { node: "pve1", hostname: "a" }, false);
    expect(names()).toEqual(["a"]);
    ev.setInstanceAttributes(decl, 1, lxc, { node: "pve1", hostname: "b" }, false);
    expect(names()).toEqual(["a", "b"]);
    ev.setInstanceAttributes(decl, 0, lxc, { node: "pve1", hostname: "c" }, false);
    expect(names()).toEqual(["c", "b"]);
    ev.setInstanceAttributes(decl, 1, lxc, { node: "pve1" }, false);
    expect(names()).toEqual(["c", null]);
  });

  it("completes an instance's attributes only when a reference reads them", () => {
    let reads = 0;
    const counting = {
      ...lxc!,
      schema: z.strictObject({ hostname: z.string().optional() }),
      blocks: {},
      get computedAttributes() {
        reads++;
        return ["hostname"];
      },
    } as ResourceType;
    ev.setInstanceAttributes(decl, 0, counting, { node: "pve1" }, true);
    ev.setInstanceAttributes(decl, 1, counting, { node: "pve1", hostname: "x" }, true);
    expect(reads).toBe(0);
    const v = names() as unknown[];
    expect(v[1]).toBe("x");
    expect(reads).toBe(1);
    names();
    expect(reads).toBe(1);
  });
});
