// Policies written for Terraform's JSON plan (`terraform show -json`) run unchanged against
// pmxform's `plan -json` and `show -json PLANFILE`: a jq policy that denies deletes, one over
// planned_values, and the shape checks such tools rely on (object mirrors, no bookkeeping).
import { execFileSync, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, container } from "../e2e/helpers.js";

const JQ = spawnSync("jq", ["--version"]).status === 0;

/** As in Terraform policy guides: every managed resource whose actions include "delete". */
const DENY_DELETES = '[.resource_changes[] | select(.mode == "managed") | select(.change.actions | index("delete")) | .address]';
/** Reads planned values, as cost/size policies do. */
const BIG_MEMORY = "[.planned_values.root_module.resources[] | select(.values.memory > 1024) | .address]";

const jq = (filter: string, json: string): unknown => JSON.parse(execFileSync("jq", ["-c", filter], { input: json, encoding: "utf8" }));

const config = (names: string[], memory: number) =>
  SIM_NODE +
  `variable "pw" {\n  type      = string\n  default   = "S3cret-pw"\n  sensitive = true\n}\n` +
  names.map((n, i) => container(n, `  vmid     = ${200 + i}\n  hostname = "${n}"\n  memory   = ${memory}\n  password = var.pw`)).join("\n");

describe.skipIf(!BUILT || !JQ)(`Terraform-shaped plan JSON${!BUILT ? ` (skipped: ${NOT_BUILT})` : !JQ ? " (skipped: jq is not installed; scripts/test.sh installs it)" : ""}`, () => {
  let w: Workdir;
  beforeAll(async () => {
    w = new Workdir();
    w.write("main.pmx.hcl", config(["a", "b"], 512));
    expect((await w.run("apply", "-auto-approve")).code).toBe(0);
  }, 60_000);
  afterAll(() => w.remove());

  it("a deny-deletes policy passes a plan that only adds and changes, and names what a plan would delete", async () => {
    w.write("main.pmx.hcl", config(["a", "b", "c"], 2048));
    const growing = await w.run("plan", "-json");
    expect(growing.code).toBe(0);
    expect(jq(DENY_DELETES, growing.stdout)).toEqual([]);
    expect(jq(BIG_MEMORY, growing.stdout)).toEqual(["lxc_container.a", "lxc_container.b", "lxc_container.c"]);

    w.write("main.pmx.hcl", config(["a"], 512));
    const shrinking = await w.run("plan", "-json", "-out=shrink.out");
    expect(jq(DENY_DELETES, shrinking.stdout)).toEqual(["lxc_container.b"]);
    // The saved plan gives the policy the same answer.
    const shown = await w.run("show", "-json", "shrink.out");
    expect(shown.code).toBe(0);
    expect(jq(DENY_DELETES, shown.stdout)).toEqual(["lxc_container.b"]);
    const strip = (s: string) => {
      const { timestamp: _t, summary: _s, errored: _e, diagnostics: _d, ...rest } = JSON.parse(s) as Record<string, unknown>;
      return rest;
    };
    expect(strip(shown.stdout)).toEqual(strip(shrinking.stdout));
  });

  it("has Terraform's fields: mode, object mirrors, prior_state, configuration; no bookkeeping in after", async () => {
    w.write("main.pmx.hcl", config(["a", "b", "c"], 768));
    const doc = JSON.parse((await w.run("plan", "-json")).stdout) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(["format_version", "planned_values", "resource_changes", "output_changes", "prior_state", "configuration", "variables"]));
    const changes = doc.resource_changes as { address: string; mode: string; type: string; name: string; change: Record<string, unknown> }[];
    const c = changes.find((x) => x.address === "lxc_container.c")!;
    expect(c).toMatchObject({ mode: "managed", type: "lxc_container", name: "c", change: { actions: ["create"], before: null, before_sensitive: false } });
    // Mirrors are objects shaped like the values, never lists of paths.
    expect(c.change.after_unknown).toMatchObject({ rootfs: { volume: true } });
    expect(c.change.after_sensitive).toMatchObject({ password: true });
    const a = changes.find((x) => x.address === "lxc_container.a")!;
    expect(a.change.actions).toEqual(["update"]);
    expect(a.change.before_sensitive).toMatchObject({ password: true });
    for (const ch of changes) {
      for (const side of [ch.change.before, ch.change.after] as (Record<string, unknown> | null)[]) {
        for (const key of ["managed_keys", "marker", "address", "pending_keys", "password_sha256", "digest"]) expect(side ?? {}, `${ch.address} ${key}`).not.toHaveProperty(key);
      }
    }
    expect(jq("[.prior_state.values.root_module.resources[].address]", JSON.stringify(doc))).toEqual(["lxc_container.a", "lxc_container.b"]);
    expect(jq('.configuration.root_module.resources[] | select(.address == "lxc_container.a") | .expressions.password.references', JSON.stringify(doc))).toEqual(["var.pw"]);
    expect(doc.variables).toEqual({ pw: { sensitive: true } });
    expect(JSON.stringify(doc)).not.toContain("S3cret-pw");
  });
});
