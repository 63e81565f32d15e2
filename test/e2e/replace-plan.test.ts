// Replacement diffs tell the truth (issue 22, defect 8), through the CLI on the simulator:
// `plan -replace=ADDR` on a create_before_destroy container says "will be replaced, as requested"
// under the "+/-" legend line, shows what Proxmox decides anew as "(known after apply)" instead of
// "-> null", and hides configured values that stay; apply then gives the new container the same
// values the old one had. A replacement forced by an attribute keeps "must be replaced" and "-/+".
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "./helpers.js";

const config = (template: string, cbd: boolean) => `${SIM_NODE}
resource "lxc_container" "web" {
  node     = "pve1"
  template = "local:vztmpl/${template}"
  memory   = 1024
  rootfs {
    storage = "local-lvm"
    size    = "4G"
  }
  network "eth0" {
    bridge = "vmbr0"
    ip     = "dhcp"
  }
  lifecycle {
    create_before_destroy = ${cbd}
  }
}
`;

const DEBIAN = "debian-12-standard_12.7-1_amd64.tar.zst";
const ALPINE = "alpine-3.22-default_20250617_amd64.tar.xz";

interface StateDoc {
  resources: { address: string; attributes: Record<string, unknown> }[];
}

describe.skipIf(!BUILT)(`replacement plans${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  const attrs = () => (JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as StateDoc).resources[0]!.attributes;

  beforeAll(() => {
    w = new Workdir("pmx-e2e-replace-");
  });
  afterAll(() => w.remove());

  it("plan -replace on a create_before_destroy container: Terraform's header and legend, recomputed values known after apply", async () => {
    w.write("main.pmx.hcl", config(DEBIAN, true));
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    const old = attrs();
    const hwaddr = (old["network"] as Record<string, Record<string, unknown>>)["eth0"]!["hwaddr"];
    const volume = (old["rootfs"] as Record<string, unknown>)["volume"];
    const p = await w.run("plan", "-replace=lxc_container.web");
    expect(p.stderr).toBe("");
    expect(p.code).toBe(0);
    const lines = p.stdout.split("\n");
    expect(lines.slice(0, 2)).toEqual([
      "pmxform used the selected nodes to generate the following execution plan. Resource actions are indicated with the following symbols:",
      "+/- create replacement and then destroy",
    ]);
    const start = lines.indexOf("  # lxc_container.web will be replaced, as requested");
    expect(start).toBeGreaterThan(0);
    expect(lines.slice(start, lines.indexOf("    }", start) + 1)).toEqual([
      "  # lxc_container.web will be replaced, as requested",
      '+/- resource "lxc_container" "web" {',
      '      ~ arch     = "amd64" -> (known after apply)',
      `      ~ hostname = "CT${String(old["vmid"])}" -> (known after apply)`,
      '      ~ ostype   = "debian" -> (known after apply)',
      "      ~ swap     = 512 -> (known after apply)",
      "      ~ tags     = [] -> (known after apply)",
      `      ~ vmid     = ${String(old["vmid"])} -> ${Number(old["vmid"]) + 1}`,
      "        # (5 unchanged attributes hidden)",
      '      ~ network "eth0" {',
      `          ~ hwaddr = ${JSON.stringify(hwaddr)} -> (known after apply)`,
      "            # (3 unchanged attributes hidden)",
      "        }",
      "      ~ rootfs {",
      `          ~ volume = ${JSON.stringify(volume)} -> (known after apply)`,
      "            # (2 unchanged attributes hidden)",
      "        }",
      "    }",
    ]);
    expect(p.stdout).not.toContain("-> null");
    expect(p.stdout).not.toContain("-/+");
    const doc = JSON.parse((await w.run("plan", "-replace=lxc_container.web", "--json")).stdout) as {
      resource_changes: { action_reason?: string; change: { actions: string[]; after: Record<string, unknown>; after_unknown: Record<string, unknown> } }[];
    };
    const c = doc.resource_changes[0]!;
    expect(c.change.actions).toEqual(["create", "delete"]);
    expect(c.action_reason).toBe("replace_by_request");
    expect(c.change.after["unprivileged"]).toBe(true);
    // Terraform's object mirror: true where the value is known only after apply.
    expect(c.change.after_unknown).toMatchObject({ swap: true, arch: true, ostype: true, hostname: true });
  });

  it("apply gives the replacement what the old container had, and re-plans No changes", async () => {
    const old = attrs();
    const a = await w.run("apply", "-replace=lxc_container.web", "--auto-approve");
    expect(a.stderr).toBe("");
    expect(a.code).toBe(0);
    const now = attrs();
    expect(now["vmid"]).not.toBe(old["vmid"]);
    for (const k of ["unprivileged", "swap", "arch", "ostype", "memory"]) expect(now[k]).toEqual(old[k]);
    const p = await w.run("plan", "--detailed-exitcode");
    expect(p.stdout).toContain("No changes.");
  });

  it("a replacement forced by an attribute: must be replaced, -/+, # forces replacement", async () => {
    w.write("main.pmx.hcl", config(DEBIAN, false));
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    w.write("main.pmx.hcl", config(ALPINE, false));
    const p = await w.run("plan");
    expect(p.code).toBe(0);
    expect(p.stdout).toContain("symbols:\n-/+ destroy and then create replacement\n\n");
    expect(p.stdout).toContain('  # lxc_container.web must be replaced\n-/+ resource "lxc_container" "web" {\n');
    expect(p.stdout).toMatch(/~ template = "local:vztmpl\/debian-12[^"]*" -> "local:vztmpl\/alpine-3\.22[^"]*" # forces replacement\n/);
    expect(p.stdout).toContain('      ~ ostype   = "debian" -> (known after apply)\n');
    expect(p.stdout).not.toContain("-> null");
  });
});
