// CLI start-up is mostly module loading: `pmxform validate` read ~210 files (107 modules of
// pmxform, 95 of zod) before the CLI was bundled (scripts/bundle-cli.mjs). A count, not a clock:
// a loader hook logs every ES module the command loads, and a handful is all it may take.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, BUILT, NOT_BUILT } from "../e2e/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "pmx-startup-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function modulesLoadedBy(args: string[], cwd: string): string[] {
  const log = join(dir, `loaded-${args.join("-")}.log`);
  writeFileSync(
    join(dir, "hooks.mjs"),
    `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) {\n  if (url.startsWith("file:")) appendFileSync(${JSON.stringify(log)}, url + "\\n");\n  return next(url, context);\n}\n`,
  );
  writeFileSync(join(dir, "register.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(dir, "hooks.mjs")).href)});\n`);
  writeFileSync(log, "");
  execFileSync(process.execPath, ["--import", pathToFileURL(join(dir, "register.mjs")).href, BIN, ...args], { cwd, stdio: "ignore" });
  return readFileSync(log, "utf8").split("\n").filter(Boolean);
}

describe.skipIf(!BUILT)(BUILT ? "CLI start-up" : NOT_BUILT, () => {
  it("validate of a small configuration loads a handful of modules, none from node_modules", () => {
    const config = mkdtempSync(join(dir, "config-"));
    writeFileSync(join(config, "main.pmx.hcl"), 'resource "lxc_container" "web" {\n  node     = "pve1"\n  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"\n}\n');
    const loaded = modulesLoadedBy(["validate"], config);
    expect(
      loaded.some((u) => u.endsWith("/dist/cli/cli.js")),
      loaded.join("\n"),
    ).toBe(true);
    expect(
      loaded.filter((u) => u.includes("/node_modules/")),
      loaded.join("\n"),
    ).toEqual([]);
    // 24 chunks once zfs_dataset, the shares and modules joined (esbuild splits the code shared by
    // the lazily loaded verbs into more, smaller chunks); the point is a few dozen files, not ~210.
    expect(loaded.length, loaded.join("\n")).toBeLessThanOrEqual(30);
  });

  it("fmt loads a handful of modules, none from node_modules (its verb is imported only when it runs)", () => {
    const config = mkdtempSync(join(dir, "fmt-"));
    writeFileSync(join(config, "main.pmx.hcl"), 'resource "lxc_container" "web" {\nnode="pve1"\n}\n');
    const loaded = modulesLoadedBy(["fmt"], config);
    expect(readFileSync(join(config, "main.pmx.hcl"), "utf8")).toBe('resource "lxc_container" "web" {\n  node = "pve1"\n}\n');
    expect(
      loaded.filter((u) => u.includes("/node_modules/")),
      loaded.join("\n"),
    ).toEqual([]);
    expect(loaded.length, loaded.join("\n")).toBeLessThanOrEqual(20);
  });

  it("--version loads fewer still", () => {
    const loaded = modulesLoadedBy(["--version"], dir);
    expect(loaded.length, loaded.join("\n")).toBeLessThanOrEqual(8);
  });
});
