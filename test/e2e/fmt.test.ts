// `pmxform fmt` through the CLI: every example and fixture formats to a fixed point that parses
// to the same configuration, syntax errors leave files untouched, and Terraform's flags
// (-check exit 3, -diff, -recursive, -list/-write, stdin `-`) behave as Terraform's do.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hclCorpus, parsedShape } from "../helpers/hcl-corpus.js";
import { BIN, BUILT, NOT_BUILT, ROOT, Workdir } from "./helpers.js";
import type { CliResult } from "./helpers.js";

const ALL = hclCorpus(ROOT);
/** A flat, unique file name for a repository file, so that all of them fit in one directory. */
const flatName = (p: string): string => relative(ROOT, p).replaceAll("/", "__");

function withStdin(cwd: string, args: string[], input: string): Promise<CliResult> {
  return new Promise((resolveP) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } }, (err, stdout, stderr) => {
      resolveP({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

const dirs: Workdir[] = [];
const workdir = (): Workdir => {
  const w = new Workdir("pmx-fmt-");
  dirs.push(w);
  return w;
};
afterAll(() => dirs.forEach((w) => w.remove()));

const UNFORMATTED = `# leading comment
resource "lxc_container" "web" {
node="pve1"
      hostname   =   "web" // trailing
  tags = {
      env="prod"
   }
  description = <<EOT
   kept   exactly   
EOT
  /* block
     comment */
}
locals {   }
`;

const CANONICAL = `# leading comment
resource "lxc_container" "web" {
  node     = "pve1"
  hostname = "web" // trailing
  tags = {
    env = "prod"
  }
  description = <<EOT
   kept   exactly   
EOT
  /* block
     comment */
}

locals {}
`;

describe.skipIf(!BUILT)(BUILT ? "pmxform fmt" : NOT_BUILT, () => {
  it("formats every example and fixture to a fixed point that parses to the same configuration", async () => {
    const good = workdir();
    const bad = workdir();
    const kinds = await Promise.all(ALL.map(async (p) => ({ p, ...(await parsedShape(p, readFileSync(p, "utf8"))) })));
    for (const k of kinds) copyFileSync(k.p, (k.syntaxError ? bad : good).path(flatName(k.p)));
    expect(kinds.filter((k) => !k.syntaxError).length).toBeGreaterThan(10);

    const first = await good.run("fmt");
    expect(first.code, first.stderr).toBe(0);
    const once = new Map(kinds.filter((k) => !k.syntaxError).map((k) => [k.p, readFileSync(good.path(flatName(k.p)), "utf8")]));
    const second = await good.run("fmt");
    expect(second).toMatchObject({ code: 0, stdout: "" });
    expect(await good.run("fmt", "-check")).toMatchObject({ code: 0, stdout: "" });
    for (const k of kinds.filter((k) => !k.syntaxError)) {
      const text = readFileSync(good.path(flatName(k.p)), "utf8");
      expect(text, k.p).toBe(once.get(k.p));
      const after = await parsedShape(k.p, text);
      expect(after.syntaxError, k.p).toBe(false);
      expect(after.shape, k.p).toBe(k.shape);
    }

    // A syntax error is reported with its place; the file keeps its bytes.
    const broken = await bad.run("fmt");
    expect(broken.code).toBe(1);
    for (const k of kinds.filter((k) => k.syntaxError)) {
      expect(readFileSync(bad.path(flatName(k.p)), "utf8"), k.p).toBe(readFileSync(k.p, "utf8"));
      expect(broken.stderr, k.p).toMatch(new RegExp(`on ${flatName(k.p).replaceAll(".", "\\.")} line \\d+`));
    }
    expect(broken.stdout).toBe("");
  });

  it("-check exits 3 and lists unformatted files without writing them; 0 once formatted", async () => {
    const w = workdir().write("main.pmx.hcl", UNFORMATTED).write("ok.pmx.hcl", CANONICAL).write("other.pmx.yaml", "a:   1\n");
    expect(await w.run("fmt", "-check")).toMatchObject({ code: 3, stdout: "main.pmx.hcl\n" });
    expect(readFileSync(w.path("main.pmx.hcl"), "utf8")).toBe(UNFORMATTED);
    expect(await w.run("fmt")).toMatchObject({ code: 0, stdout: "main.pmx.hcl\n" });
    expect(readFileSync(w.path("main.pmx.hcl"), "utf8")).toBe(CANONICAL);
    expect(readFileSync(w.path("other.pmx.yaml"), "utf8")).toBe("a:   1\n");
    expect(await w.run("fmt", "-check")).toMatchObject({ code: 0, stdout: "" });
    // A syntax error outranks "not formatted": exit 1, and the other files are still checked.
    w.write("broken.pmx.hcl", "a = [1,\n").write("main.pmx.hcl", UNFORMATTED);
    const both = await w.run("fmt", "-check");
    expect(both).toMatchObject({ code: 1, stdout: "main.pmx.hcl\n" });
    expect(both.stderr).toContain("on broken.pmx.hcl line 1:");
  });

  it("-diff prints a unified diff; -write=false keeps the file; -list=false prints no names", async () => {
    const w = workdir().write("main.pmx.hcl", 'x  = 1\nlonger = "y"\n');
    const r = await w.run("fmt", "-diff", "-write=false", "-list=false");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('--- old/main.pmx.hcl\n+++ new/main.pmx.hcl\n@@ -1,2 +1,2 @@\n-x  = 1\n+x      = 1\n longer = "y"\n');
    expect(readFileSync(w.path("main.pmx.hcl"), "utf8")).toBe('x  = 1\nlonger = "y"\n');
  });

  it("descends into subdirectories only with -recursive, and formats given files and directories", async () => {
    const w = workdir().write("top.pmx.hcl", "a=1\n");
    mkdirSync(w.path("sub/deeper"), { recursive: true });
    w.write("sub/deeper/inner.pmx.hcl", "b=2\n");
    expect(await w.run("fmt")).toMatchObject({ code: 0, stdout: "top.pmx.hcl\n" });
    expect(readFileSync(w.path("sub/deeper/inner.pmx.hcl"), "utf8")).toBe("b=2\n");
    expect(await w.run("fmt", "-recursive")).toMatchObject({ code: 0, stdout: "sub/deeper/inner.pmx.hcl\n" });
    expect(readFileSync(w.path("sub/deeper/inner.pmx.hcl"), "utf8")).toBe("b = 2\n");
    w.write("sub/one.pmx.hcl", "c=3\n").write("vars.hcl", "d=4\n");
    expect(await w.run("fmt", "sub", "vars.hcl")).toMatchObject({ code: 0, stdout: "sub/one.pmx.hcl\nvars.hcl\n" });
    const yaml = await w.write("x.pmx.yaml", "a: 1\n").run("fmt", "x.pmx.yaml");
    expect(yaml.code).toBe(1);
    expect(yaml.stderr).toContain("YAML");
    expect((await w.run("fmt", "missing")).code).toBe(1);
  });

  it("reads stdin and writes the canonical text to stdout with `-`; -check on stdin exits 3", async () => {
    const w = workdir();
    expect(await withStdin(w.dir, ["fmt", "-"], UNFORMATTED)).toMatchObject({ code: 0, stdout: CANONICAL });
    expect(await withStdin(w.dir, ["fmt", "-check", "-"], UNFORMATTED)).toMatchObject({ code: 3, stdout: "" });
    expect(await withStdin(w.dir, ["fmt", "-check", "-"], CANONICAL)).toMatchObject({ code: 0, stdout: "" });
    const bad = await withStdin(w.dir, ["fmt", "-"], "a = [1,\n");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("line 1");
    expect(bad.stdout).toBe("");
  });
});
