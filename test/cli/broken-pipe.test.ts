// Output cut short (`show | head -1`, `plan -json | head`, `state list | head`): pmxform ends
// quietly with the status of a program killed by SIGPIPE (141, as Terraform), never Node's
// "Unhandled 'error' event" stack trace (issue 16 item 3).
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, BUILT, NOT_BUILT, SIM_NODE, Workdir, container } from "../e2e/helpers.js";

/** Runs the CLI and closes its stdout after the first chunk, as `| head -c 1` does. */
function cutAfterFirstChunk(cwd: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.once("data", () => child.stdout.destroy());
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe.skipIf(!BUILT)(`a reader that stops early${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeAll(async () => {
    w = new Workdir();
    w.write("main.pmx.hcl", SIM_NODE + container("app", `  vmid     = 100\n  hostname = "app"`));
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    // Far more output than a pipe buffers (64 KiB): 3000 recorded containers, 3000 planned.
    // Each copy names its own vmid: two entries claiming one container are refused at load.
    const state = JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { resources: { address: string; name: string; attributes: Record<string, unknown> }[] };
    const one = state.resources[0]!;
    state.resources = Array.from({ length: 3000 }, (_, i) => ({ ...one, address: `lxc_container.app${i}`, name: `app${i}`, attributes: { ...one.attributes, vmid: 5000 + i } }));
    writeFileSync(w.path("pmxform.state.json"), JSON.stringify(state));
    w.write(
      "main.pmx.hcl",
      SIM_NODE +
        `resource "lxc_container" "many" {\n  count    = 3000\n  node     = "pve1"\n  vmid     = 1000 + count.index\n  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"\n  rootfs {\n    storage = "local-lvm"\n    size    = "1G"\n  }\n}\n`,
    );
  }, 60_000);
  afterAll(() => w.remove());

  for (const args of [["show"], ["show", "-json"], ["state", "list"], ["plan", "-json", "-refresh=false"], ["plan", "-refresh=false"]]) {
    it(`pmxform ${args.join(" ")} | head`, async () => {
      const r = await cutAfterFirstChunk(w.dir, args);
      expect(r.stderr).not.toMatch(/EPIPE|Unhandled|at .*\.js:\d+|internal error/);
      expect(r.code).toBe(141);
    }, 120_000);
  }
});
