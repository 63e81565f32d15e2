// Golden tests for the human plan rendering (UPDATE_GOLDEN=1 rewrites the expected files).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Unknown } from "../../src/config/value.js";
import type { Change, DriftEntry } from "../../src/plan/change.js";
import { renderPlan, type RenderContext } from "../../src/plan/render.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/plan");
const ctx: RenderContext = {
  color: false,
  blocksOf: () => ({ network: { labelled: true }, rootfs: { labelled: false }, features: { labelled: false } }),
  hiddenOf: () => ["managed_keys"],
};

function golden(name: string, text: string): void {
  const file = join(FIXTURES, `${name}.txt`);
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, "utf8"));
}

const base = { type: "lxc_container", afterUnknown: [], sensitivePaths: [], reasons: [], notes: [], dependencies: [] };
const web = {
  node: "pve1",
  vmid: 120,
  hostname: "web",
  memory: 512,
  tags: ["prod", "web"],
  managed_keys: ["memory"],
  network: { eth0: { bridge: "vmbr0", ip: "dhcp", hwaddr: "BC:24:11:00:00:01" } },
  rootfs: { storage: "local-lvm", size: "8G" },
};

describe("plan rendering", () => {
  it("creation with unknown and sensitive values", () => {
    const c: Change = {
      ...base,
      address: "lxc_container.web",
      decl: "lxc_container.web",
      action: "create",
      before: null,
      after: { ...web, vmid: new Unknown("number"), password: "hunter2", network: { eth0: { bridge: "vmbr0", ip: "dhcp", hwaddr: new Unknown("string") } } },
      sensitivePaths: [["password"]],
    };
    const text = renderPlan([c], [], ctx);
    expect(text).not.toContain("hunter2");
    golden("create", text);
  });

  it("in-place update with a restart note, replacement, destruction", () => {
    const update: Change = {
      ...base,
      address: "lxc_container.web",
      decl: "lxc_container.web",
      action: "update",
      before: web,
      after: { ...web, memory: 1024, features: { nesting: true } },
      reasons: [{ path: ["features"], reason: "requires restart" }],
      notes: ["these changes wait for the next restart of the container"],
    };
    const replace: Change = {
      ...base,
      address: 'lxc_container.db["a"]',
      decl: "lxc_container.db",
      index: "a",
      action: "replace",
      before: { ...web, hostname: "db", unprivileged: true },
      after: { ...web, hostname: "db", unprivileged: false, vmid: new Unknown("number") },
      reasons: [{ path: ["unprivileged"], reason: "forces replacement" }],
    };
    const del: Change = {
      ...base,
      address: "lxc_container.old",
      decl: "lxc_container.old",
      action: "delete",
      before: { ...web, hostname: "old" },
      after: null,
      deleteReason: "not in the configuration",
    };
    golden("update-replace-delete", renderPlan([update, replace, del], [], ctx));
  });

  it("a requested create_before_destroy replacement: Terraform's header and legend, recomputed values known after apply, unchanged ones hidden", () => {
    const before = { ...web, unprivileged: true, swap: 512, arch: "amd64", ostype: "debian" };
    const after = {
      ...web,
      vmid: 121,
      unprivileged: true,
      swap: new Unknown(),
      arch: new Unknown(),
      ostype: new Unknown(),
      network: { eth0: { bridge: "vmbr0", ip: "dhcp", hwaddr: new Unknown("string") } },
    };
    const replace: Change = {
      ...base,
      address: "lxc_container.web",
      decl: "lxc_container.web",
      action: "replace",
      before,
      after,
      createBeforeDestroy: true,
      replaceCause: "requested",
      reasons: [{ path: [], reason: "replacement requested with --replace" }],
    };
    const text = renderPlan([replace], [], ctx);
    expect(text.split("\n")).toEqual([
      "pmxform used the selected nodes to generate the following execution plan. Resource actions are indicated with the following symbols:",
      "+/- create replacement and then destroy",
      "",
      "pmxform will perform the following actions:",
      "",
      "  # lxc_container.web will be replaced, as requested",
      '+/- resource "lxc_container" "web" {',
      '      ~ arch   = "amd64" -> (known after apply)',
      '      ~ ostype = "debian" -> (known after apply)',
      "      ~ swap   = 512 -> (known after apply)",
      "      ~ vmid   = 120 -> 121",
      "        # (5 unchanged attributes hidden)",
      '      ~ network "eth0" {',
      '          ~ hwaddr = "BC:24:11:00:00:01" -> (known after apply)',
      "            # (2 unchanged attributes hidden)",
      "        }",
      "",
      "        # (1 unchanged block hidden)",
      "    }",
      "",
      "Plan: 1 to add, 0 to change, 1 to destroy.",
      "",
    ]);
    expect(text).not.toMatch(/-> null/);
    // Both orders in one plan list both legend lines; triggered and forced replacements say so.
    const triggered: Change = { ...replace, address: "lxc_container.app", decl: "lxc_container.app", createBeforeDestroy: false, replaceCause: "replace_triggered_by" };
    const forced: Change = {
      ...replace,
      address: "lxc_container.db",
      decl: "lxc_container.db",
      createBeforeDestroy: false,
      replaceCause: undefined,
      reasons: [{ path: ["unprivileged"], reason: "forces replacement" }],
    };
    const both = renderPlan([replace, triggered, forced], [], ctx);
    expect(both).toContain("-/+ destroy and then create replacement\n+/- create replacement and then destroy\n");
    expect(both).toContain("  # lxc_container.app will be replaced due to changes in replace_triggered_by\n-/+ resource");
    expect(both).toContain("  # lxc_container.db must be replaced\n-/+ resource");
  });

  it("lists the volumes a plan deletes in a last section of their own", () => {
    const update: Change = {
      ...base,
      address: "lxc_container.web",
      decl: "lxc_container.web",
      action: "update",
      before: web,
      after: { ...web, memory: 1024 },
      volumeDeletions: [{ volume: "local-lvm:vm-120-disk-1", size: "1G", reason: 'mount "data" (mp1) is no longer in the configuration', when: "by the first apply after the container restarts" }],
    };
    const del: Change = {
      ...base,
      address: "lxc_container.old",
      decl: "lxc_container.old",
      action: "delete",
      before: { ...web, hostname: "old" },
      after: null,
      volumeDeletions: [{ volume: "local-lvm:vm-130-disk-1", reason: 'mount "logs", destroyed with the container' }],
    };
    const text = renderPlan([update, del], [], ctx, { outputs: [{ name: "ip", action: "create", before: null, after: "10.0.0.1", sensitive: false }] });
    expect(text.slice(text.indexOf("Warning: applying"))).toBe(
      [
        "Warning: applying this plan deletes 2 volumes and all data on them:",
        "",
        '  - local-lvm:vm-130-disk-1 of lxc_container.old: mount "logs", destroyed with the container',
        '  - local-lvm:vm-120-disk-1 (1G) of lxc_container.web: mount "data" (mp1) is no longer in the configuration',
        "      deleted by the first apply after the container restarts",
        "",
        "This cannot be undone.",
        "",
      ].join("\n"),
    );
    expect(text.indexOf("Changes to Outputs:")).toBeLessThan(text.indexOf("Warning: applying this plan"));
  });

  it("drift above the plan, and no changes", () => {
    const drift: DriftEntry[] = [
      { address: "lxc_container.web", kind: "changed", paths: [["memory"]], before: web, after: { ...web, memory: 4096 } },
      { address: "lxc_container.gone", kind: "deleted", paths: [], before: { vmid: 130, node: "pve1" }, after: null },
    ];
    const noop: Change = { ...base, address: "lxc_container.web", decl: "lxc_container.web", action: "no-op", before: web, after: web };
    golden("drift-no-changes", renderPlan([noop], drift, ctx));
  });
});
