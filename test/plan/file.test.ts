import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { canonicalDigest, canonicalJson } from "../../src/plan/canonical.js";
import { PlanFileError, planChecksum, readPlanFile, writePlanFile } from "../../src/plan/file.js";
import type { PlanFile } from "../../src/plan/types.js";
import { newState } from "../../src/state/types.js";

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pmx-plan-"));
  path = join(dir, "plan.out");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function plan(): Omit<PlanFile, "checksum"> {
  const prior = newState("0.1.0");
  prior.serial = 4;
  return {
    format_version: 1,
    pmxform_version: "0.1.0",
    created: "2026-01-01T00:00:00.000Z",
    lineage: prior.lineage,
    serial: 4,
    config_digest: "c".repeat(64),
    variables_digest: "v".repeat(64),
    prior_state: prior,
    changes: [
      {
        address: "lxc_container.web",
        type: "lxc_container",
        name: "web",
        node: "pve1",
        actions: ["delete", "create"],
        before: { vmid: 120, hostname: "web", password_sha256: "abc" },
        after: { vmid: 120, hostname: "web2", password_sha256: "def", mac: null, disk: { size: "8G", key: "secret" } },
        after_unknown: [["mac"]],
        reasons: [{ path: ["hostname"], reason: "forces replacement" }],
        sensitive_paths: [["password_sha256"], ["disk", "key"], ["not", "there"]],
        provider_data: { argv: ["pct", "create", "120"] },
      },
    ],
    options: { destroy: false, refresh_only: false, targets: [], replace: [] },
  };
}

describe("canonical JSON", () => {
  it("sorts keys at every level and drops undefined", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined, x: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"x":2,"z":1}]},"b":1}');
  });
  it("gives equal digests for equal data in any key order", () => {
    expect(canonicalDigest({ a: 1, b: [1, 2] })).toBe(canonicalDigest({ b: [1, 2], a: 1 }));
    expect(canonicalDigest({ a: 1 })).not.toBe(canonicalDigest({ a: "1" }));
    expect(canonicalDigest([1, 2])).not.toBe(canonicalDigest([2, 1]));
  });
  it("refuses values JSON would silently change", () => {
    expect(() => canonicalJson({ a: NaN })).toThrow(/NaN/);
    expect(() => canonicalJson({ a: 1n })).toThrow(/bigint/);
    const cyc: Record<string, unknown> = {};
    cyc["self"] = cyc;
    expect(() => canonicalJson(cyc)).toThrow(/cycle/);
  });
});

describe("plan files", () => {
  it("round-trips, with a checksum and mode 0600", async () => {
    const written = await writePlanFile(path, plan());
    expect(written.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const back = await readPlanFile(path);
    expect(back).toEqual(written);
    expect(back.checksum).toBe(planChecksum(back));
  });

  it("never writes the values at sensitive paths", async () => {
    const p = plan();
    await writePlanFile(path, p);
    const text = readFileSync(path, "utf8");
    expect(text).not.toContain('"abc"');
    expect(text).not.toContain('"def"');
    expect(text).not.toContain('"secret"');
    const back = await readPlanFile(path);
    expect(back.changes[0]!.after).toEqual({ vmid: 120, hostname: "web2", password_sha256: null, mac: null, disk: { size: "8G", key: null } });
    expect(back.changes[0]!.before!["password_sha256"]).toBeNull();
    expect(p.changes[0]!.after!["password_sha256"]).toBe("def"); // the caller's object is not modified
  });

  it("refuses a plan edited after it was written", async () => {
    await writePlanFile(path, plan());
    const edited = readFileSync(path, "utf8").replace('"hostname": "web2"', '"hostname": "evil"');
    writeFileSync(path, edited);
    const err = (await readPlanFile(path).catch((e: unknown) => e)) as PlanFileError;
    expect(err).toBeInstanceOf(PlanFileError);
    expect(err.reason).toBe("checksum");
    expect(err.message).toMatch(/was modified after it was created.*pmxform plan --out/);
  });

  it("accepts a plan that was only re-indented (the checksum covers content, not layout)", async () => {
    const written = await writePlanFile(path, plan());
    writeFileSync(path, JSON.stringify(written));
    expect((await readPlanFile(path)).checksum).toBe(written.checksum);
  });

  it("refuses a truncated plan", async () => {
    await writePlanFile(path, plan());
    const text = readFileSync(path, "utf8");
    writeFileSync(path, text.slice(0, Math.floor(text.length / 2)));
    await expect(readPlanFile(path)).rejects.toMatchObject({ name: "PlanFileError", reason: "not-json" });
    await expect(readPlanFile(path)).rejects.toThrow(/not a pmxform plan, or it is truncated/);
  });

  it("refuses a plan from a newer format and a file that is not a plan", async () => {
    const written = await writePlanFile(path, plan());
    writeFileSync(path, JSON.stringify({ ...written, format_version: 2 }));
    await expect(readPlanFile(path)).rejects.toThrow(/newer pmxform \(plan format 2; this pmxform reads format 1\)/);
    writeFileSync(path, JSON.stringify({ hello: "world" }));
    await expect(readPlanFile(path)).rejects.toThrow(/not a pmxform plan \(it has no format_version\)/);
  });

  it("refuses a plan with a broken shape, naming the field", async () => {
    const written = await writePlanFile(path, plan());
    const broken = { ...written, changes: [{ ...written.changes[0], actions: ["explode"] }] } as unknown as PlanFile;
    writeFileSync(path, JSON.stringify({ ...broken, checksum: planChecksum(broken) }));
    await expect(readPlanFile(path)).rejects.toMatchObject({ reason: "invalid" });
    await expect(readPlanFile(path)).rejects.toThrow(/changes\.0\.actions\.0/);
  });

  it("says when the plan file does not exist", async () => {
    await expect(readPlanFile(join(dir, "nope"))).rejects.toThrow(/does not exist/);
  });

  it("recomputes a stale checksum passed in by the caller", async () => {
    const written = await writePlanFile(path, { ...plan(), checksum: "0".repeat(64) });
    expect(written.checksum).not.toBe("0".repeat(64));
    await expect(readPlanFile(path)).resolves.toBeTruthy();
  });
});
