// `pmxform ui` end to end: the real server (a child process), real headless Chromium, the CLI it
// spawns and the simulator. The token is enforced (no token, another Origin, another Host, no
// CSRF token: 403); a plan made with the page's button streams its output over SSE (each node's
// refresh shown live as progress); apply needs
// the plan's counts typed (wrong counts change nothing), then changes the simulator; an applied
// plan cannot be applied again, and a plan made stale by an edit in between is refused by the CLI.
import { existsSync, readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "../e2e/helpers.js";
import { HAVE_CHROMIUM, NO_CHROMIUM, launchBrowser, startUi, type Browser, type UiProcess } from "./chromium.js";

const container = (name: string, vmid: number, memory: number) => `resource "lxc_container" "${name}" {
  node     = "pve1"
  vmid     = ${vmid}
  memory   = ${memory}
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  rootfs {
    storage = "local-lvm"
    size    = "4G"
  }
}
`;

const RUN = BUILT && HAVE_CHROMIUM;

/** A raw request, so Host and Origin can be anything (fetch would not send another Host). */
function raw(ui: UiProcess, path: string, headers: Record<string, string>, method = "GET", body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port: ui.port, path, method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe.skipIf(!RUN)(`pmxform ui in Chromium${RUN ? "" : ` (skipped: ${BUILT ? NO_CHROMIUM : NOT_BUILT})`}`, () => {
  let w: Workdir;
  let ui: UiProcess;
  let browser: Browser;
  let page: Page;
  const conf = (vmid: number) => w.path(`sim/etc/pve/nodes/pve1/lxc/${vmid}.conf`);

  beforeAll(async () => {
    w = new Workdir("pmx-ui-view-");
    w.write("main.pmx.hcl", SIM_NODE + container("web", 130, 512) + container("db", 131, 512));
    const a = await w.run("apply", "-auto-approve");
    expect(a.code, a.stderr).toBe(0);
    // The change to review: web's memory goes up, db goes away.
    w.write("main.pmx.hcl", SIM_NODE + container("web", 130, 1024));
    ui = await startUi(w.dir);
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });
  afterAll(async () => {
    await ui?.stop();
    await browser?.close();
    w?.remove();
  });

  /** Clicks the page's Plan button and waits until the job page has moved on to the new plan. */
  async function planFromPage(): Promise<void> {
    await page.goto(`${ui.origin}/plan`);
    await Promise.all([page.waitForURL(/\/jobs\/plan-\d+$/), page.click("#plan-button")]);
    await page.waitForURL(`${ui.origin}/plan`);
  }

  it("refuses a browser without the token, another Origin, another Host and a form without the CSRF token", async () => {
    const bare = await page.goto(`${ui.origin}/`);
    expect(bare?.status()).toBe(403);
    expect(await page.locator("body").innerText()).toContain("Forbidden");
    const token = { "x-pmxform-token": ui.token };
    expect((await raw(ui, "/state", { host: `127.0.0.1:${ui.port}`, ...token })).status).toBe(200);
    expect((await raw(ui, "/state", { host: `127.0.0.1:${ui.port}` })).status).toBe(403);
    expect((await raw(ui, "/state", { host: `127.0.0.1:${ui.port}`, ...token, origin: "http://evil.example" })).status).toBe(403);
    expect((await raw(ui, "/state", { host: `attacker.example:${ui.port}`, ...token })).status).toBe(403);
    expect((await raw(ui, "/events/plan-1", { host: `127.0.0.1:${ui.port}` })).status).toBe(403);
    const post = await raw(ui, "/plan", { host: `127.0.0.1:${ui.port}`, ...token, "content-type": "application/x-www-form-urlencoded" }, "POST", "csrf=wrong");
    expect(post.status).toBe(403);
    // Nothing was planned by the refused POST.
    expect((await raw(ui, "/plan", { host: `127.0.0.1:${ui.port}`, ...token })).body).toContain("No plan made in this page yet.");
  });

  it("the printed URL sets the cookie, drops the token from the address bar and shows resources with live status", async () => {
    await page.goto(ui.url);
    expect(page.url()).toBe(`${ui.origin}/`);
    const table = await page.locator("#resources").innerText();
    expect(table).toMatch(/lxc_container\.web\s+pve1\s+130\s+stopped/);
    expect(table).toMatch(/lxc_container\.db\s+pve1\s+131\s+stopped\s+in state, not in the configuration/);
    expect((await page.goto(`${ui.origin}/state`))?.status()).toBe(200);
    expect(await page.locator("#state").innerText()).toContain("lxc_container.db");
  });

  it("makes a plan with the button, its output streamed over SSE; wrong counts are refused and change nothing", async () => {
    // What the job page shows as refresh progress, recorded as it changes (the page moves on to the
    // plan when the job ends), with whether the job had ended at that moment.
    // (A string: this project's TypeScript has no DOM types; the script runs in the page.)
    await page.addInitScript(`
      const seen = () => JSON.parse(sessionStorage.getItem("progress-seen") ?? "[]");
      new MutationObserver(() => {
        const shown = document.getElementById("job-progress");
        if (!shown || shown.hidden || !shown.textContent) return;
        const entry = (document.body.dataset.done ? "after" : "during") + ": " + shown.textContent;
        const all = seen();
        if (all[all.length - 1] !== entry) sessionStorage.setItem("progress-seen", JSON.stringify([...all, entry]));
      }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
    `);
    await planFromPage();
    // Each step of the refresh was on the page while the plan ran, in order.
    const seen = JSON.parse((await page.evaluate<string | null>('sessionStorage.getItem("progress-seen")')) ?? "[]") as string[];
    expect(seen.filter((s) => s.startsWith("during: ")).map((s) => s.replace(/ \d+ ms$/, " N ms"))).toEqual(["during: refresh: pve1 proxmox reading...", "during: refresh: pve1 proxmox read in N ms"]);
    expect(await page.locator("#summary-destroy").innerText()).toContain("lxc_container.db");
    expect(await page.locator("#expected-counts").innerText()).toBe("0 to add, 1 to change, 1 to destroy");
    await page.screenshot({ path: w.path("ui-plan.png"), fullPage: true });
    // The same plan as the standalone report, for keeping.
    const report = await browser.context.request.get(`${ui.origin}${await page.locator("#report-link").getAttribute("href")}`);
    expect(report.status()).toBe(200);
    expect(report.headers()["content-disposition"]).toBe('attachment; filename="pmxform-plan-1.html"');
    const reportHtml = await report.text();
    expect(reportHtml.startsWith("<!doctype html>")).toBe(true);
    expect(reportHtml).toContain('<div id="summary-destroy" class="box destroy"><h3>1 resource will be destroyed</h3>');
    expect(reportHtml).not.toContain("<script");
    expect(readFileSync(w.path("ui-plan.png")).length).toBeGreaterThan(10_000);
    // The plan's own output, replayed by the job's event stream.
    const events = await raw(ui, "/events/plan-1", { host: `127.0.0.1:${ui.port}`, "x-pmxform-token": ui.token });
    expect(events.body).toContain("event: line");
    expect(events.body).toMatch(/event: progress\ndata: \{"stream":"progress","text":"refresh: pve1 proxmox read in \d+ ms"\}/);
    expect(events.body).not.toContain('"stream":"stderr"');
    expect(events.body).toContain("Plan: 0 to add, 1 to change, 1 to destroy.");
    expect(events.body).toMatch(/event: done\ndata: \{"ok":true/);

    for (const typed of ["yes", "0 to add, 1 to change, 0 to destroy"]) {
      await page.fill("#confirm", typed);
      const [response] = await Promise.all([page.waitForNavigation(), page.click("#apply-button")]);
      expect(response?.status()).toBe(400);
      expect(await page.locator("#apply-error").innerText()).toContain("Not applied");
    }
    expect(readFileSync(conf(130), "utf8")).toMatch(/^memory: 512$/m);
    expect(existsSync(conf(131))).toBe(true);
  });

  it("applies after the counts are typed: the simulator changes, and the plan cannot be applied twice", async () => {
    await page.fill("#confirm", "0 to add, 1 to change, 1 to destroy");
    await Promise.all([page.waitForURL(/\/jobs\/apply-\d+$/), page.click("#apply-button")]);
    await page.waitForSelector("body[data-done]");
    expect(await page.locator("body").getAttribute("data-done")).toBe("ok");
    expect(await page.locator("#job-status").innerText()).toBe("Apply complete.");
    expect(await page.locator("#job-log").innerText()).toContain("Apply complete! Resources: 0 added, 1 changed, 1 destroyed.");
    expect(readFileSync(conf(130), "utf8")).toMatch(/^memory: 1024$/m);
    expect(existsSync(conf(131))).toBe(false);

    await page.goto(`${ui.origin}/plan`);
    expect(await page.locator("main").innerText()).toContain("This plan was applied");
    const csrf = await page.locator('input[name="csrf"]').first().getAttribute("value");
    const again = await browser.context.request.post(`${ui.origin}/apply`, { form: { csrf: csrf!, plan: "plan-1", confirm: "0 to add, 1 to change, 1 to destroy" }, headers: { origin: ui.origin } });
    expect(again.status()).toBe(409);
  });

  it("a plan made stale by an edit before apply is refused by the CLI's checks; the simulator keeps its values", async () => {
    w.write("main.pmx.hcl", SIM_NODE + container("web", 130, 2048));
    await planFromPage();
    expect(await page.locator("#expected-counts").innerText()).toBe("0 to add, 1 to change, 0 to destroy");
    // Someone edits the configuration between the review and the apply.
    w.write("main.pmx.hcl", SIM_NODE + container("web", 130, 4096));
    await page.fill("#confirm", "0 to add, 1 to change, 0 to destroy");
    await Promise.all([page.waitForURL(/\/jobs\/apply-\d+$/), page.click("#apply-button")]);
    await page.waitForSelector("body[data-done]");
    expect(await page.locator("body").getAttribute("data-done")).toBe("failed");
    expect(await page.locator("#job-log").innerText()).toMatch(/configuration.*changed|changed.*configuration/i);
    expect(readFileSync(conf(130), "utf8")).toMatch(/^memory: 1024$/m);
  });

  it("shows drift found by a plan, and the history of applies (or that there is none yet)", async () => {
    // The node acts behind pmxform's back.
    const path = conf(130);
    const { writeFileSync } = await import("node:fs");
    writeFileSync(path, readFileSync(path, "utf8").replace(/^memory: 1024$/m, "memory: 768"));
    w.write("main.pmx.hcl", SIM_NODE + container("web", 130, 1024));
    await planFromPage();
    await page.goto(`${ui.origin}/drift`);
    expect(await page.locator("#drift").innerText()).toMatch(/lxc_container\.web has changed outside pmxform[\s\S]*memory\s+1024\s+768/);
    await page.goto(`${ui.origin}/history`);
    const audit = w.path("pmxform.state.json.audit.jsonl");
    if (existsSync(audit)) expect(await page.locator("#history").innerText()).toContain("web");
    else expect(await page.locator("#no-history").isVisible()).toBe(true);
  });
});
