// Values that would add lines of their own to a container's conf (or a second account to chpasswd)
// are refused at plan time, at the attribute, without the value being echoed: env keys and values,
// raw lxc lines, every string attribute, passwords and user names. Seeded: each run places a line
// break, CR or NUL at a random spot of a random attribute of both container types; a multi-line
// description (which Proxmox encodes line by line) still applies and re-plans as a no-op.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, container } from "../e2e/helpers.js";
import { prng } from "../helpers/prng.js";

const SEED = Number(process.env["PMXFORM_SEED"] ?? 2323);
const BREAKS = ["\n", "\r", "\u0000", "\r\n"];
const INJECTED = "lxc.apparmor.profile: unconfined";

/** HCL string literal of `s` (escapes as HCL reads them). */
const hclString = (s: string) => JSON.stringify(s);

interface Case {
  /** HCL attribute text, with $ for where the hostile string goes. */
  attr: (bad: string) => string;
  /** What the diagnostic names. */
  path: RegExp;
  /** A valid value to break. */
  base: string;
  lxc: boolean;
  oci: boolean;
  /** Whether the diagnostic is the password one. */
  secret?: boolean;
}

const CASES: Case[] = [
  { attr: (b) => `raw_lxc = [${hclString(b)}]`, path: /"raw_lxc\.0"/, base: "lxc.cap.drop: sys_time", lxc: true, oci: true },
  { attr: (b) => `nameserver = [${hclString(b)}]`, path: /"nameserver\.0"/, base: "10.0.0.1", lxc: true, oci: true },
  { attr: (b) => `searchdomain = [${hclString(b)}]`, path: /"searchdomain\.0"/, base: "example.org", lxc: true, oci: true },
  { attr: (b) => `timezone = ${hclString(b)}`, path: /"timezone"/, base: "Europe/Berlin", lxc: true, oci: true },
  { attr: (b) => `ssh_public_keys = [${hclString(b)}]`, path: /"ssh_public_keys\.0"/, base: "ssh-ed25519 AAAAC3Nza k@h", lxc: true, oci: true },
  { attr: (b) => `hookscript = ${hclString(b)}`, path: /"hookscript"/, base: "local:snippets/hook.sh", lxc: true, oci: true },
  { attr: (b) => `password = ${hclString(b)}`, path: /"password"/, base: "Secret-pw-1", lxc: true, oci: true, secret: true },
  { attr: (b) => `env = { APP = ${hclString(b)} }`, path: /"env\.APP"/, base: "prod", lxc: false, oci: true },
  { attr: (b) => `env = { ${hclString(b)} = "1" }`, path: /"env\./, base: "APP_MODE", lxc: false, oci: true },
  { attr: (b) => `entrypoint = [${hclString(b)}]`, path: /"entrypoint\.0"/, base: "/bin/app", lxc: false, oci: true },
  { attr: (b) => `working_dir = ${hclString(b)}`, path: /"working_dir"/, base: "/srv", lxc: false, oci: true },
  { attr: (b) => `user = ${hclString(b)}`, path: /"user"/, base: "app", lxc: false, oci: true, secret: true },
];

/** `base` with `brk` + an injected conf line at a random spot. */
function hostile(rand: () => number, base: string): { value: string; brk: string } {
  const brk = BREAKS[Math.floor(rand() * BREAKS.length)]!;
  const at = Math.floor(rand() * (base.length + 1));
  return { value: base.slice(0, at) + brk + INJECTED + base.slice(at), brk };
}

const oci = (name: string, body: string) => `resource "oci_container" "${name}" {
  node  = "pve1"
  image = "local:vztmpl/app.tar"
  ${body}
}
`;

describe.skipIf(!BUILT)(`conf line injection${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  const dirs: Workdir[] = [];
  const dir = () => {
    const w = new Workdir("pmx-inject-");
    dirs.push(w);
    return w;
  };
  afterAll(() => dirs.forEach((w) => w.remove()));

  const confs = (w: Workdir) => {
    const d = w.path("sim/etc/pve/nodes/pve1/lxc");
    return existsSync(d)
      ? readdirSync(d)
          .map((f) => readFileSync(`${d}/${f}`, "utf8"))
          .join("\n")
      : "";
  };

  it.each([0, 1, 2])(`refuses a line break, CR or NUL in every string attribute at plan time (seed ${SEED}, round %i)`, async (round) => {
    const rand = prng(SEED + round);
    const parts = [SIM_NODE];
    const expected: { name: string; c: Case; value: string }[] = [];
    CASES.forEach((c, i) => {
      const { value } = hostile(rand, c.base);
      const kinds = [c.lxc && "lxc", c.oci && "oci"].filter(Boolean);
      const kind = kinds[Math.floor(rand() * kinds.length)];
      const name = `r${i}`;
      parts.push(kind === "lxc" ? container(name, `  ${c.attr(value)}`) : oci(name, c.attr(value)));
      expected.push({ name, c, value });
    });
    const w = dir();
    w.write("main.pmx.hcl", parts.join("\n"));
    const r = await w.run("apply", "-auto-approve");
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(/internal error|^\s+at /m);
    for (const { name, c, value } of expected) {
      const block = r.stderr.split("Error: ").find((e) => new RegExp(`_container" "${name}"`).test(e) && c.path.test(e));
      expect(block, `${name}: ${c.attr(value)}\n${r.stderr}`).toBeDefined();
      expect(block).toMatch(c.secret ? /control characters/ : /line breaks|NUL/);
    }
    // The secret-bearing values are never echoed, the others only as the source line shows them.
    expect(r.stderr + r.stdout).not.toContain(INJECTED + "\n");
    expect(confs(w)).not.toContain("apparmor");
  });

  it("refuses a password that would give chpasswd a second line, without echoing it", async () => {
    const w = dir();
    w.write("main.pmx.hcl", `${SIM_NODE}\nvariable "pw" {\n  sensitive = true\n}\n${container("c", "  password = var.pw")}`);
    const r = await w.run("plan", "-var", "pw=pw\nnobody:injected");
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("A password cannot contain line breaks or other control characters");
    expect(r.stderr + r.stdout).not.toContain("nobody:injected");
  });

  it("still applies a multi-line description (Proxmox encodes it line by line) and re-plans it as a no-op", async () => {
    const w = dir();
    w.write("main.pmx.hcl", `${SIM_NODE}\n${container("d", `  vmid = 150\n  description = "first\\nlxc.apparmor.profile: unconfined\\r\\nlast"`)}`);
    const a = await w.run("apply", "-auto-approve");
    expect(a.code, a.stderr).toBe(0);
    const conf = readFileSync(w.path("sim/etc/pve/nodes/pve1/lxc/150.conf"), "utf8");
    expect(conf).toContain("#lxc.apparmor.profile%3A unconfined%0D\n");
    expect(conf).not.toMatch(/^lxc\.apparmor/m);
    const p = await w.run("plan", "-detailed-exitcode");
    expect(p.code, p.stdout + p.stderr).toBe(0);
  });
});
