// Module blocks end to end through the CLI on the simulator: two levels of nesting, for_each
// and count over modules, outputs wired from module to module to root, moved root -> module and
// a module rename planning no changes after, -target module.x, state mv into and out of a
// module, import into a module address, diagnostics inside a module file with the call site,
// and a catalog source with a version constraint.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, cli } from "../e2e/helpers.js";

const TEMPLATE = "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz";

const ct = (name: string, hostname: string, extra = "", memory = "128"): string => `resource "lxc_container" "${name}" {
  node     = "pve1"
  hostname = ${hostname}
  memory   = ${memory}
  template = "${TEMPLATE}"
  rootfs {
    storage = "local-lvm"
    size    = "1G"
  }
${extra}}
`;

function put(w: Workdir, name: string, text: string): void {
  mkdirSync(dirname(w.path(name)), { recursive: true });
  writeFileSync(w.path(name), text);
}

const DB_MODULE = `variable "owner" {
  type = string
}
locals {
  host = "\${var.owner}-db"
}
${ct("db", "local.host")}
output "host" {
  value = lxc_container.db.hostname
}
output "password" {
  value     = "pw-\${var.owner}"
  sensitive = true
}
`;

const APP_MODULE = `variable "name" {
  type = string
}
variable "memory" {
  type    = number
  default = 128
  validation {
    condition     = var.memory >= 64
    error_message = "memory must be at least 64 MB."
  }
}
module "db" {
  source = "../db"
  owner  = var.name
}
${ct("app", "var.name", '  description = "db at ${module.db.host}"\n', "var.memory")}
output "hostname" {
  value = lxc_container.app.hostname
}
output "db_host" {
  value = module.db.host
}
output "db_password" {
  value     = module.db.password
  sensitive = true
}
`;

interface PlanJson {
  resource_changes: { address: string; module_address?: string; change: { actions: string[] }; previous_address?: string }[];
}

const actionsOf = (stdout: string): Map<string, string> => new Map((JSON.parse(stdout) as PlanJson).resource_changes.map((c) => [c.address, c.change.actions.join(",")]));

describe.skipIf(!BUILT)(`modules on the simulator${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  const root = (body: string): void => put(w, "main.pmx.hcl", SIM_NODE + body);
  const stateAddresses = (): string[] => (JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: { address: string }[] }).resources.map((r) => r.address).sort();

  beforeAll(() => {
    w = new Workdir("pmx-modules-");
    put(w, "modules/app/main.pmx.hcl", APP_MODULE);
    put(w, "modules/db/main.pmx.hcl", DB_MODULE);
  });
  afterAll(() => w.remove());

  const NESTED = `variable "apps" {
  default = { a = 256, b = 512 }
}
module "web" {
  source   = "./modules/app"
  for_each = var.apps
  name     = "web-\${each.key}"
  memory   = each.value
}
module "worker" {
  source = "./modules/app"
  count  = 2
  name   = "worker-\${count.index}"
}
output "web_hosts" {
  value = { for k, m in module.web : k => m.hostname }
}
output "worker_db" {
  value = module.worker[1].db_host
}
output "secret" {
  value     = module.web["a"].db_password
  sensitive = true
}
`;

  it("plans and applies two levels of modules with for_each and count, wiring outputs to the root", async () => {
    root(NESTED);
    const plan = await w.run("plan", "-json");
    expect(plan.stderr).toBe("");
    const actions = actionsOf(plan.stdout);
    expect([...actions.keys()].sort()).toEqual([
      'module.web["a"].lxc_container.app',
      'module.web["a"].module.db.lxc_container.db',
      'module.web["b"].lxc_container.app',
      'module.web["b"].module.db.lxc_container.db',
      "module.worker[0].lxc_container.app",
      "module.worker[0].module.db.lxc_container.db",
      "module.worker[1].lxc_container.app",
      "module.worker[1].module.db.lxc_container.db",
    ]);
    expect(new Set(actions.values())).toEqual(new Set(["create"]));
    const doc = JSON.parse(plan.stdout) as { resource_changes: { address: string; module_address?: string; name: string; index?: unknown }[] };
    expect(doc.resource_changes.find((c) => c.address === "module.worker[1].module.db.lxc_container.db")).toMatchObject({ module_address: "module.worker[1].module.db", name: "db" });
    expect(doc.resource_changes.find((c) => c.address === "module.worker[1].module.db.lxc_container.db")!.index).toBeUndefined();
    const human = await w.run("plan");
    expect(human.stdout).toContain('# module.web["a"].module.db.lxc_container.db will be created');
    expect(human.stdout).toContain('+ resource "lxc_container" "db" {');
    expect(human.stdout).toContain('description = "db at web-a-db"');

    const apply = await w.run("apply", "-auto-approve");
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain('module.web["b"].lxc_container.app: Creation complete');
    const out = await w.run("output", "-json");
    const outputs = JSON.parse(out.stdout) as Record<string, { value: unknown; sensitive: boolean }>;
    expect(outputs.web_hosts!.value).toEqual({ a: "web-a", b: "web-b" });
    expect(outputs.worker_db!.value).toBe("worker-1-db");
    expect(outputs.secret!.sensitive).toBe(true);
    const state = JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: { address: string; module?: string; name: string; index?: unknown }[] };
    const db = state.resources.find((r) => r.address === 'module.web["a"].module.db.lxc_container.db')!;
    expect(db.module).toBe('module.web["a"].module.db');
    expect(db.name).toBe("db");
    expect(db.index).toBeUndefined();
    expect(state.resources.find((r) => r.address === "module.worker[1].lxc_container.app")!.module).toBe("module.worker[1]");

    const again = await w.run("plan", "-detailed-exitcode");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("No changes.");
  }, 120_000);

  it("lists, shows and targets by module address", async () => {
    const list = await w.run("state", "list", 'module.web["a"]');
    expect(list.stdout.trim().split("\n")).toEqual(['module.web["a"].lxc_container.app', 'module.web["a"].module.db.lxc_container.db']);
    const all = await w.run("state", "list", "module.worker");
    expect(all.stdout.trim().split("\n")).toHaveLength(4);
    const show = await w.run("state", "show", "module.worker[0].lxc_container.app");
    expect(show.code).toBe(0);
    expect(show.stdout).toContain("worker-0");
    // Changing every module's memory but targeting one module plans only that module's change.
    put(w, "main.pmx.hcl", SIM_NODE + NESTED.replace("a = 256, b = 512", "a = 300, b = 600"));
    const target = await w.run("plan", "-json", "-target", 'module.web["b"]');
    const actions = actionsOf(target.stdout);
    expect([...actions.entries()].filter(([, a]) => a !== "no-op")).toEqual([['module.web["b"].lxc_container.app', "update"]]);
    const bad = await w.run("plan", "-target", "module.");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Invalid target address");
    root(NESTED);
  }, 120_000);

  it("applies a saved plan of a change inside a module instance", async () => {
    root(NESTED.replace("a = 256, b = 512", "a = 320, b = 512"));
    const plan = await w.run("plan", "-out", "p.plan");
    expect(plan.stdout).toContain('# module.web["a"].lxc_container.app will be updated in-place');
    expect(plan.stdout).toContain("Plan: 0 to add, 1 to change, 0 to destroy.");
    const apply = await w.run("apply", "p.plan");
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain('module.web["a"].lxc_container.app: Modifications complete');
    const state = JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: { address: string; attributes: { memory: number } }[] };
    expect(state.resources.find((r) => r.address === 'module.web["a"].lxc_container.app')!.attributes.memory).toBe(320);
    root(NESTED);
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
  }, 120_000);

  it("moves a root resource into a module and renames a module with moved blocks: no create or destroy, then no changes", async () => {
    // A root container first.
    root(NESTED + ct("solo", '"solo"'));
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    put(w, "modules/single/main.pmx.hcl", `variable "host" {\n  type = string\n}\n${ct("solo", "var.host")}`);
    const moved = NESTED.replace('module "worker"', 'module "workers"').replace("module.worker[1]", "module.workers[1]");
    root(
      moved +
        `module "single" {
  source = "./modules/single"
  host   = "solo"
}
moved {
  from = lxc_container.solo
  to   = module.single.lxc_container.solo
}
moved {
  from = module.worker
  to   = module.workers
}
`,
    );
    const plan = await w.run("plan", "-json");
    expect(plan.stderr).toBe("");
    const actions = actionsOf(plan.stdout);
    expect([...actions.values()].filter((a) => a !== "no-op")).toEqual([]);
    const doc = JSON.parse(plan.stdout) as PlanJson;
    expect(doc.resource_changes.find((c) => c.address === "module.single.lxc_container.solo")!.previous_address).toBe("lxc_container.solo");
    expect(doc.resource_changes.find((c) => c.address === "module.workers[1].module.db.lxc_container.db")!.previous_address).toBe("module.worker[1].module.db.lxc_container.db");
    const apply = await w.run("apply", "-auto-approve");
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain("0 added, 0 changed, 0 destroyed");
    expect(stateAddresses()).toContain("module.workers[0].lxc_container.app");
    expect(stateAddresses()).not.toContain("lxc_container.solo");
    const again = await w.run("plan", "-detailed-exitcode");
    expect(again.code).toBe(0);
  }, 120_000);

  it("state mv moves out of a module and back in, and a whole module", async () => {
    const out = await w.run("state", "mv", "module.single.lxc_container.solo", "lxc_container.solo");
    expect(out.code).toBe(0);
    let state = JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: { address: string; module?: string }[] };
    expect(state.resources.find((r) => r.address === "lxc_container.solo")!.module).toBeUndefined();
    // The moved block in the configuration moves it into the module again, as a plan shows.
    const plan = await w.run("plan", "-json");
    const solo = (JSON.parse(plan.stdout) as PlanJson).resource_changes.find((c) => c.address === "module.single.lxc_container.solo")!;
    expect(solo.change.actions).toEqual(["no-op"]);
    expect(solo.previous_address).toBe("lxc_container.solo");
    expect((await w.run("state", "mv", "lxc_container.solo", "module.single.lxc_container.solo")).code).toBe(0);
    state = JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: { address: string; module?: string }[] };
    expect(state.resources.find((r) => r.address === "module.single.lxc_container.solo")!.module).toBe("module.single");
    const whole = await w.run("state", "mv", "module.workers", "module.pool");
    expect(whole.stdout).toContain("Successfully moved 4 object(s).");
    expect(stateAddresses().filter((a) => a.startsWith("module.pool"))).toHaveLength(4);
    expect((await w.run("state", "mv", "module.pool", "module.workers")).code).toBe(0);
    const clash = await w.run("state", "mv", "module.workers[0]", "module.workers[1]");
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain("Destination exists");
    const again = await w.run("plan", "-detailed-exitcode");
    expect(again.code).toBe(0);
  }, 120_000);

  it("state rm module.x forgets everything inside it, and import brings it back at its module address", async () => {
    const before = JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: { address: string; attributes: { vmid: number } }[] };
    const address = 'module.web["a"].module.db.lxc_container.db';
    const vmid = before.resources.find((r) => r.address === address)!.attributes.vmid;
    const rm = await w.run("state", "rm", 'module.web["a"].module.db');
    expect(rm.code).toBe(0);
    expect(rm.stdout).toContain(`Removed ${address}`);
    expect(stateAddresses()).not.toContain(address);
    expect(stateAddresses()).toContain('module.web["a"].lxc_container.app');
    const imp = await w.run("import", address, `pve1/${vmid}`);
    // Created at this very address by this state: no warning about another project's container.
    expect(imp.stderr).toBe("");
    expect(imp.code).toBe(0);
    const state = JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: { address: string; module?: string }[] };
    expect(state.resources.find((r) => r.address === address)!.module).toBe('module.web["a"].module.db');
    const again = await w.run("plan", "-detailed-exitcode");
    expect(again.code).toBe(0);
  }, 120_000);

  it("destroys everything inside modules", async () => {
    const destroy = await w.run("destroy", "-auto-approve");
    expect(destroy.code).toBe(0);
    expect(destroy.stdout).toContain("Resources: 9 destroyed.");
    expect(stateAddresses()).toEqual([]);
  }, 120_000);
});

describe.skipIf(!BUILT)(`module diagnostics through the CLI${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeAll(() => {
    w = new Workdir("pmx-modules-diag-");
    put(w, "modules/db/main.pmx.hcl", DB_MODULE.replace("hostname = local.host", "hostname = local.hots"));
  });
  afterAll(() => w.remove());

  it("points at the module's file line and column and names the call site", async () => {
    put(w, "main.pmx.hcl", `${SIM_NODE}\nmodule "media" {\n  source = "./modules/db"\n  owner  = "m"\n}\n`);
    const r = await w.run("validate", "-json");
    const doc = JSON.parse(r.stdout) as { diagnostics: { summary: string; detail: string; range: { filename: string; start: { line: number; column: number } } }[] };
    const d = doc.diagnostics.find((x) => x.summary === "Reference to undeclared local value")!;
    expect(d.range.filename).toBe("modules/db/main.pmx.hcl");
    expect(d.range.start.line).toBe(9);
    expect(d.range.start.column).toBe(14);
    expect(d.detail).toMatch(/^In module\.media, called at main\.pmx\.hcl:7:1\./);
    const human = await w.run("plan");
    expect(human.stderr).toContain("on modules/db/main.pmx.hcl line 9");
    expect(human.stderr).toContain("In module.media, called at main.pmx.hcl:7:1.");
  });

  it("refuses an unknown argument with a suggestion, a missing one, and an output the module does not have", async () => {
    put(w, "modules/ok/main.pmx.hcl", DB_MODULE);
    put(w, "main.pmx.hcl", `${SIM_NODE}\nmodule "m" {\n  source = "./modules/ok"\n  ownr   = "x"\n}\noutput "o" {\n  value = module.m.hots\n}\n`);
    const r = await w.run("validate");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Unsupported argument");
    expect(r.stderr).toContain('Did you mean "owner"?');
    expect(r.stderr).toContain("on main.pmx.hcl line 9");
    expect(r.stderr).toContain("Missing required argument");
    put(w, "main.pmx.hcl", `${SIM_NODE}\nmodule "m" {\n  source = "./modules/ok"\n  owner  = "x"\n}\noutput "o" {\n  value = module.m.hots\n}\n`);
    const o = await w.run("validate");
    expect(o.stderr).toContain('An output value with the name "hots" has not been declared in module.m. Did you mean "host"?');
  });

  it("refuses a module that calls itself", async () => {
    put(w, "modules/loop/main.pmx.hcl", `module "again" {\n  source = "../loop"\n}\n`);
    put(w, "main.pmx.hcl", `${SIM_NODE}\nmodule "l" {\n  source = "./modules/loop"\n}\n`);
    const r = await w.run("validate");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Module cycle");
    expect(r.stderr).toContain("module.l -> module.l.module.again");
  });
});

describe.skipIf(!BUILT)(`catalog sources${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  let catalog: string;
  beforeAll(() => {
    w = new Workdir("pmx-modules-catalog-");
    catalog = w.path("catalog");
    put(w, "catalog/whoami/app.json", JSON.stringify({ name: "whoami", version: "1.4.2", description: "test app" }));
    put(
      w,
      "catalog/whoami/main.pmx.hcl",
      `variable "hostname" {\n  type    = string\n  default = "whoami"\n}\n${ct("app", "var.hostname")}output "url" {\n  value = "http://\${lxc_container.app.hostname}:80"\n}\n`,
    );
  });
  afterAll(() => w.remove());

  const call = (version: string): string => `${SIM_NODE}\nmodule "who" {\n  source  = "catalog/whoami"\n  version = "${version}"\n}\noutput "url" {\n  value = module.who.url\n}\n`;

  it("loads an app whose version satisfies the constraint, and applies it", async () => {
    put(w, "main.pmx.hcl", call("~> 1.4"));
    const r = await cli(w.dir, ["apply", "-auto-approve"], { PMXFORM_CATALOG_DIR: catalog });
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("module.who.lxc_container.app: Creation complete");
    expect(r.stdout).toContain('url = "http://whoami:80"');
  }, 60_000);

  it("refuses a version the catalog does not have, at the version attribute, naming the available one", async () => {
    put(w, "main.pmx.hcl", call(">= 2.0"));
    const r = await cli(w.dir, ["plan"], { PMXFORM_CATALOG_DIR: catalog });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("No matching catalog version");
    expect(r.stderr).toContain("on main.pmx.hcl line 9");
    expect(r.stderr).toContain('version = "1.4.2"');
    put(w, "main.pmx.hcl", call("1.4.2").replace(/ {2}version = .*\n/, ""));
    const missing = await cli(w.dir, ["plan"], { PMXFORM_CATALOG_DIR: catalog });
    expect(missing.stderr).toContain("Missing version constraint");
    put(w, "main.pmx.hcl", call("1.0").replace("catalog/whoami", "catalog/whoam"));
    const unknown = await cli(w.dir, ["plan"], { PMXFORM_CATALOG_DIR: catalog });
    expect(unknown.stderr).toContain('The catalog has no app "whoam"');
  });

  it("reads the same call written in YAML: the applied HCL configuration rewritten in YAML plans no changes", async () => {
    rmSync(w.path("main.pmx.hcl"));
    put(w, "main.pmx.yaml", `proxmox:\n  nodes:\n    pve1: { sim: sim }\nmodules:\n  who:\n    source: catalog/whoami\n    version: "~> 1.4"\noutputs:\n  url:\n    value: \${module.who.url}\n`);
    const same = await cli(w.dir, ["plan", "-detailed-exitcode"], { PMXFORM_CATALOG_DIR: catalog });
    expect(same.stderr).toBe("");
    expect(same.code).toBe(0);
    // An argument in YAML, applied with -target on the resource inside the module.
    put(w, "main.pmx.yaml", `proxmox:\n  nodes:\n    pve1: { sim: sim }\nmodules:\n  who:\n    source: catalog/whoami\n    version: "~> 1.4"\n    hostname: who2\n`);
    const r = await cli(w.dir, ["apply", "-auto-approve", "-target", "module.who.lxc_container.app"], { PMXFORM_CATALOG_DIR: catalog });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("module.who.lxc_container.app: Modifications complete");
    const show = await cli(w.dir, ["show", "-json"], { PMXFORM_CATALOG_DIR: catalog });
    expect(show.stdout).toContain('"address": "module.who.lxc_container.app"');
    expect(show.stdout).toContain('"hostname": "who2"');
  }, 60_000);
});
