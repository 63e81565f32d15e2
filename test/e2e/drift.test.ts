// Drift end to end, against golden files: changes made outside pmxform (pct set memory, a tag
// added, a mount added by hand, a container stopped, its description edited, one destroyed, one
// migrated by moving its conf) are reported above the plan listing only attributes that matter;
// a migrated (stopped) container is migrated back, not re-created; apply --refresh-only accepts it all.
// UPDATE_GOLDEN=1 rewrites test/fixtures/plan/drift-*.txt.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, ROOT, Workdir } from "./helpers.js";

const GOLDEN = join(ROOT, "test/fixtures/plan");

function golden(name: string, text: string, w: Workdir): void {
  const normalised = text.split(w.dir).join("<WORKDIR>");
  const file = join(GOLDEN, `${name}.txt`);
  if (process.env["UPDATE_GOLDEN"]) writeFileSync(file, normalised);
  expect(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
  expect(normalised).toBe(readFileSync(file, "utf8"));
}

const NODES = `proxmox {\n  node "pve1" {\n    sim = "sim"\n  }\n  node "pve2" {\n    sim = "sim"\n  }\n}\n`;

/** One container per outside change, with fixed vmids and MACs so the output is stable. */
function ct(name: string, vmid: number, body = "", node = "pve1"): string {
  return `resource "lxc_container" "${name}" {
  node     = "${node}"
  vmid     = ${vmid}
  template = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst"
  hostname = "${name}"
  rootfs {
    storage = "local-lvm"
    size    = "2G"
  }
  network "eth0" {
    bridge = "vmbr0"
    ip     = "dhcp"
    hwaddr = "BC:24:11:00:00:${vmid - 190}"
  }
${body}}
`;
}

const configured = (accepted: boolean) =>
  NODES +
  ct("sized", 201, `  memory   = ${accepted ? 1024 : 512}\n`) +
  ct("tagged", 202, `  tags     = ${accepted ? '["web", "extra"]' : '["web"]'}\n`) +
  ct(
    "mounted",
    203,
    `  mount "data" {\n    storage = "local-lvm"\n    size    = "1G"\n    path    = "/data"\n  }\n${accepted ? '  mount "mp1" {\n    host_path = "/srv/share"\n    path      = "/share"\n  }\n' : ""}`,
  ) +
  ct("runner", 204, `  started  = ${accepted ? "false" : "true"}\n`) +
  ct("described", 205, `  description = "${accepted ? "edited by hand" : "first"}"\n`) +
  (accepted ? "" : ct("gone", 206)) +
  ct("mover", 207, "", accepted ? "pve2" : "pve1");

describe.skipIf(!BUILT)(`drift report${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  const state = () => readFileSync(w.path("pmxform.state.json"), "utf8");
  beforeAll(async () => {
    w = new Workdir("pmx-e2e-drift-");
    w.write("main.pmx.hcl", configured(false));
    const apply = await w.run("apply", "--auto-approve");
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    const pct = (...args: string[]) => execFileSync(w.path("sim/bin/pct"), args, { encoding: "utf8" });
    pct("set", "201", "--memory", "1024");
    // A tag added as the GUI adds one: the tags already there (pmxform's marker among them) stay.
    const tags = /^tags: (.*)$/m.exec(readFileSync(w.path("sim/etc/pve/nodes/pve1/lxc/202.conf"), "utf8"))![1]!;
    pct("set", "202", "--tags", `${tags};extra`);
    pct("set", "203", "--mp1", "/srv/share,mp=/share");
    pct("stop", "204");
    pct("set", "205", "--description", "edited by hand");
    pct("destroy", "206");
    renameSync(w.path("sim/etc/pve/nodes/pve1/lxc/207.conf"), w.path("sim/etc/pve/nodes/pve2/lxc/207.conf"));
  }, 120_000);
  afterAll(() => w?.remove());

  it("reports what changed outside above the plan; a migrated container is migrated back, a deleted one re-created", async () => {
    const before = state();
    const plan = await w.run("plan");
    expect(plan.code).toBe(0);
    golden("drift-outside-changes", plan.stdout, w);
    expect(plan.stderr).toContain("Container migrated outside pmxform");
    expect(plan.stderr).toContain('To keep it on pve2, set node = "pve2".');
    expect(plan.stdout).not.toContain("forces replacement");
    expect(state()).toBe(before); // plan never writes the state
  });

  it("apply --refresh-only accepts the changes; the plan then only undoes them, and matching configuration is No changes", async () => {
    const refresh = await w.run("apply", "--refresh-only", "--auto-approve");
    expect(refresh.stderr).toBe("");
    expect(refresh.code).toBe(0);
    const accepted = JSON.parse(state()) as { resources: { address: string; attributes: Record<string, unknown> }[] };
    const attrs = (a: string) => accepted.resources.find((r) => r.address === a)?.attributes;
    expect(attrs("lxc_container.gone")).toBeUndefined();
    expect(attrs("lxc_container.sized")).toMatchObject({ memory: 1024 });
    expect(attrs("lxc_container.mover")).toMatchObject({ node: "pve2", vmid: 207 });
    expect(attrs("lxc_container.runner")).toMatchObject({ started: false });

    const again = await w.run("plan", "--refresh-only");
    expect(again.stdout).toContain("No changes. Your infrastructure still matches the configuration.");
    const undo = await w.run("plan");
    expect(undo.stdout).not.toContain("Objects have changed outside pmxform");
    golden("drift-after-refresh-only", undo.stdout, w);

    w.write("main.pmx.hcl", configured(true));
    const plan = await w.run("plan", "--detailed-exitcode");
    expect(plan.stderr).not.toMatch(/Error|migrated/); // only the unprivileged bind mount's ownership warning
    expect(plan.stdout).toContain("No changes.");
    expect(plan.code).toBe(0);
  }, 120_000);
});
