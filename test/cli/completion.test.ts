// `pmxform completion bash|zsh|fish` (issue 16 item 14): the bash script, sourced in a real bash,
// completes verbs, sub-verbs and each verb's own flags; zsh and fish scripts name every verb.
import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, Workdir } from "../e2e/helpers.js";

const VERBS = ["validate", "fmt", "plan", "apply", "destroy", "show", "import", "state", "output", "graph", "nodes", "force-unlock", "sim", "version", "completion", "audit", "approve", "mcp"];

describe.skipIf(!BUILT)(`shell completion${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeAll(() => {
    w = new Workdir();
  });
  afterAll(() => w.remove());

  it("bash completes verbs, sub-verbs and the flags of the verb being typed", async () => {
    const script = await w.run("completion", "bash");
    expect(script.code).toBe(0);
    writeFileSync(w.path("pmxform.bash"), script.stdout);
    const complete = (...words: string[]): string[] =>
      execFileSync(
        "bash",
        [
          "-c",
          `source ${JSON.stringify(join(w.dir, "pmxform.bash"))}; COMP_WORDS=(${words.map((x) => `'${x}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _pmxform; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { encoding: "utf8" },
      )
        .split("\n")
        .filter(Boolean)
        .sort();
    expect(complete("pmxform", "")).toEqual(expect.arrayContaining(VERBS));
    expect(complete("pmxform", "st")).toEqual(["state"]);
    expect(complete("pmxform", "state", "")).toEqual(expect.arrayContaining(["list", "show", "rm", "mv"]));
    expect(complete("pmxform", "plan", "--ou")).toEqual(["--out"]);
    expect(complete("pmxform", "apply", "--auto")).toEqual(["--auto-approve"]);
    expect(complete("pmxform", "fmt", "--ch")).toEqual(["--check"]);
    // -chdir before the verb does not hide the verb; sub-verb flags are the sub-verb's.
    expect(complete("pmxform", "-chdir=x", "state", "list", "--lo")).toEqual(["--lock", "--lock-timeout"]);
    expect(complete("pmxform", "show", "--auto")).toEqual([]);
  });

  it("zsh and fish scripts name every verb; an unknown shell is refused", async () => {
    for (const shell of ["zsh", "fish"]) {
      const r = await w.run("completion", shell);
      expect(r.code).toBe(0);
      for (const v of VERBS) expect(r.stdout, `${shell} ${v}`).toMatch(new RegExp(`\\b${v}\\b`));
    }
    const fish = (await w.run("completion", "fish")).stdout;
    expect(fish).toContain('complete -c pmxform -n "__fish_seen_subcommand_from plan" -l out');
    if (spawnSync("zsh", ["--version"]).status === 0) expect(spawnSync("zsh", ["-n", "-c", (await w.run("completion", "zsh")).stdout]).status).toBe(0);
    const bad = await w.run("completion", "powershell");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Unsupported shell");
  });
});
