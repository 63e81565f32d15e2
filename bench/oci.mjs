#!/usr/bin/env node
// Budget 7 of issue 9: an oci_image whose digest-named archive is already in template storage
// is created without a `skopeo copy` (real skopeo + docker-registry, test/helpers/registry.ts).
// skopeo runs through a PATH wrapper that logs each invocation. Reports the copies of the first
// pull (1) and of the second resource for the same image (budget 0), and both apply times.
// Usage: node bench/oci.mjs [--check]   (needs skopeo and docker-registry; skipped without them)
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tsImport } from "tsx/esm/api";
import { simProxmoxBlock } from "./lib/cluster.mjs";
import { CLI, OUT, report, requireBuild, round } from "./lib/stats.mjs";

const CHECK = process.argv.includes("--check");
const DIR = join(OUT, "oci");

const image = (name, host) => `resource "oci_image" "${name}" {\n  node       = "pve1"\n  storage    = "local"\n  reference  = "${host}/pmx/bench:1"\n  tls_verify = false\n}\n`;

async function main() {
  requireBuild();
  const reg = await tsImport("../test/helpers/registry.ts", import.meta.url);
  if (!reg.HAVE_REGISTRY_TOOLS) {
    process.stdout.write(`bench/oci.mjs skipped: ${reg.NO_REGISTRY_TOOLS}\n`);
    return 0;
  }
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(join(DIR, "wrap"), { recursive: true });
  const real = ["/usr/bin/skopeo", "/usr/local/bin/skopeo"].find((p) => existsSync(p));
  const log = join(DIR, "skopeo.log");
  writeFileSync(join(DIR, "wrap", "skopeo"), `#!/bin/sh\nprintf '%s\\n' "$*" >> "${log}"\nexec ${real} "$@"\n`);
  chmodSync(join(DIR, "wrap", "skopeo"), 0o755);
  const env = { ...process.env, NO_COLOR: "1", PATH: `${join(DIR, "wrap")}:${process.env.PATH}` };
  const copies = () =>
    existsSync(log)
      ? readFileSync(log, "utf8")
          .split("\n")
          .filter((l) => l.split(" ").includes("copy")).length
      : 0;
  const registry = await reg.startRegistry();
  try {
    await reg.pushImage(registry, "pmx/bench", "1", { entrypoint: ["/bin/app"], files: { "app/data.bin": "x".repeat(1 << 20) } });
    spawnSync(process.execPath, [CLI, "sim", "init", join(DIR, "sim")], { stdio: "ignore" });
    const apply = (cfg) => {
      writeFileSync(join(DIR, "main.pmx.hcl"), simProxmoxBlock(["pve1"]) + cfg);
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [CLI, "apply", "--auto-approve"], { cwd: DIR, env, encoding: "utf8" });
      if (r.status !== 0) throw new Error(`apply failed:\n${(r.stdout + r.stderr).slice(-1500)}`);
      return (performance.now() - t0) / 1000;
    };
    const firstSeconds = apply(image("first", registry.host));
    const firstCopies = copies();
    const secondSeconds = apply(image("first", registry.host) + image("second", registry.host));
    const secondCopies = copies() - firstCopies;
    const rows = [
      { figure: "first pull: skopeo copy processes", value: firstCopies, unit: "" },
      { figure: "  apply time", value: round(firstSeconds, 2), unit: "s" },
      { figure: "same image already in storage: skopeo copy processes", value: secondCopies, unit: "", budget: 0, op: "<=" },
      { figure: "  apply time", value: round(secondSeconds, 2), unit: "s" },
    ];
    const ok = report("oci", "OCI benchmark: one run (the figures are counts)", rows);
    return CHECK && !ok ? 1 : 0;
  } finally {
    await registry.stop();
  }
}

process.exitCode = await main().catch((e) => (process.stderr.write(`bench/oci.mjs: ${e.message}\n`), 2));
