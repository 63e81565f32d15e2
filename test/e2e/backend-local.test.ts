// The local backend through the CLI: encryption of the state file and saved plans (migration in
// and out, a wrong key or a bad block writes nothing), plans that overlap under shared locks
// while an apply waits for them, and workspaces laid out as Terraform does.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, Workdir, container } from "./helpers.js";
import { LocalBackend } from "../../src/state/backends/local.js";
import { newLockInfo } from "../../src/state/lock.js";

const sim = () => `proxmox {\n  node "pve1" {\n    sim = "sim"\n  }\n}\n`;
const VARS = `variable "pass" {\n  type      = string\n  sensitive = true\n}\n`;

describe.skipIf(!BUILT)(`local backend through the CLI${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  const dirs: Workdir[] = [];
  const workdir = () => {
    const w = new Workdir("pmx-local-backend-");
    dirs.push(w);
    return w;
  };
  afterAll(() => dirs.forEach((d) => d.remove()));

  it("encrypts the state file, refuses a wrong key or a bad block without writing, and migrates back to plain", async () => {
    const w = workdir();
    const web = container("web", '  hostname = "web"');
    const key = { PMXFORM_VAR_pass: "a passphrase long enough to use" };
    const run = (env: Record<string, string>, ...args: string[]) => import("./helpers.js").then((h) => h.cli(w.dir, args, env));
    w.write("main.pmx.hcl", sim() + web);
    expect((await run({}, "apply", "-auto-approve")).code).toBe(0);
    w.write("main.pmx.hcl", sim() + VARS + `encryption {\n  passphrase = var.pass\n  fallback {\n    unencrypted = true\n  }\n}\n` + web);
    const migrated = await run(key, "apply", "-auto-approve");
    expect(migrated.code, migrated.stderr).toBe(0);
    const encrypted = readFileSync(w.path("pmxform.state.json"), "utf8");
    expect(encrypted).toContain("pmxform_encrypted");
    expect(encrypted).not.toContain("web");
    expect(statSync(w.path("pmxform.state.json")).mode & 0o777).toBe(0o600);
    expect((await run(key, "state", "list")).stdout).toBe("lxc_container.web\n");
    const wrong = await run({ PMXFORM_VAR_pass: "another passphrase, also long" }, "apply", "-auto-approve");
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/encrypted with a key that the configuration does not have/);
    w.write("main.pmx.hcl", sim() + VARS + `encryption {\n  passphrase = var.pass\n  enforced   = true\n  unencrypted = true\n}\n` + web);
    const bad = await run(key, "apply", "-auto-approve");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/exactly one of passphrase, key_file or unencrypted/);
    w.write("main.pmx.hcl", sim() + VARS + `encryption {\n  passphrase = "short"\n}\n` + web);
    const short = await run(key, "plan");
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/shorter than 16 characters/);
    w.write("main.pmx.hcl", sim() + web);
    const noBlock = await run({}, "plan");
    expect(noBlock.code).toBe(1);
    expect(noBlock.stderr).toMatch(/is encrypted, but the configuration has no encryption block/);
    expect(readFileSync(w.path("pmxform.state.json"), "utf8")).toBe(encrypted);
    // Back to plain: unencrypted primary, the key as fallback, one apply.
    w.write("main.pmx.hcl", sim() + VARS + `encryption {\n  unencrypted = true\n  fallback {\n    passphrase = var.pass\n  }\n}\n` + web);
    expect((await run(key, "apply", "-auto-approve")).code).toBe(0);
    w.write("main.pmx.hcl", sim() + web);
    const plain = await run({}, "plan", "-detailed-exitcode");
    expect(plain.code, plain.stderr).toBe(0);
    expect(readFileSync(w.path("pmxform.state.json"), "utf8")).toContain('"lxc_container.web"');
  }, 180_000);

  it("plans run side by side under shared locks; an apply waits for them, then a plan from before it is stale", async () => {
    const w = workdir();
    const init = await w.run("sim", "init", w.path("sim"), "--latency-ms", "700");
    expect(init.code, init.stderr).toBe(0);
    w.write("main.pmx.hcl", sim() + container("a", '  hostname = "a"'));
    const h = await import("./helpers.js");
    const [p1, p2] = await Promise.all([h.cli(w.dir, ["plan", "-out=one.plan"]), h.cli(w.dir, ["plan", "-lock-timeout=0s"])]);
    expect(p1.code, p1.stderr).toBe(0);
    expect(p2.code, p2.stderr).toBe(0);
    // While a reader holds its shared lock (as a plan does, here held by this test so that the
    // timing is certain), an apply without a timeout is refused naming it...
    const backend = new LocalBackend(w.path("pmxform.state.json"), w.path("pmxform.state.d"));
    const reader = await backend.lock("default", "shared", newLockInfo("test", "plan", "test"), 0);
    const refused = await h.cli(w.dir, ["apply", "-auto-approve", "-lock-timeout=0s"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Error acquiring the state lock[\s\S]*Operation: plan/);
    // ...a plan is not...
    const plan = await h.cli(w.dir, ["plan", "-lock-timeout=0s"]);
    expect(plan.code, plan.stderr).toBe(0);
    // ...and an apply with a timeout waits for the reader to finish.
    const applying = h.cli(w.dir, ["apply", "-auto-approve", "-lock-timeout=120s"]);
    await new Promise((r) => setTimeout(r, 3000));
    const lxcDir = w.path("sim/etc/pve/nodes/pve1/lxc");
    expect(existsSync(lxcDir) ? readdirSync(lxcDir) : []).toEqual([]); // still waiting: nothing created
    await reader.release();
    const apply = await applying;
    expect(apply.code, apply.stderr).toBe(0);
    const stale = await w.run("apply", "one.plan");
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/Saved plan is stale/);
  }, 180_000);

  it("workspaces: Terraform's layout, separate states, a plan refused in another workspace", async () => {
    const w = workdir();
    w.write("main.pmx.hcl", sim() + container("a", '  hostname = "a"'));
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
    expect((await w.run("workspace", "new", "dev")).code).toBe(0);
    expect((JSON.parse(readFileSync(w.path("pmxform.state.d/dev/pmxform.state.json"), "utf8")) as { resources: unknown[] }).resources).toEqual([]);
    expect((await w.run("plan", "-out=dev.plan")).code).toBe(0);
    expect((await w.run("workspace", "select", "default")).code).toBe(0);
    const other = await w.run("apply", "dev.plan");
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/Saved plan is for another state[\s\S]*workspace dev/);
    expect((await w.run("workspace", "select", "nope")).stderr).toMatch(/doesn't exist[\s\S]*workspace new nope/);
    expect((await w.run("workspace", "list")).stdout).toBe("* default\n  dev\n");
  }, 120_000);
});
