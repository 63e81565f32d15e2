// `pmxform show -html` end to end: a plan with a replacement, a destroy and a data volume's
// deletion made by the CLI on the simulator, rendered to a file and opened in real headless
// Chromium: the destroy summary is visible above the fold and first, a screenshot is taken, the
// page loads nothing from the network, a sensitive value never appears in its bytes, and a
// hostile description and output run no script.
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "../e2e/helpers.js";
import { HAVE_CHROMIUM, NO_CHROMIUM, launchBrowser, type Browser } from "./chromium.js";

const SECRET = `pw-${process.pid}-Zq9x`;
const HOSTILE = `<script>window.__pwned=1</script>"'><img src=x onerror="window.__pwned=2">`;

const config = (v2: boolean) => `${SIM_NODE}
variable "pw" {
  type      = string
  sensitive = true
  default   = "${SECRET}"
}
resource "lxc_container" "web" {
  node        = "pve1"
  vmid        = 120
  template    = "local:vztmpl/${v2 ? "alpine-3.22-default_20250617_amd64.tar.xz" : "debian-12-standard_12.7-1_amd64.tar.zst"}"
  password    = var.pw
  description = ${JSON.stringify(v2 ? HOSTILE : "web")}
  rootfs {
    storage = "local-lvm"
    size    = "4G"
  }
}
${
  v2
    ? ""
    : `resource "lxc_container" "db" {
  node     = "pve1"
  vmid     = 121
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  rootfs {
    storage = "local-lvm"
    size    = "4G"
  }
  mount "data" {
    storage = "local-lvm"
    size    = "1G"
    path    = "/data"
  }
  depends_on = [lxc_container.web]
}`
}
output "note" {
  value = ${JSON.stringify(v2 ? HOSTILE : "fine")}
}
output "pw" {
  value     = var.pw
  sensitive = true
}
`;

const RUN = BUILT && HAVE_CHROMIUM;

describe.skipIf(!RUN)(`show -html in Chromium${RUN ? "" : ` (skipped: ${BUILT ? NO_CHROMIUM : NOT_BUILT})`}`, () => {
  let w: Workdir;
  let browser: Browser;
  let html: string;

  beforeAll(async () => {
    w = new Workdir("pmx-ui-report-");
    w.write("main.pmx.hcl", config(false));
    const a = await w.run("apply", "-auto-approve");
    expect(a.code, a.stderr).toBe(0);
    w.write("main.pmx.hcl", config(true));
    const p = await w.run("plan", "-out", "plan.out");
    expect(p.code, p.stderr).toBe(0);
    const s = await w.run("show", "-html", "plan.out");
    expect(s.code, s.stderr).toBe(0);
    html = s.stdout;
    writeFileSync(w.path("plan.html"), html);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    w?.remove();
  });

  it("writes one self-contained page that never holds the sensitive value", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).not.toContain(SECRET);
    expect(readFileSync(w.path("plan.out"), "utf8")).not.toContain(SECRET);
    expect(html).toContain("(sensitive value)");
    expect(html).not.toMatch(/<(script|link|iframe)\b/i);
    expect(html).not.toMatch(/<[a-z]+\s[^>]*\b(src|href)=/i);
  });

  it("leads with the destroy summary, visible above the fold; screenshot of the page", async () => {
    const page = await browser.context.newPage();
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    const url = pathToFileURL(w.path("plan.html")).href;
    await page.goto(url);
    const destroy = page.locator("#summary-destroy");
    await expect(destroy.isVisible()).resolves.toBe(true);
    expect(await destroy.innerText()).toContain("lxc_container.db");
    const box = await destroy.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.y + box!.height).toBeLessThanOrEqual(900);
    // Evaluated in the page (a string: this project's TypeScript has no DOM types).
    const order = await page.evaluate(`(() => {
      const first = document.querySelector("section.summary").firstElementChild.id;
      const d = document.getElementById("summary-destroy");
      const precedes = (id) => Boolean(d.compareDocumentPosition(document.getElementById(id)) & Node.DOCUMENT_POSITION_FOLLOWING);
      return { first, beforeAll: ["summary-replace", "summary-volumes", "summary-restart", "summary-counts", "changes", "graph", "outputs"].every(precedes) };
    })()`);
    expect(order).toEqual({ first: "summary-destroy", beforeAll: true });
    expect(await page.locator("#summary-replace").innerText()).toContain("lxc_container.web");
    expect(await page.locator("#summary-volumes").innerText()).toMatch(/local-lvm:vm-121-disk-1 \(1G\) of lxc_container\.db/);
    expect(await page.locator("#summary-counts").innerText()).toBe("Plan: 1 to add, 0 to change, 2 to destroy.");
    expect(await page.locator("#graph svg g.node").count()).toBe(2);
    const shot = w.path("plan-report.png");
    await page.screenshot({ path: shot, fullPage: true });
    const png = readFileSync(shot);
    expect(png.length).toBeGreaterThan(10_000);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(requests).toEqual([url]);
    await page.close();
  });

  it("shows a hostile description and output as text and runs nothing", async () => {
    const page = await browser.context.newPage();
    let dialogs = 0;
    page.on("dialog", (d) => {
      dialogs++;
      void d.dismiss();
    });
    await page.goto(pathToFileURL(w.path("plan.html")).href);
    const found = await page.evaluate<{ pwned: number; scripts: number; text: string }>(`({
      pwned: window.__pwned ?? 0,
      scripts: document.querySelectorAll("script, img, iframe").length,
      text: document.body.innerText,
    })`);
    expect(found.pwned).toBe(0);
    expect(found.scripts).toBe(0);
    expect(dialogs).toBe(0);
    expect(found.text).toContain(JSON.stringify(HOSTILE));
    await page.close();
  });
});
