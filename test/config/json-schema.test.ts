// The YAML editor schema (issue 16 item 12): generated from the provider schemas, committed in
// schema/ and never stale; every YAML example and valid YAML fixture passes a real JSON Schema
// validator (ajv) and names the schema for the YAML language server; mistakes `pmxform validate`
// reports are refused by the schema too.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { Ajv } from "ajv";
import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { configJsonSchema } from "../../src/provider/json-schema.js";
import { proxmoxProvider } from "../../providers/index.js";
import { BUILT, Workdir } from "../e2e/helpers.js";

const ROOT = resolve(import.meta.dirname, "../..");
const SCHEMA_FILE = join(ROOT, "schema/pmxform.schema.json");
const committed = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as Record<string, unknown>;
const validate = new Ajv({ allErrors: true, strict: false }).compile(committed);

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.pmx\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
// fleet.pmx.yaml is a decoding fixture that leaves out required arguments (validate refuses it too).
const VALID_YAML = [...yamlFiles(join(ROOT, "examples")), join(ROOT, "test/fixtures/config/basic/yaml/main.pmx.yaml")];

const errorsOf = (doc: unknown): string => (validate(doc) ? "" : JSON.stringify(validate.errors, null, 1));

describe("YAML editor schema", () => {
  it("schema/pmxform.schema.json is what the provider schemas generate now (run npm run schema)", () => {
    expect(committed).toEqual(configJsonSchema(proxmoxProvider().resourceTypes));
  });

  it("there are YAML examples to check", () => {
    expect(yamlFiles(join(ROOT, "examples")).length).toBeGreaterThan(0);
  });

  for (const file of VALID_YAML) {
    const name = relative(ROOT, file);
    it(`${name} validates against the schema and names it for the YAML language server`, () => {
      const src = readFileSync(file, "utf8");
      expect(errorsOf(parse(src))).toBe("");
      const m = /^# yaml-language-server: \$schema=(\S+)$/m.exec(src);
      expect(m, "missing the yaml-language-server comment").not.toBeNull();
      expect(resolve(dirname(file), (m as RegExpExecArray)[1] as string)).toBe(SCHEMA_FILE);
    });
  }

  const base = () => parse(readFileSync(join(ROOT, "examples/yaml-web/main.pmx.yaml"), "utf8")) as { resources: Record<string, Record<string, unknown>> } & Record<string, unknown>;
  const web = (doc: ReturnType<typeof base>) => doc.resources["lxc_container.web"] as Record<string, unknown>;
  const refused: [string, (doc: ReturnType<typeof base>) => void][] = [
    ["a misspelled argument", (d) => void (web(d).memroy = 1024)],
    ["a missing required argument", (d) => void delete web(d).node],
    ["a value of the wrong type", (d) => void (web(d).memory = [1])],
    ["a number out of range", (d) => void (web(d).cores = 0)],
    ["a value outside an enum", (d) => void (web(d).arch = "sparc")],
    ["a bad disk size", (d) => void (web(d).rootfs = { storage: "local-lvm", size: "8" })],
    ["an unknown resource type", (d) => void (d.resources["lxc_contaner.x"] = { node: "pve1" })],
    ["an unknown top-level key", (d) => void (d.resource = {})],
    ["an unknown node setting", (d) => void (d.proxmox = { nodes: { pve1: { shh: "root@h" } } })],
    ["a template string where a block goes", (d) => void (web(d).rootfs = "${var.rootfs}")],
  ];
  for (const [what, change] of refused) {
    it(`refuses ${what}, as pmxform validate does`, async () => {
      const doc = base();
      change(doc);
      expect(validate(doc)).toBe(false);
      if (!BUILT) return;
      const w = new Workdir();
      try {
        w.write("main.pmx.yaml", stringify(doc));
        const r = await w.run("validate");
        expect(r.code, r.stdout + r.stderr).toBe(1);
      } finally {
        w.remove();
      }
    }, 30_000);
  }

  const accepted: [string, (doc: ReturnType<typeof base>) => void][] = [
    ["an expression for any argument", (d) => void Object.assign(web(d), { memory: "${var.mem}", tags: "${var.tags}", started: "${var.on}" })],
    ["Terraform's conversions (a quoted number, a number where a string goes)", (d) => void Object.assign(web(d), { memory: "2048", started: "true", description: 42 })],
    ["count, depends_on and lifecycle", (d) => void Object.assign(web(d), { count: 2, depends_on: ["lxc_container.db"], lifecycle: { prevent_destroy: true, ignore_changes: ["tags"] } })],
    ["resources grouped by type", (d) => void (d.resources = { lxc_container: { web: web(d) } })],
    ["moved and import entries", (d) => void Object.assign(d, { moved: [{ from: "lxc_container.a", to: "lxc_container.web" }], import: { to: "lxc_container.web", id: "pve1/120" } })],
  ];
  for (const [what, change] of accepted) {
    it(`accepts ${what}`, () => {
      const doc = base();
      change(doc);
      expect(errorsOf(doc)).toBe("");
    });
  }
});
