// Golden tests for the human plan rendering (UPDATE_GOLDEN=1 rewrites the expected files).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Unknown } from "../../src/config/value.js";
import type { Change, DriftEntry } from "../../src/engine/change.js";
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
    const update: Change = { ...base, address: "lxc_container.web", decl: "lxc_container.web", action: "update", before: web, after: { ...web, memory: 1024, features: { nesting: true } }, reasons: [{ path: ["features"], reason: "requires restart" }], notes: ["these changes wait for the next restart of the container"] };
    const replace: Change = { ...base, address: 'lxc_container.db["a"]', decl: "lxc_container.db", index: "a", action: "replace", before: { ...web, hostname: "db", unprivileged: true }, after: { ...web, hostname: "db", unprivileged: false, vmid: new Unknown("number") }, reasons: [{ path: ["unprivileged"], reason: "forces replacement" }] };
    const del: Change = { ...base, address: "lxc_container.old", decl: "lxc_container.old", action: "delete", before: { ...web, hostname: "old" }, after: null, deleteReason: "not in the configuration" };
    golden("update-replace-delete", renderPlan([update, replace, del], [], ctx));
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
