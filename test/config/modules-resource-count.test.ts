// count and for_each on resources INSIDE a module (issue 19): they are written in the module, so
// they must see that module instance's inputs and locals, never the root's, even when the root
// has a variable or local of the same name. Covers nesting, per-instance inputs (a module called
// with count/for_each), a seeded random loop over sizes, and the diagnostic for a bad count in a
// module carrying its call site.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { unmark } from "../../src/config/value.js";
import type { Value } from "../../src/config/value.js";
import { openSession } from "../../src/engine/session.js";
import { evaluateOutputs, walkConfig } from "../../src/engine/walk-config.js";
import { FakeRun } from "../helpers/fake-provider.js";

const runs: FakeRun[] = [];
afterEach(() => {
  for (const r of runs.splice(0)) r.dispose();
});

async function walked(files: Record<string, string>) {
  const f = new FakeRun();
  runs.push(f);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(f.dir, path)), { recursive: true });
    writeFileSync(join(f.dir, path), text);
  }
  const opened = await openSession({ chdir: f.dir }, f.registry, { variables: "resolve" });
  expect(opened.diagnostics.map((d) => d.summary)).toEqual([]);
  const ev = opened.session!.evaluation;
  const instances: string[] = [];
  const names = new Map<string, unknown>();
  const w = walkConfig(ev, (visit) => {
    for (const inst of visit.instances) {
      instances.push(inst.address);
      names.set(inst.address, unmark((inst.config as Record<string, Value>).name ?? null));
      ev.setInstanceValue(visit.decl, inst.key, inst.config as Value);
    }
  });
  return { diagnostics: w.diagnostics, instances: instances.sort(), names, ev };
}

const COUNTED = `variable "n" {
  type = number
}
resource "fake_thing" "t" {
  count = var.n
  name  = "t\${count.index}"
}
output "names" {
  value = fake_thing.t[*].name
}
`;

describe("count and for_each on resources inside modules", () => {
  it("evaluates count = var.n against the module's input, not the root's variables (the issue's minimal module)", async () => {
    const r = await walked({
      "main.pmx.hcl": `module "m" {\n  source = "./m"\n  n      = 2\n}\noutput "names" {\n  value = module.m.names\n}\n`,
      "m/main.pmx.hcl": COUNTED,
    });
    expect(r.diagnostics.map((d) => d.summary)).toEqual([]);
    expect(r.instances).toEqual(["module.m.fake_thing.t[0]", "module.m.fake_thing.t[1]"]);
    expect(unmark(evaluateOutputs(r.ev).values.get("names")!.value)).toEqual(["t0", "t1"]);
  });

  it("uses the module's value when the root has a variable and a local of the same name", async () => {
    const r = await walked({
      "main.pmx.hcl": `variable "n" {\n  default = 5\n}\nlocals {\n  keys = ["root"]\n}\nmodule "m" {\n  source = "./m"\n  n      = 1\n}\nresource "fake_thing" "root" {\n  count = var.n\n  name  = "r\${count.index}"\n}\n`,
      "m/main.pmx.hcl": `${COUNTED}locals {\n  keys = ["a", "b", "c"]\n}\nresource "fake_thing" "e" {\n  for_each = toset(local.keys)\n  name     = each.key\n}\n`,
    });
    expect(r.diagnostics.map((d) => d.summary)).toEqual([]);
    expect(r.instances.filter((a) => a.startsWith("module."))).toEqual(['module.m.fake_thing.e["a"]', 'module.m.fake_thing.e["b"]', 'module.m.fake_thing.e["c"]', "module.m.fake_thing.t[0]"]);
    expect(r.instances.filter((a) => a.startsWith("fake_thing.root"))).toHaveLength(5);
  });

  it("takes each module instance's own inputs, two levels deep, through locals and for_each over a map input", async () => {
    const inner = `variable "items" {\n  type = map(string)\n}\nvariable "copies" {\n  type = number\n}\nlocals {\n  doubled = var.copies * 2\n}\nresource "fake_thing" "item" {\n  for_each = var.items\n  name     = "\${each.key}=\${each.value}"\n}\nresource "fake_thing" "copy" {\n  count = local.doubled\n  name  = "c\${count.index}"\n}\n`;
    const outer = `variable "tag" {\n  type = string\n}\nvariable "copies" {\n  type = number\n}\nlocals {\n  items = { (var.tag) = "x", "\${var.tag}2" = "y" }\n}\nmodule "inner" {\n  source = "../inner"\n  items  = local.items\n  copies = var.copies\n}\n`;
    const r = await walked({
      "main.pmx.hcl": `module "outer" {\n  source   = "./outer"\n  for_each = { p = 1, q = 2 }\n  tag      = each.key\n  copies   = each.value\n}\n`,
      "outer/main.pmx.hcl": outer,
      "inner/main.pmx.hcl": inner,
    });
    expect(r.diagnostics.map((d) => d.summary)).toEqual([]);
    const inP = r.instances.filter((a) => a.startsWith('module.outer["p"]'));
    const inQ = r.instances.filter((a) => a.startsWith('module.outer["q"]'));
    expect(inP).toEqual([
      'module.outer["p"].module.inner.fake_thing.copy[0]',
      'module.outer["p"].module.inner.fake_thing.copy[1]',
      'module.outer["p"].module.inner.fake_thing.item["p"]',
      'module.outer["p"].module.inner.fake_thing.item["p2"]',
    ]);
    expect(inQ.filter((a) => a.includes(".copy["))).toHaveLength(4);
    expect(r.names.get('module.outer["q"].module.inner.fake_thing.item["q2"]')).toBe("q2=y");
  });

  it("agrees with the inputs for random counts across instances of a counted module (seeded)", async () => {
    let seed = 19;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 6; round++) {
      const sizes = Array.from({ length: 1 + rand(4) }, () => rand(4));
      const r = await walked({
        "main.pmx.hcl": `variable "n" {\n  default = 7\n}\nvariable "sizes" {\n  default = ${JSON.stringify(sizes)}\n}\nmodule "m" {\n  source = "./m"\n  count  = length(var.sizes)\n  n      = var.sizes[count.index]\n}\n`,
        "m/main.pmx.hcl": COUNTED,
      });
      expect(r.diagnostics.map((d) => d.summary)).toEqual([]);
      sizes.forEach((size, i) => expect(r.instances.filter((a) => a.startsWith(`module.m[${i}].`))).toHaveLength(size));
      expect(r.instances).toHaveLength(sizes.reduce((a, b) => a + b, 0));
    }
  });

  it("reports a bad count inside a module at the module's line, with the call site", async () => {
    const r = await walked({
      "main.pmx.hcl": `variable "n" {\n  default = 1\n}\nmodule "m" {\n  source = "./m"\n  n      = -1\n}\n`,
      "m/main.pmx.hcl": COUNTED,
    });
    expect(r.diagnostics.map((d) => d.summary)).toEqual(["Invalid count argument"]);
    const d = r.diagnostics[0]!;
    expect(d.subject!.file).toBe("m/main.pmx.hcl");
    expect(d.subject!.start.line).toBe(5);
    expect(d.detail).toMatch(/^In module\.m, called at main\.pmx\.hcl:4:1\. /);
  });

  it("refers to an undeclared module variable as the module's, not the root's", async () => {
    const r = await walked({
      "main.pmx.hcl": `variable "missing" {\n  default = 3\n}\nmodule "m" {\n  source = "./m"\n}\n`,
      "m/main.pmx.hcl": `resource "fake_thing" "t" {\n  count = var.missing\n  name  = "t"\n}\n`,
    });
    // The root declares var.missing, but the module does not: an error, as in Terraform.
    expect(r.diagnostics.map((d) => d.summary)).toEqual(["Reference to undeclared input variable"]);
    expect(r.diagnostics[0]!.subject!.file).toBe("m/main.pmx.hcl");
  });
});
