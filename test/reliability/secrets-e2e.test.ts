// Secrets through a whole end-to-end run: sensitive variables (from the environment, a var file and
// --var) flow into a password, a description and an output; every output of every command — human
// and JSON, plan/apply/show/state/output, errors of a pct call that echoes its arguments, retry
// lines, PMXFORM_DEBUG runs — and every file pmxform writes is grepped for the secret values.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setFaults } from "../../src/sim/faults.js";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, cli, type CliResult } from "../e2e/helpers.js";

const PW = "Pw-secret-7f3a9c";
const TOKEN = "Tok-secret-41b2e8";
const TOKEN2 = "Tok-secret-99d0c1";
const API = "Api-secret-5e6d7f";
const SECRETS = [PW, TOKEN, TOKEN2, API];

const CONFIG = `${SIM_NODE}
variable "root_pw" {
  type      = string
  sensitive = true
}
variable "token" {
  type      = string
  sensitive = true
}
variable "api_key" {
  type      = string
  sensitive = true
}
resource "lxc_container" "s" {
  node        = "pve1"
  vmid        = 330
  hostname    = "s"
  template    = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  password    = var.root_pw
  description = "token \${var.token}"
  tags        = ["a"]
  started     = true
  rootfs {
    storage = "local-lvm"
    size    = "4G"
  }
}
output "token" {
  value     = var.token
  sensitive = true
}
output "desc" {
  value = lxc_container.s.description
}
output "api_upper" {
  value = upper(var.api_key)
}
`;

describe.skipIf(!BUILT)(`secrets in an end-to-end run${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  const transcript: { cmd: string; out: string }[] = [];
  let token = TOKEN;
  const run = async (...args: string[]): Promise<CliResult> => {
    const r = await cli(w.dir, args, {
      PMXFORM_VAR_root_pw: PW,
      PMXFORM_DEBUG: "1",
    });
    transcript.push({ cmd: args.join(" "), out: r.stdout + r.stderr });
    return r;
  };
  /** Commands whose options come first: pmxform CMD [SUB] --var ... */
  const runCmd = (...args: string[]) => {
    const [cmd, ...rest] = args;
    const sub = cmd === "state" ? [rest.shift()!] : [];
    const takesVars = ["plan", "apply", "destroy", "import"].includes(cmd!);
    return run(cmd!, ...sub, ...(takesVars ? ["--var", `api_key=${API}`, "--var-file", "secret.pmxvars.json"] : []), ...rest);
  };
  const writeVars = () => w.write("secret.pmxvars.json", JSON.stringify({ token }));

  beforeAll(() => {
    w = new Workdir("pmx-secrets-");
    w.write("main.pmx.hcl", CONFIG);
    writeVars();
  });
  afterAll(() => w.remove());

  it("creates, shows, updates, fails and destroys without printing a secret", async () => {
    expect((await runCmd("validate")).code).toBe(0);
    expect((await runCmd("plan")).code).toBe(0);
    expect((await runCmd("plan", "--json")).code).toBe(0);
    expect((await runCmd("plan", "--out", "create.plan")).code).toBe(0);
    expect((await runCmd("show", "create.plan")).code).toBe(0);
    expect((await runCmd("show", "--json", "create.plan")).code).toBe(0);
    const applied = await runCmd("apply", "create.plan");
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/desc = <sensitive>|desc = \(sensitive value\)/);
    for (const args of [
      ["show"],
      ["show", "--json"],
      ["state", "list"],
      ["state", "show", "lxc_container.s"],
      ["output"],
      ["output", "--json"],
      ["output", "token"],
      ["output", "desc"],
      ["output", "api_upper"],
    ]) {
      const r = await runCmd(...args);
      expect(r.stderr, args.join(" ")).not.toContain("internal error");
    }

    // An update whose pct set fails twice: first a busy lock (retried), then an error echoing the
    // arguments the way pct's parameter verification does.
    token = TOKEN2;
    writeVars();
    expect((await runCmd("plan")).code).toBe(0);
    setFaults(w.path("sim"), [
      { tool: "pct", args: ["set", "330"], times: 1, exit: 255, stderr: `CT 330: can't lock file '/run/lock/lxc/pve-config-330.lock' - got timeout (description=token ${TOKEN2})` },
      { tool: "pct", args: ["set", "330"], nth: 2, times: 1, exit: 255, stderr: `400 Parameter verification failed.\ndescription: invalid format - 'token ${TOKEN2}' (root:${PW})` },
    ]);
    const failed = await runCmd("apply", "--auto-approve");
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/retrying in/);
    expect(failed.stderr).toMatch(/pct set failed: 400 Parameter verification failed\. description: invalid format - '\*\*\*'/);
    // The same failure under --json: the error is inside the document (plan, outcome, diagnostic).
    setFaults(w.path("sim"), [{ tool: "pct", args: ["set", "330"], times: 1, exit: 255, stderr: `400 Parameter verification failed.\ndescription: invalid format - 'token ${TOKEN2}' (root:${PW})` }]);
    const failedJson = await runCmd("apply", "--auto-approve", "--json");
    expect(failedJson.code).toBe(1);
    expect(JSON.parse(failedJson.stdout)).toMatchObject({ errored: true, resource_outcomes: [{ address: "lxc_container.s", status: "failed", error: expect.stringContaining("'***'") as unknown }] });
    setFaults(w.path("sim"), []);
    expect((await runCmd("apply", "--auto-approve", "--json")).code).toBe(0);
    expect((await runCmd("plan", "--detailed-exitcode")).code).toBe(0);
    expect((await runCmd("destroy", "--auto-approve", "--json")).code).toBe(0);
  }, 180_000);

  it("never showed a secret in any output", () => {
    expect(transcript.length).toBeGreaterThan(20);
    const leaks = transcript.flatMap(({ cmd, out }) => SECRETS.filter((s) => out.includes(s) || out.includes(s.toUpperCase())).map((s) => `${cmd}: ${s}`));
    expect(leaks).toEqual([]);
  });

  it("writes state, backup and plan files 0600, with no secret in the plan files", () => {
    const files = readdirSync(w.dir).filter((f) => /state|backup|\.plan$/.test(f));
    expect(files).toEqual(expect.arrayContaining(["pmxform.state.json", "pmxform.state.json.backup", "create.plan"]));
    for (const f of files) expect(`${f} ${(statSync(w.path(f)).mode & 0o777).toString(8)}`).toBe(`${f} 600`);
    for (const f of files.filter((n) => n.endsWith(".plan"))) {
      const text = readFileSync(w.path(f), "utf8");
      expect(
        SECRETS.filter((s) => text.includes(s) || text.includes(s.toUpperCase())),
        f,
      ).toEqual([]);
    }
  });
});
