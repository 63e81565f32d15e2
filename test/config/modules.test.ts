// Module semantics below the CLI: Terraform's version constraints, module addresses, the HCL and
// YAML forms of a call, loading (sources, cycles, root-only blocks, inputs), flattening
// (count/for_each instances, nested paths, what count may depend on) and evaluation (inputs
// typed and validated, outputs wired between modules, sensitive outputs staying sensitive).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { parseConstraint, versionAllowed } from "../../src/config/modules/version.js";
import { isSensitive, unmark } from "../../src/config/value.js";
import type { Value } from "../../src/config/value.js";
import { addressMatches, isModuleAddress, parseAddress } from "../../src/engine/address.js";
import { openSession } from "../../src/engine/session.js";
import { evaluateOutputs, walkConfig } from "../../src/engine/walk-config.js";
import { FakeRun } from "../helpers/fake-provider.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "pmx-modcfg-"));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
const summaries = (diags: { summary: string }[]): string[] => diags.map((d) => d.summary);

describe("version constraints (Terraform's syntax)", () => {
  const cases: [string, string, boolean][] = [
    ["1.2.3", "1.2.3", true],
    ["= 1.2.3", "1.2.4", false],
    ["!= 1.2.3", "1.2.4", true],
    ["> 1.2", "1.2.0", false],
    [">= 1.2", "1.2.0", true],
    ["< 2", "1.99.0", true],
    ["<= 1.2.3", "1.2.4", false],
    ["~> 1.2", "1.9.0", true],
    ["~> 1.2", "2.0.0", false],
    ["~> 1.2", "1.1.9", false],
    ["~> 1.2.3", "1.2.9", true],
    ["~> 1.2.3", "1.3.0", false],
    ["~> 1", "1.9.9", true],
    ["~> 1", "2.0.0", false],
    [">= 1.0, < 1.5", "1.4.9", true],
    [">= 1.0, < 1.5", "1.5.0", false],
  ];
  for (const [constraint, version, ok] of cases) {
    it(`${constraint} ${ok ? "allows" : "refuses"} ${version}`, () => expect(versionAllowed(constraint, version)).toBe(ok));
  }
  it("reports what does not parse", () => {
    expect(parseConstraint("~> one")).toEqual({ error: '"~> one" is not a version constraint' });
    expect(versionAllowed(">= 1", "latest")).toEqual({ error: 'the catalog\'s version "latest" is not a version number' });
  });
});

describe("module addresses", () => {
  it("parses resources inside module instances", () => {
    expect(parseAddress('module.media["a"].module.db.lxc_container.x[0]')).toEqual({
      type: "lxc_container",
      name: "x",
      key: 0,
      decl: 'module.media["a"].module.db.lxc_container.x',
      module: 'module.media["a"].module.db',
    });
    expect(parseAddress("lxc_container.x")).toMatchObject({ module: "", decl: "lxc_container.x" });
    expect(parseAddress("module.a.b")).toBeUndefined();
    expect(parseAddress("module.a")).toBeUndefined();
    expect(isModuleAddress('module.a[0].module.b["k"]')).toBe(true);
    expect(isModuleAddress("module.a.lxc_container.x")).toBe(false);
  });
  it("matches everything inside a module, and nothing in a module whose name only starts the same", () => {
    expect(addressMatches("module.a", "module.a[1].lxc_container.x")).toBe(true);
    expect(addressMatches("module.a", "module.a.module.b.lxc_container.x")).toBe(true);
    expect(addressMatches("module.a[0]", "module.a[1].lxc_container.x")).toBe(false);
    expect(addressMatches("module.a", "module.ab.lxc_container.x")).toBe(false);
    expect(addressMatches("lxc_container.x", "lxc_container.x[2]")).toBe(true);
    expect(addressMatches("lxc_container.x", "lxc_container.xy")).toBe(false);
  });
});

const CHILD = `variable "name" {
  type = string
}
variable "size" {
  type    = number
  default = 2
  validation {
    condition     = var.size < 10
    error_message = "size must stay below 10."
  }
}
variable "token" {
  type      = string
  default   = "t0k3n"
  sensitive = true
}
resource "fake_thing" "t" {
  name = "\${var.name}-\${var.size}"
}
output "name" {
  value = fake_thing.t.name
}
output "token" {
  value     = var.token
  sensitive = true
}
`;

describe("loading module calls", () => {
  it("reads the same call from HCL and YAML", async () => {
    const hcl = tree({
      "main.pmx.hcl": `module "a" {\n  source     = "./child"\n  count      = 2\n  name       = "x\${count.index}"\n  depends_on = [fake_thing.z]\n}\n`,
      "child/main.pmx.hcl": CHILD,
    });
    const yaml = tree({
      "main.pmx.yaml": `modules:\n  a:\n    source: ./child\n    count: 2\n    name: "x\${count.index}"\n    depends_on: [fake_thing.z]\n`,
      "child/main.pmx.hcl": CHILD,
    });
    for (const dir of [hcl, yaml]) {
      const r = await loadConfig({ dir });
      expect(summaries(r.diagnostics)).toEqual([]);
      const call = r.module.calls.get("a")!;
      expect(call.source).toBe("./child");
      expect([...call.inputs.keys()]).toEqual(["name"]);
      expect(call.dependsOn.map((t) => t.address)).toEqual(["fake_thing.z"]);
      expect(call.count).toBeDefined();
      expect([...r.module.children.get("a")!.module.variables.keys()]).toEqual(["name", "size", "token"]);
      // The child's file is shown relative to the root directory.
      expect(r.files.map((f) => f.path)).toContain("child/main.pmx.hcl");
    }
  });

  it("refuses unsupported sources, versions on local sources, blocks only the root may have, and missing directories", async () => {
    const dir = tree({
      "main.pmx.hcl": `module "a" {\n  source = "git::https://example.com/x"\n}\nmodule "b" {\n  source  = "./child"\n  version = "1.0"\n  name    = "n"\n}\nmodule "c" {\n  source = "./nowhere"\n}\nmodule "d" {\n  source = "./bad"\n}\n`,
      "child/main.pmx.hcl": CHILD,
      "bad/main.pmx.hcl": `proxmox {\n  node "pve1" { sim = "sim" }\n}\nimport {\n  to = fake_thing.x\n  id = "1"\n}\n`,
    });
    const r = await loadConfig({ dir });
    expect(summaries(r.diagnostics).sort()).toEqual([
      "Invalid version constraint",
      "Module not found",
      "Unsupported module source",
      "import blocks in a child module",
      "proxmox nodes in a child module",
    ]);
    const nodes = r.diagnostics.find((d) => d.summary === "proxmox nodes in a child module")!;
    expect(nodes.subject!.file).toBe("bad/main.pmx.hcl");
    expect(nodes.detail).toMatch(/^In module\.d, called at main\.pmx\.hcl:12:1\. /);
  });

  it("refuses a cycle through two modules, naming the chain", async () => {
    const dir = tree({
      "main.pmx.hcl": `module "a" {\n  source = "./a"\n}\n`,
      "a/main.pmx.hcl": `module "b" {\n  source = "../b"\n}\n`,
      "b/main.pmx.hcl": `module "a" {\n  source = "../a"\n}\n`,
    });
    const r = await loadConfig({ dir });
    expect(summaries(r.diagnostics)).toEqual(["Module cycle"]);
    expect(r.diagnostics[0]!.detail).toContain("module.a -> module.a.module.b -> module.a.module.b.module.a");
    expect(r.diagnostics[0]!.subject!.file).toBe("b/main.pmx.hcl");
  });
});

describe("flattening and evaluating modules", () => {
  const runs: FakeRun[] = [];
  afterEach(() => {
    for (const r of runs.splice(0)) r.dispose();
  });
  async function session(files: Record<string, string>) {
    const f = new FakeRun();
    runs.push(f);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(f.dir, path)), { recursive: true });
      writeFileSync(join(f.dir, path), text);
    }
    return openSession({ chdir: f.dir }, f.registry, { variables: "resolve" });
  }

  it("expands count and for_each into instances two levels deep, wires outputs and keeps sensitive outputs sensitive", async () => {
    const { session: s, diagnostics } = await session({
      "main.pmx.hcl": `variable "names" {\n  default = ["p", "q"]\n}\nlocals {\n  n = length(var.names)\n}\nmodule "outer" {\n  source   = "./outer"\n  for_each = toset(var.names)\n  prefix   = each.key\n  copies   = local.n\n}\noutput "all" {\n  value = { for k, m in module.outer : k => m.names }\n}\noutput "token" {\n  value     = module.outer["p"].token\n  sensitive = true\n}\n`,
      "outer/main.pmx.hcl": `variable "prefix" {\n  type = string\n}\nvariable "copies" {\n  type = number\n}\nmodule "child" {\n  source = "../child"\n  count  = var.copies\n  name   = "\${var.prefix}\${count.index}"\n  size   = count.index + 1\n}\noutput "names" {\n  value = module.child[*].name\n}\noutput "token" {\n  value = module.child[0].token\n}\n`,
      "child/main.pmx.hcl": CHILD,
    });
    expect(summaries(diagnostics)).toEqual([]);
    const ev = s!.evaluation;
    expect([...s!.module.resources.keys()].sort()).toEqual([
      'module.outer["p"].module.child[0].fake_thing.t',
      'module.outer["p"].module.child[1].fake_thing.t',
      'module.outer["q"].module.child[0].fake_thing.t',
      'module.outer["q"].module.child[1].fake_thing.t',
    ]);
    const walked = walkConfig(ev, (visit) => {
      for (const inst of visit.instances) ev.setInstanceValue(visit.decl, inst.key, inst.config as Value);
    });
    expect(summaries(walked.diagnostics)).toEqual([]);
    const outputs = evaluateOutputs(ev);
    expect(summaries(outputs.diagnostics)).toEqual([]);
    expect(unmark(outputs.values.get("all")!.value)).toEqual({ p: ["p0-1", "p1-2"], q: ["q0-1", "q1-2"] });
    // The module's output was sensitive; reading it through another module keeps the mark.
    expect(isSensitive(outputs.values.get("token")!.value)).toBe(true);
  });

  it("checks module arguments against their variables' types and validation, at the call", async () => {
    const { session: s } = await session({
      "main.pmx.hcl": `module "a" {\n  source = "./child"\n  name   = "a"\n  size   = 12\n}\nmodule "b" {\n  source = "./child"\n  name   = "b"\n  size   = "many"\n}\n`,
      "child/main.pmx.hcl": CHILD,
    });
    const ev = s!.evaluation;
    const walked = walkConfig(ev, () => {});
    const byFile = walked.diagnostics.map((d) => `${d.summary} @ ${d.subject?.file}:${d.subject?.start.line}`).sort();
    expect(byFile).toEqual(["Invalid value for module argument @ main.pmx.hcl:9", "Invalid value for variable @ child/main.pmx.hcl:8"]);
    const validation = walked.diagnostics.find((d) => d.summary === "Invalid value for variable")!;
    expect(validation.detail).toMatch(/^In module\.a, called at main\.pmx\.hcl:1:1\. size must stay below 10\./);
  });

  it("refuses a module count that depends on a resource, and one that is not a whole number", async () => {
    const r1 = await session({
      "main.pmx.hcl": `resource "fake_thing" "z" {\n  name = "z"\n}\nmodule "a" {\n  source = "./child"\n  count  = length(fake_thing.z.id)\n  name   = "a"\n}\n`,
      "child/main.pmx.hcl": CHILD,
    });
    expect(summaries(r1.diagnostics)).toEqual(["Invalid count argument"]);
    expect(r1.diagnostics[0]!.detail).toContain("from variables and locals only");
    const r2 = await session({ "main.pmx.hcl": `module "a" {\n  source = "./child"\n  count  = -1\n  name   = "a"\n}\n`, "child/main.pmx.hcl": CHILD });
    expect(summaries(r2.diagnostics)).toEqual(["Invalid count argument"]);
  });

  it("orders a module's resources after what the call depends on, and a root resource after a module's output", async () => {
    const { session: s } = await session({
      "main.pmx.hcl": `resource "fake_thing" "first" {\n  name = "f"\n}\nmodule "a" {\n  source     = "./child"\n  name       = "a"\n  depends_on = [fake_thing.first]\n}\nresource "fake_thing" "last" {\n  name = module.a.name\n}\n`,
      "child/main.pmx.hcl": CHILD,
    });
    const graph = s!.evaluation.declGraph();
    expect(summaries(graph.diagnostics)).toEqual([]);
    const order = graph.order!.filter((id) => s!.module.resources.has(id));
    expect(order).toEqual(["fake_thing.first", "module.a.fake_thing.t", "fake_thing.last"]);
  });

  it("orders a root resource after everything inside a module it depends_on, and refuses depends_on a module that is not declared", async () => {
    const { session: s } = await session({
      "main.pmx.hcl": `module "a" {\n  source = "./outer"\n}\nresource "fake_thing" "after" {\n  name       = "x"\n  depends_on = [module.a]\n}\n`,
      "outer/main.pmx.hcl": `module "inner" {\n  source = "../child"\n  name   = "i"\n}\nresource "fake_thing" "o" {\n  name = "o"\n}\n`,
      "child/main.pmx.hcl": CHILD,
    });
    const graph = s!.evaluation.declGraph();
    expect(summaries(graph.diagnostics)).toEqual([]);
    const order = graph.order!.filter((id) => s!.module.resources.has(id));
    expect(order.indexOf("fake_thing.after")).toBe(2);
    const bad = await session({ "main.pmx.hcl": `resource "fake_thing" "after" {\n  name       = "x"\n  depends_on = [module.nope]\n}\n` });
    expect(summaries(bad.session!.evaluation.declGraph().diagnostics)).toEqual(["Reference to undeclared resource"]);
  });

  it("resolves depends_on and replace_triggered_by inside a module against the module", async () => {
    const f = new FakeRun();
    runs.push(f);
    const mod = (size: number): string =>
      `resource "fake_thing" "a" {\n  name = "a"\n  size = ${size}\n}\nresource "fake_thing" "b" {\n  name = "b"\n  depends_on = [fake_thing.a]\n  lifecycle {\n    replace_triggered_by = [fake_thing.a]\n  }\n}\n`;
    mkdirSync(join(f.dir, "m"), { recursive: true });
    writeFileSync(join(f.dir, "m/main.pmx.hcl"), mod(1));
    f.configure(`module "x" {\n  source = "./m"\n}\nresource "fake_thing" "b" {\n  name = "root-b"\n}\n`);
    await f.run();
    writeFileSync(join(f.dir, "m/main.pmx.hcl"), mod(2));
    const r = await f.plan();
    expect(summaries(r.diagnostics.filter((d) => d.severity === "error"))).toEqual([]);
    const actions = Object.fromEntries(r.changes.map((c) => [c.address, c.action]));
    // The module's b is replaced because the module's a is; the root's b of the same name is not touched.
    expect(actions).toEqual({ "module.x.fake_thing.a": "replace", "module.x.fake_thing.b": "replace", "fake_thing.b": "no-op" });
  });
});
