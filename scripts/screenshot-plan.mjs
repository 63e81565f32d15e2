// Makes docs/images/plan-report.png, the README's picture of `pmxform show -html`: applies
// examples/homelab to a fresh simulator in a temporary directory, then plans a change that
// replaces the proxy (new template), destroys the database with its data volume, resizes an app
// and restarts both apps (tty), renders the saved plan as HTML and photographs it in Debian's headless Chromium.
// Run after `npm run build`: node scripts/screenshot-plan.mjs [OUT.png]
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = resolve(process.argv[2] ?? join(root, "docs/images/plan-report.png"));
const dir = mkdtempSync(join(tmpdir(), "pmxform-shot-"));
const cli = (...args) => execFileSync(process.execPath, [join(root, "bin/pmxform.js"), ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });

try {
  copyFileSync(join(root, "examples/homelab/main.pmx.hcl"), join(dir, "main.pmx.hcl"));
  cli("apply", "-auto-approve");
  let config = readFileSync(join(dir, "main.pmx.hcl"), "utf8");
  const replace = (from, to) => {
    if (!config.includes(from)) throw new Error(`examples/homelab changed: "${from}" is gone; update scripts/screenshot-plan.mjs`);
    config = config.replace(from, to);
  };
  replace("  template    = local.template\n", '  template    = "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz"\n');
  replace("media = { cores = 2, memory = 2048 }", "media = { cores = 2, memory = 4096 }");
  // A console change waits for the next start: the running apps restart.
  replace('  started    = true\n  tags       = ["app", each.key]', '  tty        = 4\n  started    = true\n  tags       = ["app", each.key]');
  config = config.slice(0, config.indexOf('resource "lxc_container" "db"')) + config.slice(config.indexOf('output "proxy_vmid"'));
  writeFileSync(join(dir, "main.pmx.hcl"), config);
  cli("plan", "-out", "plan.out");
  writeFileSync(join(dir, "plan.html"), cli("show", "-html", "plan.out"));

  const context = await chromium.launchPersistentContext(join(dir, "chromium-profile"), {
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1100, height: 820 },
  });
  try {
    const page = await context.newPage();
    await page.goto(pathToFileURL(join(dir, "plan.html")).href);
    await page.screenshot({ path: out });
  } finally {
    await context.close();
  }
  process.stdout.write(`wrote ${out}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
