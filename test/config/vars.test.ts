// Input variables: precedence (default < env < var files < --var), parsing modes, type
// conversion, validation rules, sensitivity and the diagnostics for each mistake.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeModule } from "../../src/config/decode.js";
import { parseHclFile } from "../../src/config/hcl/parser.js";
import type { VariableDecl } from "../../src/config/module.js";
import { Sensitive, Unknown } from "../../src/config/value.js";
import { resolveVariablesAsync as resolveVariables, resolveVariables as resolveVariablesSync } from "../../src/config/vars.js";
import type { VariableInputs } from "../../src/config/vars.js";

const dir = mkdtempSync(join(tmpdir(), "pmx-vars-"));

async function decls(src: string): Promise<Map<string, VariableDecl>> {
  const path = join(dir, "main.pmx.hcl");
  const parsed = await parseHclFile(path, src);
  expect(parsed.diagnostics).toEqual([]);
  const d = decodeModule([parsed.file]);
  expect(d.diagnostics).toEqual([]);
  return d.module.variables;
}

function inputs(over: Partial<VariableInputs> = {}): VariableInputs {
  return { cliVars: [], varFiles: [], env: {}, baseDir: dir, ...over };
}

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

describe("precedence", () => {
  it("takes default < env < var files in order < --var in order", async () => {
    const d = await decls(`
      variable "a" { default = "default" }
      variable "b" { default = "default" }
      variable "c" { default = "default" }
      variable "d" { default = "default" }
      variable "e" { default = "default" }
    `);
    const f1 = file("one.pmxvars.hcl", 'c = "file1"\nd = "file1"\ne = "file1"\n');
    const f2 = file("two.json", JSON.stringify({ d: "file2", e: "file2" }));
    const r = await resolveVariables(
      d,
      inputs({
        env: { PMXFORM_VAR_b: "env", PMXFORM_VAR_c: "env", PMXFORM_VAR_e: "env" },
        varFiles: [f1, f2],
        cliVars: ["e=cli1", "e=cli2"],
      }),
    );
    expect(r.diagnostics).toEqual([]);
    expect(Object.fromEntries(r.values)).toEqual({ a: "default", b: "env", c: "file1", d: "file2", e: "cli2" });
  });

  it("reads YAML var files too", async () => {
    const d = await decls('variable "tags" { type = list(string) }');
    const r = await resolveVariables(d, inputs({ varFiles: [file("v.yaml", "tags: [a, 1]\n")] }));
    expect(r.diagnostics).toEqual([]);
    expect(r.values.get("tags")).toEqual(["a", "1"]);
  });
});

describe("synchronous resolution", () => {
  it("works once the HCL parser is loaded (as after loading a configuration)", async () => {
    const d = await decls('variable "l" { type = list(number) }');
    const r = resolveVariablesSync(d, inputs({ cliVars: ["l=[1]"] }));
    expect(r.diagnostics).toEqual([]);
    expect(r.values.get("l")).toEqual([1]);
  });
});

describe("parsing modes", () => {
  it("takes primitive and untyped values literally and parses the rest as HCL", async () => {
    const d = await decls(`
      variable "s" { type = string }
      variable "n" { type = number }
      variable "u" {}
      variable "l" { type = list(number) }
      variable "o" { type = object({ cores = number, tags = optional(set(string), []) }) }
    `);
    const r = await resolveVariables(d, inputs({ cliVars: ["s=[1]", "n=4", "u=[1]", 'l=[1, "2"]', 'o={ cores = "2" }'] }));
    expect(r.diagnostics).toEqual([]);
    expect(Object.fromEntries(r.values)).toEqual({ s: "[1]", n: 4, u: "[1]", l: [1, 2], o: { cores: 2, tags: [] } });
  });

  it("parses complex env values as HCL and reports syntax errors", async () => {
    const d = await decls('variable "m" { type = map(string) }');
    const good = await resolveVariables(d, inputs({ env: { PMXFORM_VAR_m: "{ a = 1 }" } }));
    expect(good.values.get("m")).toEqual({ a: "1" });
    const bad = await resolveVariables(d, inputs({ env: { PMXFORM_VAR_m: "{ a = " } }));
    expect(bad.diagnostics.some((x) => x.severity === "error" && (x.detail ?? "").includes("PMXFORM_VAR_m"))).toBe(true);
  });
});

describe("mistakes", () => {
  it("rejects --var for undeclared variables and malformed options", async () => {
    const d = await decls('variable "bridge" { default = "vmbr0" }');
    const r = await resolveVariables(d, inputs({ cliVars: ["Bridge=x", "noequals"] }));
    expect(r.diagnostics.map((x) => x.summary)).toEqual(["Value for undeclared variable", "Invalid --var option"]);
    expect(r.diagnostics.find((x) => x.summary === "Value for undeclared variable")?.detail).toContain('Did you mean "bridge"?');
  });

  it("only warns for undeclared variables in var files and ignores unrelated env", async () => {
    const d = await decls('variable "a" { default = 1 }');
    const r = await resolveVariables(d, inputs({ varFiles: [file("extra.hcl", "zzz = 1\n")], env: { PMXFORM_VAR_other: "x" } }));
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]?.severity).toBe("warning");
    expect(r.diagnostics[0]?.subject?.start.line).toBe(1);
  });

  it("names a missing required variable and how to set it", async () => {
    const d = await decls('variable "token" { type = string }');
    const r = await resolveVariables(d, inputs());
    expect(r.diagnostics[0]?.summary).toBe("No value for required variable");
    expect(r.diagnostics[0]?.detail).toContain('"token"');
    expect(r.diagnostics[0]?.detail).toContain("PMXFORM_VAR_token");
    expect(r.diagnostics[0]?.subject?.start.line).toBe(1);
    expect(r.values.get("token")).toBeInstanceOf(Unknown);
  });

  it("reports conversion failures with the path, at the value in the var file", async () => {
    const d = await decls('variable "web" { type = object({ cores = number }) }');
    const r = await resolveVariables(d, inputs({ varFiles: [file("bad.hcl", 'web = {\n  cores = "many"\n}\n')] }));
    expect(r.diagnostics).toHaveLength(1);
    const x = r.diagnostics[0];
    expect(x?.summary).toBe("Invalid value for variable");
    expect(x?.detail).toContain('attribute "cores": a number is required');
    expect(x?.detail).toContain("var.web declared at");
    expect(x?.subject?.file).toBe(join(dir, "bad.hcl"));
  });

  it("reports an invalid default", async () => {
    const d = await decls('variable "n" {\n  type = number\n  default = "x"\n}');
    const r = await resolveVariables(d, inputs());
    expect(r.diagnostics[0]?.summary).toBe("Invalid default value for variable");
    expect(r.diagnostics[0]?.subject?.start.line).toBe(3);
  });

  it("rejects references and function calls in var files", async () => {
    const d = await decls('variable "a" { default = 1 }\nvariable "b" { default = 2 }');
    const r = await resolveVariables(d, inputs({ varFiles: [file("refs.hcl", 'a = var.b\nb = upper("x")\n')] }));
    expect(r.diagnostics.map((x) => x.summary).sort()).toEqual(["Function calls not allowed", "Variables not allowed"]);
  });

  it("reports unreadable and malformed var files", async () => {
    const d = await decls('variable "a" { default = 1 }');
    expect((await resolveVariables(d, inputs({ varFiles: ["missing.hcl"] }))).diagnostics[0]?.summary).toBe("Failed to read variables file");
    expect((await resolveVariables(d, inputs({ varFiles: [file("bad.json", "{")] }))).diagnostics[0]?.summary).toBe("Invalid variables file");
    expect((await resolveVariables(d, inputs({ varFiles: [file("list.json", "[1]")] }))).diagnostics[0]?.detail).toContain("must hold an object");
    expect((await resolveVariables(d, inputs({ varFiles: [file("blk.hcl", "x {\n}\n")] }))).diagnostics[0]?.summary).toBe("Unexpected block in variables file");
  });

  it("rejects null for non-nullable variables", async () => {
    const d = await decls('variable "a" {\n  nullable = false\n  default = "x"\n}');
    const r = await resolveVariables(d, inputs({ varFiles: [file("null.json", '{"a": null}')] }));
    expect(r.diagnostics[0]?.summary).toBe("Required variable not set");
  });
});

describe("validation and sensitivity", () => {
  const src = `
    variable "cores" {
      type = number
      default = 2
      validation {
        condition     = var.cores >= 1 && var.cores <= 64
        error_message = "cores must be between 1 and 64, got \${var.cores}."
      }
    }
    variable "password" {
      type      = string
      sensitive = true
      default   = "short"
      validation {
        condition     = length(var.password) >= 8
        error_message = "password \${var.password} is too short."
      }
    }
    variable "odd" {
      default = 1
      validation {
        condition     = "maybe"
        error_message = "x"
      }
    }
  `;

  it("runs validation rules and reports the message at the condition", async () => {
    const d = await decls(src);
    const r = await resolveVariables(d, inputs({ cliVars: ["cores=100"] }));
    const errs = r.diagnostics.filter((x) => x.severity === "error");
    expect(errs).toHaveLength(3);
    const cores = errs.find((x) => x.detail?.includes("cores must be"));
    expect(cores?.summary).toBe("Invalid value for variable");
    expect(cores?.detail).toContain("got 100.");
    expect(cores?.subject?.start.line).toBe(6);
    const pw = errs.find((x) => x.detail?.includes("sensitive value"));
    expect(pw?.detail).not.toContain("short");
    expect(errs.find((x) => x.summary === "Invalid validation result")?.subject?.start.line).toBe(22);
  });

  it("passes valid values and wraps sensitive ones", async () => {
    const d = await decls(src);
    d.delete("odd");
    const r = await resolveVariables(d, inputs({ cliVars: ["password=long-enough-secret"] }));
    expect(r.diagnostics).toEqual([]);
    expect(r.values.get("password")).toEqual(new Sensitive("long-enough-secret"));
    expect(r.values.get("cores")).toBe(2);
  });
});
