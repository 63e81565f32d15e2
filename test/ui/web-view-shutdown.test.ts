// Stopping `pmxform ui` while an apply it started is running: the apply gets one interrupt (as
// Ctrl-C on the command line), finishes what is in flight and saves the state; the server exits
// 0 only after it, leaving no lock, so the next plan runs and a second apply converges. Driven
// over plain HTTP with the token header, on a simulator with latency so the apply is still going.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, cli } from "../e2e/helpers.js";
import { startUi, type UiProcess } from "./chromium.js";

const containers = (n: number) =>
  Array.from(
    { length: n },
    (_, i) => `resource "lxc_container" "c${i}" {
  node     = "pve1"
  vmid     = ${150 + i}
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  rootfs {
    storage = "local-lvm"
    size    = "4G"
  }
}
`,
  ).join("");

describe.skipIf(!BUILT)(`stopping pmxform ui during an apply${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  let ui: UiProcess;

  beforeAll(async () => {
    w = new Workdir("pmx-ui-stop-");
    expect((await cli(w.dir, ["sim", "init", "sim", "--latency-ms", "150"])).code).toBe(0);
    w.write("main.pmx.hcl", SIM_NODE + containers(6));
    ui = await startUi(w.dir);
  });
  afterAll(async () => {
    await ui?.stop();
    w?.remove();
  });

  it("interrupts the apply once, waits for it, exits 0 and leaves no lock", async () => {
    const headers = { "x-pmxform-token": ui.token, "content-type": "application/x-www-form-urlencoded" };
    const csrf = /name="csrf" value="([^"]+)"/.exec(await (await fetch(`${ui.origin}/plan`, { headers })).text())![1]!;
    const planned = await fetch(`${ui.origin}/plan`, { method: "POST", headers, body: new URLSearchParams({ csrf }), redirect: "manual" });
    expect(planned.status).toBe(303);
    // Follow the job to its end over SSE.
    const events = await (await fetch(`${ui.origin}${planned.headers.get("location")!.replace("/jobs/", "/events/")}`, { headers })).text();
    expect(events).toMatch(/event: done\ndata: \{"ok":true/);
    const page = await (await fetch(`${ui.origin}/plan`, { headers })).text();
    const plan = /name="plan" value="([^"]+)"/.exec(page)![1]!;
    expect(page).toContain("6 to add, 0 to change, 0 to destroy");
    const applied = await fetch(`${ui.origin}/apply`, { method: "POST", headers, body: new URLSearchParams({ csrf, plan, confirm: "6 to add, 0 to change, 0 to destroy" }), redirect: "manual" });
    expect(applied.status).toBe(303);
    // Stop the server while the apply runs (each simulated command takes 150 ms).
    const exited = new Promise<number | null>((r) => ui.child.once("exit", (code) => r(code)));
    ui.child.kill("SIGTERM");
    expect(await exited).toBe(0);

    const again = await cli(w.dir, ["plan", "-no-color"]);
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    const converge = await cli(w.dir, ["apply", "-auto-approve", "-no-color"]);
    expect(converge.code, converge.stderr).toBe(0);
    expect((await cli(w.dir, ["plan", "-detailed-exitcode"])).code).toBe(0);
  });
});
