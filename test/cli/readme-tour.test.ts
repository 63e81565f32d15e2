// The README's tour works exactly as written (issue 16 item 13): the sh blocks of "A 60-second
// tour" and "Try it without the example" run unchanged in a fresh directory, with `pmxform` on
// the PATH as `npm link` puts it there (a wrapper in a bin directory standing in for the global
// link), each tour line on a terminal (util-linux `script`), and every line the README marks
// `# -> No changes` really prints No changes.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, BUILT, NOT_BUILT, ROOT, Workdir } from "../e2e/helpers.js";

interface Fence {
  lang: string;
  text: string;
}

/** The fenced code blocks of the README section headed `## title`. */
function fences(title: string): Fence[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no "## ${title}" section`);
  const next = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1] as string, text: m[2] as string }));
}

const NO_CHANGES = "No changes. Your infrastructure matches the configuration.";

describe.skipIf(!BUILT)(`README tour${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  const dirs: Workdir[] = [];
  afterAll(() => dirs.forEach((d) => d.remove()));

  /** A fresh directory and a PATH on which `pmxform` runs this checkout, as after `npm link`. */
  function fresh(): { dir: string; env: NodeJS.ProcessEnv } {
    const w = new Workdir();
    dirs.push(w);
    const bin = join(w.dir, ".bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "pmxform"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(bin, "pmxform"), 0o755);
    const work = join(w.dir, "work");
    mkdirSync(work);
    return { dir: work, env: { ...process.env, NO_COLOR: "1", PATH: `${bin}:${process.env.PATH ?? ""}` } };
  }

  it('"A 60-second tour" runs as written: every command succeeds and the re-plan says No changes', () => {
    const [hcl, sh, ...rest] = fences("A 60-second tour");
    expect(hcl?.lang).toBe("hcl");
    expect(sh?.lang).toBe("sh");
    expect(rest.filter((f) => f.lang === "sh")).toEqual([]);
    const fileName = /^# (\S+\.pmx\.hcl)$/m.exec(hcl?.text ?? "")?.[1];
    expect(fileName, "the HCL block's first line names its file").toBeDefined();
    const { dir, env } = fresh();
    writeFileSync(join(dir, fileName as string), hcl?.text ?? "");
    const lines = (sh?.text ?? "").split("\n").filter((l) => l.trim() !== "");
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      // On a terminal, as a reader types them: `destroy` asks for confirmation and gets "yes".
      const r = spawnSync("script", ["-qefc", line, "/dev/null"], { cwd: dir, env: { ...env, SHELL: "/bin/sh" }, input: "yes\n", encoding: "utf8" });
      expect(r.status, `${line}\n${r.stdout}${r.stderr}`).toBe(0);
      if (line.includes("-> No changes")) expect(r.stdout, line).toContain(NO_CHANGES);
    }
    const after = execFileSync("sh", ["-c", "pmxform state list"], { cwd: dir, env, encoding: "utf8" });
    expect(after.trim(), "destroy removed everything").toBe("");
  }, 120_000);

  it('"Try it without the example" runs as written and its last plan says No changes', () => {
    const blocks = fences("Try it without the example").filter((f) => f.lang === "sh");
    expect(blocks.length).toBe(1);
    const script = blocks[0]?.text ?? "";
    expect(script).toContain("-> No changes");
    const { dir, env } = fresh();
    const r = spawnSync("sh", ["-e", "-c", script], { cwd: dir, env, encoding: "utf8" });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(
      r.stdout
        .trimEnd()
        .split("\n")
        .some((l) => l.startsWith(NO_CHANGES)),
    ).toBe(true);
    expect(r.stdout.lastIndexOf(NO_CHANGES)).toBeGreaterThan(r.stdout.lastIndexOf("Apply complete!"));
  }, 120_000);
});
