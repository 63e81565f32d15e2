// oci_image against the real skopeo + docker-registry and the simulator's template storage:
// pull, no-op refresh, moved tag -> planned replace, pinned digests never looked up, auth, and
// failures that leave no temporary file and name the resource and the reference.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimRunner } from "../../../src/exec/sim.js";
import type { ApplyContext, Attrs, PlannedOperation, RefreshContext } from "../../../src/provider/types.js";
import { pullOperation } from "../../../providers/oci/pull-operation.js";
import { ociImage } from "../../../providers/oci/image.js";
import { takeProxmoxSnapshot } from "../../../providers/oci/snapshot.js";
import { HAVE_REGISTRY_TOOLS, NO_REGISTRY_TOOLS, TEST_PASSWORD, TEST_USER, pushImage, startRegistry, type Registry } from "../../helpers/registry.js";

const SIM_BUILT = existsSync(new URL("../../../dist/src/sim/main.js", import.meta.url));

describe.skipIf(!HAVE_REGISTRY_TOOLS || !SIM_BUILT)(
  `oci_image with real skopeo${HAVE_REGISTRY_TOOLS ? "" : ` (skipped: ${NO_REGISTRY_TOOLS})`}${SIM_BUILT ? "" : " (skipped: npm run build first)"}`,
  () => {
    let reg: Registry;
    let authReg: Registry;
    let dir: string;
    const argvs: string[][] = [];
    const runner = (node: string) => {
      const r = new SimRunner(dir, node);
      return { description: r.description, run: (argv: string[], o?: Parameters<SimRunner["run"]>[1]) => (argvs.push(argv), r.run(argv, o)) };
    };
    const tplDir = () => join(dir, "nodes", "pve1", "var", "lib", "vz", "template", "cache");
    const refreshCtx = (prior: { address: string; attributes: Attrs }[] = []): RefreshContext => ({
      runnerFor: runner,
      signal: new AbortController().signal,
      pveRootFor: () => join(dir, "etc", "pve"),
      priorResources: prior.map((p) => ({ ...p, type: "oci_image" })),
    });
    const applyCtx = (): ApplyContext => ({
      runnerFor: runner,
      snapshot: undefined,
      log: () => undefined,
      recordIntent: async () => undefined,
      forgetIntent: async () => undefined,
      lineage: "test-lineage",
      signal: new AbortController().signal,
      pveRootFor: () => join(dir, "etc", "pve"),
    });
    const snap = async (prior: { address: string; attributes: Attrs }[] = []) => (await takeProxmoxSnapshot("pve1", refreshCtx(prior))).snapshot;
    /** The pull step of a plan that could not resolve the tag (no refresh): apply asks the registry. */
    const unresolved = (config: Attrs) => [pullOperation(config, {}, "amd64", [])] as unknown as PlannedOperation[];
    const diff = (config: Attrs, prior: Attrs | null, snapshot: unknown) => ociImage.diff({ address: "oci_image.app", config, prior, snapshot, claimedVmids: new Set(), forceReplace: false });

    beforeAll(async () => {
      [reg, authReg] = await Promise.all([startRegistry(), startRegistry({ auth: true })]);
      dir = mkdtempSync(join(tmpdir(), "pmx-oci-img-"));
      const { initSim } = await import("../../../src/sim/index.js");
      initSim(dir, { nodes: ["pve1"] });
    });
    afterAll(async () => {
      await Promise.all([reg?.stop(), authReg?.stop()]);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    let state: Attrs;
    let d1: string;
    const config = (): Attrs => ({ node: "pve1", storage: "local", reference: `${reg.host}/pmx/app:1`, tls_verify: false });

    it("pulls into template storage through pvesm path, then refreshes as no-op", async () => {
      d1 = await pushImage(reg, "pmx/app", "1", { entrypoint: ["/bin/app"], volumes: ["/data"] });
      const plan = diff(config(), null, await snap());
      expect(plan.action).toBe("create");
      state = await ociImage.create({ address: "oci_image.app", config: config(), planned: plan.planned, operations: plan.operations }, applyCtx());
      const file = `127.0.0.1_${reg.host.split(":")[1]}_pmx_app_1_amd64_${d1.slice(7, 19)}.tar`;
      expect(state).toMatchObject({ digest: d1, volid: `local:vztmpl/${file}`, volumes: ["/data"], full_reference: `${reg.host}/pmx/app:1`, auth_mode: "none" });
      expect(state["size"]).toBe(statSync(join(tplDir(), file)).size);
      expect(readdirSync(tplDir()).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      expect(argvs.some((a) => a[0] === "pvesm" && a[1] === "path")).toBe(true);

      const s = await snap([{ address: "oci_image.app", attributes: state }]);
      const read = ociImage.read({ address: "oci_image.app", prior: state, snapshot: s })!;
      expect(read["latest_digest"]).toBe(d1);
      expect(diff(config(), read, s).action).toBe("no-op");
    });

    it("plans a replace with a new file when the tag moves", async () => {
      const d2 = await pushImage(reg, "pmx/app", "1", { entrypoint: ["/bin/app", "--v2"], volumes: ["/data"] });
      expect(d2).not.toBe(d1);
      const s = await snap([{ address: "oci_image.app", attributes: state }]);
      const read = ociImage.read({ address: "oci_image.app", prior: state, snapshot: s })!;
      const plan = diff(config(), read, s);
      expect(plan.action).toBe("replace");
      expect(plan.reasons).toEqual([{ path: ["digest"], reason: "replace (the tag moved to a new digest)" }]);
      expect(plan.planned["digest"]).toBe(d2);
      expect(String(plan.planned["volid"])).toContain(d2.slice(7, 19));
    });

    it("never looks up or re-pulls a digest-pinned image", async () => {
      const pinnedCfg = { ...config(), reference: `${reg.host}/pmx/app@${d1}` };
      const pinned = await ociImage.create({ address: "oci_image.pinned", config: pinnedCfg, planned: {}, operations: unresolved(pinnedCfg) }, applyCtx());
      expect(pinned["digest"]).toBe(d1);
      const before = argvs.length;
      const s = await snap([{ address: "oci_image.pinned", attributes: pinned }]);
      expect(argvs.slice(before).filter((a) => a[0] === "skopeo")).toEqual([]);
      const read = ociImage.read({ address: "oci_image.pinned", prior: pinned, snapshot: s })!;
      expect(ociImage.diff({ address: "oci_image.pinned", config: pinnedCfg, prior: read, snapshot: s, claimedVmids: new Set(), forceReplace: false }).action).toBe("no-op");
    });

    it("a missing file plans a new pull", async () => {
      const s = await snap();
      rmSync(join(tplDir(), String(state["volid"]).split("/")[1]!));
      expect(ociImage.read({ address: "oci_image.app", prior: state, snapshot: await snap() })).toBeNull();
      expect(s).toBeDefined();
    });

    it("pulls from an htpasswd registry with username/password, never putting them in argv", async () => {
      const d = await pushImage(authReg, "pmx/secret", "1", { entrypoint: ["/s"] }, { auth: true });
      const cfg = { node: "pve1", storage: "local", reference: `${authReg.host}/pmx/secret:1`, tls_verify: false, auth: { username: TEST_USER, password: TEST_PASSWORD } };
      const before = argvs.length;
      const attrs = await ociImage.create({ address: "oci_image.secret", config: cfg, planned: {}, operations: unresolved(cfg) }, applyCtx());
      expect(attrs).toMatchObject({ digest: d, auth_mode: "password", auth_username: TEST_USER });
      expect(JSON.stringify(attrs)).not.toContain(TEST_PASSWORD);
      const calls = argvs.slice(before);
      expect(JSON.stringify(calls)).not.toContain(TEST_PASSWORD);
      const authfile = calls.find((a) => a.includes("--authfile"))!;
      const path = authfile[authfile.indexOf("--authfile") + 1]!;
      expect(existsSync(path)).toBe(false); // removed afterwards
    });

    it.each([
      ["without credentials", {}, "refused the credentials"],
      ["with a wrong password", { auth: { username: TEST_USER, password: "wrong" } }, "refused the credentials"],
    ])("fails clearly on the protected registry %s", async (_n, extra, msg) => {
      const cfg = { node: "pve1", storage: "local", reference: `${authReg.host}/pmx/secret:1`, tls_verify: false, ...extra };
      await expect(ociImage.create({ address: "oci_image.secret", config: cfg, planned: {}, operations: unresolved(cfg) }, applyCtx())).rejects.toThrow(
        new RegExp(`^oci_image\\.secret: ${authReg.host}/pmx/secret:1: .*${msg}`),
      );
    });

    it.each([
      ["an unknown tag", () => `${reg.host}/pmx/app:9.9`, {}, "no such image or tag"],
      ["TLS verification against a plain-HTTP registry", () => `${reg.host}/pmx/app:1`, { tls_verify: true }, "plain HTTP"],
      ["a registry that is down", () => "127.0.0.1:9/pmx/app:1", {}, "cannot be reached"],
    ])("fails clearly on %s", async (_n, refOf, extra, msg) => {
      const cfg = { ...config(), reference: refOf(), ...extra };
      await expect(ociImage.create({ address: "oci_image.bad", config: cfg, planned: {}, operations: unresolved(cfg) }, applyCtx())).rejects.toThrow(msg);
      expect(readdirSync(tplDir()).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    });

    it("refuses an image for another architecture and leaves no file behind", async () => {
      await pushImage(reg, "pmx/armonly", "1", { entrypoint: ["/a"], architecture: "arm64" });
      const before = readdirSync(tplDir()).sort();
      const cfg = { ...config(), reference: `${reg.host}/pmx/armonly:1` };
      await expect(ociImage.create({ address: "oci_image.arm", config: cfg, planned: {}, operations: unresolved(cfg) }, applyCtx())).rejects.toThrow(
        /^oci_image\.arm: .*pmx\/armonly:1: the image is for architecture arm64, not amd64/,
      );
      expect(readdirSync(tplDir()).sort()).toEqual(before);
    });
  },
);
