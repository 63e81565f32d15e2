// The oci_image in-place update (only TLS verification, credentials or the reference's spelling
// changed): the plan's access step holds every value it printed and names unknown and sensitive
// ones by path; apply records the step's values, not the configuration it evaluates then, reads
// only the named ones, never needs or records a password, and refuses a plan without the step, a
// damaged one, or a reference that now names another image. Seeded random configurations.
import { describe, expect, it } from "vitest";
import { Unknown } from "../../../src/config/value.js";
import type { ApplyContext, Attrs, AttrPath, PlannedOperation } from "../../../src/provider/types.js";
import { accessOperation, plannedAccess } from "../../../providers/oci/access-operation.js";
import { ociImage } from "../../../providers/oci/image.js";
import { prng } from "../../helpers/prng.js";

const DIGEST = `sha256:${"cd".repeat(32)}`;
const PRIOR: Attrs = {
  node: "pve1",
  storage: "local",
  reference: "docker.io/library/app:1",
  full_reference: "docker.io/library/app:1",
  platform: "amd64",
  tls_verify: true,
  auth_mode: "none",
  digest: DIGEST,
  volid: "local:vztmpl/app.tar",
  size: 10,
  volumes: [],
  address: "oci_image.app",
};
// ApplyContext is never used by an update (nothing runs on a node): any use throws.
const covers = (sensitive: AttrPath[], p: AttrPath) => sensitive.some((s) => s.every((seg, i) => seg === p[i]));
const ctx = new Proxy({}, { get: (_t, k) => (k === "then" ? undefined : () => Promise.reject(new Error(`update used ctx.${String(k)}`))) }) as ApplyContext;

describe("oci_image access step (in-place update)", () => {
  const seed = Number(process.env["PMX_SEED"] ?? Date.now() % 100000);
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const maybeUnknown = (v: unknown, t = "string") => (rnd() < 0.2 ? new Unknown(t) : v);

  function randomConfig(): Attrs {
    const c: Attrs = { node: "pve1", storage: "local", reference: maybeUnknown(pick(["docker.io/library/app:1", "app:1"])) };
    if (rnd() < 0.7) c["tls_verify"] = maybeUnknown(rnd() < 0.5, "bool");
    const a = rnd();
    if (a < 0.35) c["auth"] = { username: maybeUnknown("U-secret-user"), password: "P-secret-pass" };
    else if (a < 0.6) c["auth"] = { authfile: maybeUnknown("/root/planned.json") };
    else if (a < 0.7) c["auth"] = new Unknown("object");
    return c;
  }
  /** Apply's evaluation: unknowns known now, every printed value different from the plan's. */
  function atApply(c: Attrs): Attrs {
    const out: Attrs = { node: "pve1", storage: "local", reference: "index.docker.io/app:1", tls_verify: c["tls_verify"] === true ? false : true };
    const auth = c["auth"];
    if (auth instanceof Unknown) out["auth"] = { authfile: "/root/at-apply.json" };
    else if (auth && typeof auth === "object") out["auth"] = "username" in (auth as Attrs) ? { username: "U-secret-other", password: "P-secret-other" } : { authfile: "/root/at-apply.json" };
    return out;
  }
  const planOf = (config: Attrs, sensitive: AttrPath[]) =>
    ociImage.diff({ address: "oci_image.app", config, prior: PRIOR, snapshot: undefined, claimedVmids: new Set(), forceReplace: false, sensitivePaths: sensitive });

  it("records the values the plan printed, reads at apply only what it named, and never holds a secret", async () => {
    let updates = 0;
    for (let i = 0; i < 300; i++) {
      const config = randomConfig();
      const sensitive: AttrPath[] = rnd() < 0.5 ? [["auth", "username"]] : rnd() < 0.5 ? [["auth"]] : [];
      const d = planOf(config, sensitive);
      const why = `seed ${seed} case ${i}: ${JSON.stringify(config)} sensitive ${JSON.stringify(sensitive)}`;
      expect(d.action === "update" || d.action === "no-op", why).toBe(true);
      if (d.action === "no-op") {
        expect(d.operations, why).toBeUndefined();
        continue;
      }
      updates++;
      // Through JSON, as a saved plan carries it.
      const text = JSON.stringify(d.operations);
      expect(text, why).not.toContain("P-secret");
      if (sensitive.length) expect(text, why).not.toContain("U-secret");
      const ops = JSON.parse(text) as PlannedOperation[];
      const op = plannedAccess("oci_image.app", ops);
      const now = atApply(config);
      const out = await ociImage.update!({ address: "oci_image.app", config: now, prior: PRIOR, planned: d.planned, operations: ops }, ctx);
      expect(JSON.stringify(out), why).not.toContain("P-secret");
      expect(out["digest"], why).toBe(DIGEST);
      expect(out["volid"], why).toBe(PRIOR["volid"]);
      // tls_verify: the plan's value when it printed one, else apply's.
      expect(out["tls_verify"], why).toBe(typeof op.tls_verify === "boolean" ? op.tls_verify : now["tls_verify"]);
      if (typeof config["tls_verify"] === "boolean") expect(out["tls_verify"], why).toBe(config["tls_verify"]);
      const auth = config["auth"] as Attrs | Unknown | undefined;
      if (auth === undefined) expect(out["auth_mode"], why).toBe("none");
      else if (auth instanceof Unknown) expect([out["auth_mode"], out["auth_authfile"]], why).toEqual(["authfile", "/root/at-apply.json"]);
      else if ("authfile" in auth) {
        const printed = typeof auth["authfile"] === "string" && !covers(sensitive, ["auth", "authfile"]);
        expect(out["auth_authfile"], why).toBe(printed ? "/root/planned.json" : "/root/at-apply.json");
      } else {
        const printed = typeof auth["username"] === "string" && !covers(sensitive, ["auth", "username"]);
        expect(out["auth_mode"], why).toBe("password");
        expect(out["auth_username"], why).toBe(printed ? "U-secret-user" : "U-secret-other");
        expect("auth_authfile" in out, why).toBe(false);
      }
      // Every value the plan printed is what apply recorded.
      for (const [k, v] of Object.entries(d.planned)) if (!(v instanceof Unknown) && k !== "reference") expect(out[k], `${why}: ${k}`).toEqual(v);
    }
    expect(updates).toBeGreaterThan(50);
  });

  it("a change of tls_verify alone is an update with its step; an unchanged configuration plans none", () => {
    const d = planOf({ node: "pve1", storage: "local", reference: "docker.io/library/app:1", tls_verify: false }, []);
    expect(d.action).toBe("update");
    expect(d.operations).toEqual([{ op: "access", reference: "docker.io/library/app:1", tls_verify: false, auth: { mode: "none" } }]);
    const same = planOf({ node: "pve1", storage: "local", reference: "docker.io/library/app:1" }, []);
    expect([same.action, same.operations]).toEqual(["no-op", undefined]);
  });

  it("refuses a plan without the step or with a damaged one, and a reference naming another image now", async () => {
    const update = (operations: PlannedOperation[] | undefined, config: Attrs = { reference: "docker.io/library/app:1" }) =>
      ociImage.update!({ address: "oci_image.app", config, prior: PRIOR, planned: PRIOR, ...(operations ? { operations } : {}) }, ctx);
    await expect(update(undefined)).rejects.toThrow(
      'oci_image.app: the plan carries no access step for this image\'s update (it was made by an earlier pmxform version). Nothing was done; run "pmxform plan" again.',
    );
    const good = accessOperation({ reference: "docker.io/library/app:1", tls_verify: false }, []) as unknown as PlannedOperation;
    const damaged: PlannedOperation[] = [
      { ...good, op: "pull" },
      { ...good, tls_verify: "no" },
      { ...good, reference: 3 },
      { ...good, auth: { mode: "password", username: "u", password: "p" } },
      { ...good, auth: { mode: "none", authfile: "/x" } },
      { ...good, auth: { mode: "unknown", auth: { from: [] } } },
      { ...good, extra: 1 },
    ];
    for (const o of damaged) await expect(update([o]), JSON.stringify(o)).rejects.toThrow(/holds an update step this pmxform cannot carry out/);
    await expect(update([good, good])).rejects.toThrow(/cannot carry out/);
    const unknownRef = accessOperation({ reference: new Unknown("string") }, []) as unknown as PlannedOperation;
    await expect(update([unknownRef], { reference: "r.test/other:1" })).rejects.toThrow(
      'oci_image.app: the reference is now "r.test/other:1", not the recorded docker.io/library/app:1. Nothing was done; run "pmxform plan" again.',
    );
    await expect(update([unknownRef], { reference: new Unknown("string") })).rejects.toThrow("oci_image.app: reference is still unknown at apply.");
    expect(await update([unknownRef], { reference: "app:1" })).toMatchObject({ reference: "app:1", full_reference: "docker.io/library/app:1" });
  });
});
