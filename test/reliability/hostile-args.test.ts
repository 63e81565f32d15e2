// Hostile strings in container arguments: shell metacharacters, quotes, newlines and unicode reach
// pct byte for byte as argv (the simulator's call log and conf files show exactly what arrived) and
// nothing is ever run by a shell (canary files stay absent); values that would change the meaning
// of a Proxmox property string (commas, "=", line breaks) are refused at plan time with a diagnostic.
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCalls } from "../../src/sim/calllog.js";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "../e2e/helpers.js";

/** HCL string escapes for a JS string. */
const hcl = (s: string) => JSON.stringify(s).replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");

describe.skipIf(!BUILT)(`hostile argument values${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  // Every way a shell would run something, aimed at files in the working directory.
  const canaries = ["C1", "C2", "C3", "C4", "C5"];
  let evil: string;
  beforeAll(() => {
    w = new Workdir("pmx-hostile-");
    const c = (n: string) => w.path(n);
    evil = `a'b"c $(touch ${c("C1")}) \`touch ${c("C2")}\` ; touch ${c("C3")} | touch ${c("C4")} && touch ${c("C5")} > < * ? ~ # \\ $HOME ü 日本 🚀 \t end`;
  });
  afterAll(() => w.remove());
  const noCanary = () => expect(canaries.filter((n) => existsSync(w.path(n)))).toEqual([]);

  const config = (extra: string, desc: string, mountPath: string, hostPath: string) => `${SIM_NODE}
resource "lxc_container" "h" {
  node        = "pve1"
  vmid        = 300
  template    = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  description = ${hcl(desc)}
  rootfs {
    storage = "local-lvm"
    size    = "4G"
  }
  mount "m" {
    host_path = ${hcl(hostPath)}
    path      = ${hcl(mountPath)}
    idmap     = "passthrough"
  }
${extra}
}
`;

  it("passes metacharacters, newlines and unicode to pct unchanged, and re-plans as no changes", async () => {
    const desc = `first ${evil}\nsecond line: key: value\n[pve:pending]\nmemory: 9999\n\u2028 last`;
    // Control characters (the tab) are refused in property strings; everything else passes.
    const mountPath = `/mnt/${evil.replace("\t", "")}`;
    const hostPath = `/srv/${evil.replace("\t", "")}`;
    w.write("main.pmx.hcl", config("", desc, mountPath, hostPath));
    const a = await w.run("apply", "--auto-approve");
    expect(a.code, a.stdout + a.stderr).toBe(0);
    noCanary();
    const create = readCalls(w.path("sim")).find((c) => c.tool === "pct" && c.argv[0] === "create")!;
    const opt = (name: string) => create.argv[create.argv.indexOf(name) + 1];
    expect(opt("--description")).toBe(desc);
    expect(opt("--mp0")).toBe(`${hostPath},mp=${mountPath},idmap=passthrough`);
    // The conf file keeps the description as comment lines: no line of it became a key.
    const conf = readFileSync(w.path("sim/etc/pve/nodes/pve1/lxc/300.conf"), "utf8");
    expect(conf).not.toMatch(/^memory: 9999$/m);
    expect(conf).not.toMatch(/^\[pve:pending\]$/m);
    expect(conf).toMatch(/^#second line%3A key%3A value$/m); // Proxmox's own comment encoding
    const plan = await w.run("plan", "--detailed-exitcode");
    expect(plan.stdout + plan.stderr).toContain("No changes.");
    expect(plan.code).toBe(0);
  }, 120_000);

  it("lets Proxmox judge values it validates itself, showing them unchanged in its error", async () => {
    // (timezone was this field until pmxform learnt zone.tab; searchdomain is still Proxmox's to judge)
    w.write("main.pmx.hcl", config(`  searchdomain = [${hcl(evil)}]`, "d", "/mnt/x", "/srv/x"));
    const a = await w.run("apply", "--auto-approve");
    expect(a.code).toBe(1);
    expect(a.stderr).toContain("value does not look like a valid DNS name");
    expect(a.stderr).not.toMatch(/^\s+at /m);
    noCanary();
    const set = readCalls(w.path("sim"))
      .filter((c) => c.tool === "pct" && c.argv.includes("--searchdomain"))
      .at(-1)!;
    expect(set.argv[set.argv.indexOf("--searchdomain") + 1]).toBe(evil);
  });

  it("refuses values that would inject property-string keys or conf lines, at their config line (validate, before any call)", async () => {
    const before = readCalls(w.path("sim")).length;
    const cases: [string, string, string, RegExp][] = [
      ["/mnt/x", "/srv/a,mp=/etc", 'host_path = "/srv/a,mp=/etc"', /host path cannot contain commas/],
      ["/mnt/x", "/srv/a=b", 'host_path = "/srv/a=b"', /host path cannot contain "="/],
      ["/mnt/b,ro=0", "/srv/x", 'path      = "/mnt/b,ro=0"', /mount path cannot contain commas/],
      ["/mnt/b\nlxc.cap.drop:", "/srv/x", 'path      = "/mnt/b\\nlxc.cap.drop:"', /mount path cannot contain commas, line breaks/],
    ];
    for (const [mountPath, hostPath, line, why] of cases) {
      w.write("main.pmx.hcl", config("", "d", mountPath, hostPath));
      const p = await w.run("validate");
      expect(p.code, line).toBe(1);
      expect(p.stderr, line).toContain("Error: Invalid value for argument");
      expect(p.stderr, line).toContain(line);
      expect(p.stderr, line).toMatch(why);
    }
    w.write("main.pmx.hcl", config('  device "d" {\n    path = "/dev/null,mode=0777"\n  }', "d", "/mnt/x", "/srv/x"));
    const d = await w.run("validate");
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/device path under \/dev\/ \(no spaces, commas or "="\)/);
    // Refused before any change: no pct call but reads.
    expect(
      readCalls(w.path("sim"))
        .slice(before)
        .filter((c) => c.tool === "pct" && !["config", "status", "list"].includes(c.argv[0]!)),
    ).toEqual([]);
  });
});
