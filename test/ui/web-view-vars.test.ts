// `pmxform ui --var ...`: the variables reach the plans the page makes and, sensitive ones
// included, the apply of the saved plan (which does not hold secrets); the secret itself never
// reaches a page, the streamed output or the saved plan file.
import { readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "../e2e/helpers.js";
import { HAVE_CHROMIUM, NO_CHROMIUM, launchBrowser, startUi, type Browser, type UiProcess } from "./chromium.js";

const SECRET = `s3cret-${process.pid}-Kw7`;
const CONFIG = `${SIM_NODE}
variable "pw" {
  type      = string
  sensitive = true
}
variable "mem" {
  type = number
}
resource "lxc_container" "web" {
  node     = "pve1"
  vmid     = 140
  memory   = var.mem
  password = var.pw
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  rootfs {
    storage = "local-lvm"
    size    = "4G"
  }
}
output "pw" {
  value     = var.pw
  sensitive = true
}
`;

const RUN = BUILT && HAVE_CHROMIUM;

describe.skipIf(!RUN)(`pmxform ui with variables${RUN ? "" : ` (skipped: ${BUILT ? NO_CHROMIUM : NOT_BUILT})`}`, () => {
  let w: Workdir;
  let ui: UiProcess;
  let browser: Browser;
  const uiDirsBefore = new Set(readdirSync(tmpdir()).filter((d) => d.startsWith("pmxform-ui-")));

  beforeAll(async () => {
    w = new Workdir("pmx-ui-vars-");
    w.write("main.pmx.hcl", CONFIG);
    ui = await startUi(w.dir, ["--var", `pw=${SECRET}`, "--var", "mem=768"]);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await ui?.stop();
    await browser?.close();
    w?.remove();
  });

  it("plans and applies with the given variables; the secret appears in no page, log or plan file", async () => {
    const page = await browser.context.newPage();
    const bodies: string[] = [];
    page.on("response", (r) => {
      if (r.headers()["content-type"]?.startsWith("text/"))
        void r.text().then(
          (t) => bodies.push(t),
          () => {},
        );
    });
    await page.goto(ui.url);
    await page.goto(`${ui.origin}/plan`);
    await Promise.all([page.waitForURL(/\/jobs\/plan-\d+$/), page.click("#plan-button")]);
    await page.waitForURL(`${ui.origin}/plan`);
    expect(await page.locator("#expected-counts").innerText()).toBe("1 to add, 0 to change, 0 to destroy");
    const planHtml = await page.content();
    expect(planHtml).toContain("(sensitive value)");
    // The saved plan the page made, in the server's private directory.
    const dirs = readdirSync(tmpdir()).filter((d) => d.startsWith("pmxform-ui-") && !uiDirsBefore.has(d));
    const planFiles = dirs.flatMap((d) => readdirSync(join(tmpdir(), d)).map((f) => join(tmpdir(), d, f)));
    expect(planFiles.length).toBeGreaterThan(0);
    for (const f of planFiles) expect(readFileSync(f, "utf8")).not.toContain(SECRET);

    await page.fill("#confirm", "1 to add, 0 to change, 0 to destroy");
    await Promise.all([page.waitForURL(/\/jobs\/apply-\d+$/), page.click("#apply-button")]);
    await page.waitForSelector("body[data-done]");
    expect(await page.locator("body").getAttribute("data-done")).toBe("ok");
    const log = await page.locator("#job-log").innerText();
    expect(log).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
    expect(readFileSync(w.path("sim/etc/pve/nodes/pve1/lxc/140.conf"), "utf8")).toMatch(/^memory: 768$/m);
    for (const path of ["/", "/state", "/plan", "/drift", "/history"]) {
      await page.goto(`${ui.origin}${path}`);
      bodies.push(await page.content());
    }
    bodies.push(log);
    for (const b of bodies) expect(b).not.toContain(SECRET);
    await page.close();
  });
});
