// The oci_image pull step (pure, over seeded random configurations): every value the plan can print
// is in the step and wins over the configuration at apply; unknown and secret values are named by
// path and read at apply; credentials never appear in the step; apply admits exactly the shapes
// the plan writes and refuses a damaged one.
import { describe, expect, it } from "vitest";
import { Unknown } from "../../../src/config/value.js";
import type { Attrs, PlannedOperation } from "../../../src/provider/types.js";
import { plannedPull, pullConfig, pullOperation } from "../../../providers/oci/pull-operation.js";
import { prng } from "../../helpers/prng.js";

const DIGEST = `sha256:${"ab".repeat(32)}`;

describe("oci_image pull step", () => {
  const seed = Number(process.env["PMX_SEED"] ?? Date.now() % 100000);
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const maybeUnknown = (v: unknown) => (rnd() < 0.25 ? new Unknown("string") : v);

  function randomConfig(): Attrs {
    const c: Attrs = { node: maybeUnknown(pick(["pve1", "pve2"])), storage: maybeUnknown(pick(["local", "nfs"])), reference: maybeUnknown(pick(["r.test/a:1", "r.test/b@" + DIGEST])) };
    if (rnd() < 0.5) c["platform"] = maybeUnknown(pick(["amd64", "arm64"]));
    if (rnd() < 0.4) c["file_name"] = maybeUnknown(pick(["app", "x.tar"]));
    if (rnd() < 0.5) c["tls_verify"] = rnd() < 0.2 ? new Unknown("bool") : rnd() < 0.5;
    const a = rnd();
    if (a < 0.3) c["auth"] = { username: maybeUnknown("U-secret-user"), password: "P-secret-pass" };
    else if (a < 0.5) c["auth"] = { authfile: maybeUnknown("/root/auth.json") };
    else if (a < 0.6) c["auth"] = new Unknown("object");
    return c;
  }
  /** The configuration as apply evaluates it: every unknown known by then, every printed value different. */
  const atApply = (c: Attrs): Attrs => {
    const out: Attrs = { node: "pve9", storage: "later", reference: "r.test/later:2", platform: "arm", file_name: "later", tls_verify: true };
    const auth = c["auth"];
    out["auth"] =
      auth instanceof Unknown
        ? { authfile: "/later.json" }
        : auth && typeof auth === "object"
          ? { ...(auth as Attrs), ...("username" in (auth as Attrs) ? { username: "U-secret-user" } : { authfile: "/later.json" }) }
          : undefined;
    if (out["auth"] === undefined) delete out["auth"];
    return out;
  };

  it("prints what it can, names the rest, never holds a credential, and apply takes the printed values", () => {
    for (let i = 0; i < 400; i++) {
      const config = randomConfig();
      const planned: Attrs = { digest: rnd() < 0.5 ? DIGEST : new Unknown("string"), volid: rnd() < 0.5 ? "local:vztmpl/x.tar" : new Unknown("string") };
      const sensitive = rnd() < 0.2 ? [["storage"]] : [];
      const op = pullOperation(config, planned, "amd64", sensitive);
      const why = `seed ${seed} case ${i}: ${JSON.stringify(config)}`;
      const text = JSON.stringify(op);
      expect(text, why).not.toContain("secret");
      for (const k of ["node", "storage", "reference"] as const) {
        const v = config[k];
        if (typeof v === "string" && !(k === "storage" && sensitive.length)) expect(op[k], why).toBe(v);
        else expect(op[k], why).toEqual({ from: [k] });
      }
      expect(op.digest, why).toBe(typeof planned["digest"] === "string" ? planned["digest"] : null);
      // What apply admits is exactly what the plan wrote (through JSON, as the plan file carries it).
      expect(plannedPull("oci_image.x", [JSON.parse(text) as PlannedOperation]), why).toEqual(op);
      const now = atApply(config);
      const resolved = pullConfig("oci_image.x", op, now);
      for (const k of ["node", "storage", "reference"] as const) expect(resolved[k], why).toBe(typeof op[k] === "string" ? op[k] : now[k]);
      expect(resolved["platform"], why).toBe(typeof op.platform === "string" ? op.platform : now["platform"]);
      if (op.auth.mode === "password") expect(resolved["auth"], why).toEqual({ username: "U-secret-user", password: "P-secret-pass" });
      if (op.auth.mode === "none") expect(resolved["auth"], why).toBeUndefined();
    }
  });

  it("refuses a plan without the step and every damaged shape, before anything runs", () => {
    const good = pullOperation({ node: "pve1", storage: "local", reference: "r.test/a:1" }, { digest: DIGEST }, "amd64", []) as unknown as PlannedOperation;
    expect(() => plannedPull("oci_image.x", undefined)).toThrow(/carries no pull step .*earlier pmxform version\). Nothing was done; run "pmxform plan" again\./);
    expect(() => plannedPull("oci_image.x", [])).toThrow(/carries no pull step/);
    const damaged: PlannedOperation[] = [
      { ...good, op: "fetch" },
      { ...good, digest: "sha256:zz" },
      { ...good, node: 7 },
      { ...good, storage: { from: [] } },
      { ...good, reference: { from: ["reference"], value: "x" } },
      { ...good, tls_verify: "no" },
      { ...good, auth: { mode: "password", username: "u", password: { from: ["auth", "password"] } } },
      { ...good, auth: { mode: "token" } },
      { ...good, volid: 3 },
    ];
    for (const d of damaged) expect(() => plannedPull("oci_image.x", [d]), JSON.stringify(d)).toThrow(/holds a pull step this pmxform cannot carry out/);
    expect(() => plannedPull("oci_image.x", [good, good])).toThrow(/cannot carry out/);
    const { file_name: _f, ...withoutField } = good;
    expect(() => plannedPull("oci_image.x", [withoutField])).toThrow(/cannot carry out/);
  });

  it("a value the plan left to apply that is still unknown then stops the pull", () => {
    const op = pullOperation({ node: new Unknown("string"), storage: "local", reference: "r.test/a:1" }, {}, "amd64", []);
    expect(() => pullConfig("oci_image.x", op, { storage: "local", reference: "r.test/a:1" })).toThrow('oci_image.x: node is still unknown at apply. Nothing was done; run "pmxform plan" again.');
  });
});
