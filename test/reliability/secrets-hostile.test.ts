// A sensitive variable never shows in plan output or in an error: nested in a map or list
// attribute (env, ssh_public_keys), in a function's error message (tonumber, regex, file,
// cidrhost, jsondecode, ...), in a schema type error (memory = var.s), or as a for_each key
// (refused, as Terraform does). The secret is random per seed; each error case is its own output
// so that one run shows every message.
import { afterAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, container } from "../e2e/helpers.js";
import { prng } from "../helpers/prng.js";
import { putSimOciArchive } from "../helpers/sim-oci-archive.js";

const SEED = Number(process.env["PMXFORM_SEED"] ?? Date.now() % 100000);

/** Expressions that fail with a message that used to quote their (sensitive) argument. */
const FAILING = [
  "tonumber(var.tok)",
  'regex(var.tok, "x")',
  'regex("(a", var.tok)',
  'regexall(var.tok, "x")',
  "file(var.tok)",
  "cidrhost(var.tok, 1)",
  "cidrsubnet(var.tok, 8, 1)",
  "jsondecode(var.tok)",
  'yamldecode("{")',
  "parseint(var.tok, 10)",
  "tobool(var.tok)",
  'element([var.tok], "x")',
  'formatdate(var.tok, "2020-01-01T00:00:00Z")',
  'timeadd(var.tok, "1h")',
  "base64decode(var.tok)",
  "var.tok + 1",
  "{ a = 1 }[var.tok]",
  "upper(var.tok) * 2",
  "[for x in [var.tok] : tonumber(x)]",
  '"pre-${var.tok}" - 1',
];

function secret(rand: () => number): string {
  const chars = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  let s = "Sx";
  for (let i = 0; i < 14; i++) s += chars[Math.floor(rand() * chars.length)];
  return s;
}

describe.skipIf(!BUILT)(`secrets under hostile use${BUILT ? "" : ` (skipped: ${NOT_BUILT})`} (seed ${SEED})`, () => {
  const rand = prng(SEED);
  const tok = secret(rand);
  const leaks = (text: string) => [tok, tok.toUpperCase(), tok.toLowerCase(), tok.slice(2, 12)].filter((s) => text.includes(s));
  const dirs: Workdir[] = [];
  const dir = (text: string) => {
    const w = new Workdir("pmx-secret-hostile-");
    dirs.push(w);
    w.write("main.pmx.hcl", `${SIM_NODE}\nvariable "tok" {\n  type = string\n  sensitive = true\n}\n${text}`);
    return w;
  };
  afterAll(() => dirs.forEach((w) => w.remove()));

  it("hides a secret nested in map and list attributes in the human plan", async () => {
    const w = dir(
      container("k", '  ssh_public_keys = ["ssh-ed25519 AAAA ${var.tok}", "ssh-ed25519 BBBB other"]') +
        `resource "oci_container" "app" {\n  node  = "pve1"\n  image = "local:vztmpl/app.tar"\n  env   = { T = var.tok, PLAIN = "visible" }\n}\n`,
    );
    // Proxmox (and the plan's node checks) need the image archive on the node.
    putSimOciArchive(w.path("sim"), "app.tar");
    const r = await w.run("plan", "-var", `tok=${tok}`);
    expect(r.code, r.stderr).toBe(0);
    expect(leaks(r.stdout + r.stderr)).toEqual([]);
    expect(r.stdout).toMatch(/env\s+= \(sensitive value\)/);
    expect(r.stdout).toMatch(/ssh_public_keys = \(sensitive value\)/);
  });

  it("never quotes a secret in a function, operator or schema error", async () => {
    // A seeded shuffle: the order of outputs must not matter to what is hidden.
    const cases = [...FAILING].sort(() => rand() - 0.5);
    const outputs = cases.map((e, i) => `output "o${i}" {\n  value = ${e}\n  sensitive = true\n}\n`).join("");
    const w = dir(outputs + container("m", "  memory = var.tok"));
    const r = await w.run("plan", "-var", `tok=${tok}`);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain("internal error");
    // Every case failed with its own diagnostic, and none of them told the secret.
    const errors = r.stderr.split(/^Error: /m).slice(1);
    expect(errors.length, r.stderr).toBeGreaterThanOrEqual(cases.length);
    expect(leaks(r.stdout + r.stderr), r.stderr).toEqual([]);
    expect(r.stderr).toContain('"memory": a number is required, got a sensitive value');
  });

  it("refuses sensitive for_each keys (they would be in every address)", async () => {
    const w = dir(`resource "lxc_container" "c" {\n  for_each = toset([var.tok, "plain"])\n  node     = "pve1"\n  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"\n}\n`);
    const r = await w.run("plan", "-var", `tok=${tok}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Error: Invalid for_each argument");
    expect(r.stderr).toContain("cannot be used as for_each keys");
    expect(leaks(r.stdout + r.stderr)).toEqual([]);
  });
});
