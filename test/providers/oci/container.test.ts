// oci_container against the simulator with images pulled by the real skopeo: create with several
// env entries, no-op re-plan, plan-time refusals and warnings, and the image replace that moves
// data volumes into the new container.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimRunner } from "../../../src/exec/sim.js";
import { Unknown } from "../../../src/config/value.js";
import type { ApplyContext, Attrs, PlannedOperation, RefreshContext } from "../../../src/provider/types.js";
import { pullOperation } from "../../../providers/oci/pull-operation.js";
import { ociImage } from "../../../providers/oci/image.js";
import { ociContainer, IMAGE_REPLACE_REASON } from "../../../providers/oci/container.js";
import { takeProxmoxSnapshot } from "../../../providers/oci/snapshot.js";
import { HAVE_REGISTRY_TOOLS, NO_REGISTRY_TOOLS, pushImage, startRegistry, type Registry } from "../../helpers/registry.js";

const SIM_BUILT = existsSync(new URL("../../../dist/src/sim/main.js", import.meta.url));

describe.skipIf(!HAVE_REGISTRY_TOOLS || !SIM_BUILT)(`oci_container on the simulator${HAVE_REGISTRY_TOOLS ? "" : ` (skipped: ${NO_REGISTRY_TOOLS})`}`, () => {
  let reg: Registry;
  let dir: string;
  const intents: unknown[] = [];
  const refreshCtx = (prior: { address: string; type: string; attributes: Attrs }[]): RefreshContext => ({
    runnerFor: (n) => new SimRunner(dir, n),
    signal: new AbortController().signal,
    pveRootFor: () => join(dir, "etc", "pve"),
    priorResources: prior,
  });
  const applyCtx = (): ApplyContext => ({
    runnerFor: (n) => new SimRunner(dir, n),
    snapshot: undefined,
    log: () => undefined,
    recordIntent: async (i) => void intents.push(i),
    forgetIntent: async () => undefined,
    lineage: "test-lineage",
    signal: new AbortController().signal,
    pveRootFor: () => join(dir, "etc", "pve"),
  });
  const confOf = (vmid: number) => readFileSync(join(dir, "etc/pve/nodes/pve1/lxc", `${vmid}.conf`), "utf8");
  let image1: Attrs;
  let image2: Attrs;
  let image3: Attrs;
  let ct: Attrs;
  const snap = async () =>
    (
      await takeProxmoxSnapshot(
        "pve1",
        refreshCtx([
          { address: "oci_image.app", type: "oci_image", attributes: image1 },
          { address: "oci_container.app", type: "oci_container", attributes: ct ?? {} },
        ]),
      )
    ).snapshot;
  const config = (image: Attrs, extra: Attrs = {}): Attrs => ({
    node: "pve1",
    image: image["volid"],
    hostname: "app",
    rootfs: { storage: "local-lvm", size: "2G" },
    network: { eth0: { bridge: "vmbr0", ip: "dhcp" } },
    env: { APP_MODE: "prod", APP_PORT: "8080" },
    working_dir: "/srv",
    mount: { data: { storage: "local-lvm", size: "1G", path: "/data" }, media: { host_path: "/tank/media", path: "/media" } },
    started: true,
    ...extra,
  });
  const diff = (c: Attrs, prior: Attrs | null, snapshot: unknown) => ociContainer.diff({ address: "oci_container.app", config: c, prior, snapshot, claimedVmids: new Set(), forceReplace: false });

  beforeAll(async () => {
    reg = await startRegistry();
    dir = mkdtempSync(join(tmpdir(), "pmx-oci-ct-"));
    const { initSim } = await import("../../../src/sim/index.js");
    initSim(dir, { nodes: ["pve1"] });
    const pull = async (tag: string, spec: Parameters<typeof pushImage>[3]) => {
      await pushImage(reg, "pmx/app", tag, spec);
      const config = { node: "pve1", storage: "local", reference: `${reg.host}/pmx/app:${tag}`, tls_verify: false };
      return ociImage.create({ address: "oci_image.app", config, planned: {}, operations: [pullOperation(config, {}, "amd64", [])] as unknown as PlannedOperation[] }, applyCtx());
    };
    image1 = await pull("1", { entrypoint: ["/bin/app", "--serve"], env: ["PATH=/bin", "APP_MODE=dev"], volumes: ["/data", "/cache"] });
    image2 = await pull("2", { entrypoint: ["/bin/app", "--serve", "--v2"], env: ["PATH=/bin"], volumes: ["/data"] });
    image3 = await pull("3", { entrypoint: ["/bin/app"], env: ["PATH=/bin"], volumes: ["/data"], workingDir: "/opt/app" });
  });
  afterAll(async () => {
    await reg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses privileged containers and warns about image volumes without a mount", async () => {
    const s = await snap();
    const d = diff(config(image1, { unprivileged: false }), null, s);
    expect(d.issues.find((i) => i.severity === "error")).toMatchObject({ path: ["unprivileged"], summary: "OCI containers must be unprivileged" });
    const w = d.issues.filter((i) => i.severity === "warning");
    expect(w).toHaveLength(1);
    expect(w[0]!.detail).toContain("/cache");
  });

  it("creates from the archive with several env entries, the entrypoint and host-managed networking; re-plans as no-op", async () => {
    const s = await snap();
    const d = diff(config(image1), null, s);
    expect(d.action).toBe("create");
    ct = await ociContainer.create({ address: "oci_container.app", config: config(image1), planned: d.planned, operations: d.operations }, applyCtx());
    const conf = confOf(Number(ct["vmid"]));
    expect(conf).toMatch(/^entrypoint: \/bin\/app --serve$/m);
    expect(conf).toMatch(/^cmode: console$/m);
    expect(conf).toMatch(/^net0: .*host-managed=1/m);
    expect(conf).toMatch(/^lxc\.environment\.runtime: APP_MODE=prod$/m);
    expect(conf).toMatch(/^lxc\.environment\.runtime: APP_PORT=8080$/m);
    expect(conf).toMatch(/^lxc\.environment\.runtime: PATH=\/bin$/m);
    expect(conf).toMatch(/^lxc\.init\.cwd: \/srv$/m);
    expect(ct).toMatchObject({ env: { APP_MODE: "prod", APP_PORT: "8080" }, working_dir: "/srv", image: image1["volid"], started: true });
    const s2 = await snap();
    const read = ociContainer.read({ address: "oci_container.app", prior: ct, snapshot: s2 })!;
    const again = diff(config(image1), read, s2);
    expect(again.action).toBe("no-op");
  });

  it("changing env is an in-place update that rewrites the env lines", async () => {
    const s = await snap();
    const read = ociContainer.read({ address: "oci_container.app", prior: ct, snapshot: s })!;
    const cfg = config(image1, { env: { APP_MODE: "staging" } });
    const d = diff(cfg, read, s);
    expect(d.action).toBe("update");
    ct = await ociContainer.update!({ address: "oci_container.app", config: cfg, prior: read, planned: d.planned, operations: d.operations }, applyCtx());
    const conf = confOf(Number(ct["vmid"]));
    expect(conf).toMatch(/^lxc\.environment\.runtime: APP_MODE=staging$/m);
    expect(conf).not.toMatch(/APP_PORT/);
    const s2 = await snap();
    expect(diff(cfg, ociContainer.read({ address: "oci_container.app", prior: ct, snapshot: s2 }), s2).action).toBe("no-op");
  });

  it("an image change is a replace that moves the data volume and keeps the bind mount", async () => {
    const cfg = config(image2, { env: { APP_MODE: "staging" } });
    const s = await snap();
    const read = ociContainer.read({ address: "oci_container.app", prior: ct, snapshot: s })!;
    const oldVmid = Number(read["vmid"]);
    const volume = String((read["mount"] as Record<string, Attrs>)["data"]!["volume"]);
    const d = diff(cfg, read, s);
    expect(d.action).toBe("replace");
    expect(d.reasons).toEqual([{ path: ["image"], reason: IMAGE_REPLACE_REASON }]);
    expect(d.notes?.join("\n")).toContain(`the data volume ${volume} (mount "data") moves to the new container`);
    // Moved, not deleted: the plan's list of deleted volumes leaves it out; a new storage would not.
    expect(d.volumeDeletions).toBeUndefined();
    const elsewhere = config(image2, { mount: { data: { storage: "local", size: "1G", path: "/data" }, media: { host_path: "/tank/media", path: "/media" } } });
    expect(diff(elsewhere, read, s).volumeDeletions).toEqual([{ volume, size: "1G", reason: 'mount "data" (mp0), destroyed with the container' }]);
    const next = await ociContainer.replace!({ address: "oci_container.app", config: cfg, prior: read, planned: d.planned, operations: d.operations }, applyCtx());
    const newVmid = Number(next["vmid"]);
    expect(newVmid).not.toBe(oldVmid);
    expect(existsSync(join(dir, "etc/pve/nodes/pve1/lxc", `${oldVmid}.conf`))).toBe(false);
    const conf = confOf(newVmid);
    expect(conf).toMatch(/^entrypoint: \/bin\/app --serve --v2$/m);
    expect(conf).toMatch(new RegExp(`^mp\\d+: local-lvm:vm-${newVmid}-disk-\\d+,mp=/data`, "m"));
    expect(conf).toMatch(/^mp\d+: \/tank\/media,mp=\/media/m);
    expect(conf).toMatch(/^lxc\.environment\.runtime: APP_MODE=staging$/m);
    expect(next).toMatchObject({ image: image2["volid"], started: true });
    expect((next["mount"] as Record<string, Attrs>)["data"]).toBeDefined();
    const s2 = await snap();
    ct = next;
    expect(diff(cfg, ociContainer.read({ address: "oci_container.app", prior: next, snapshot: s2 }), s2).action).toBe("no-op");
  });

  it("a replacement whose working_dir is left to the image keeps the image's (planned unknown by the engine)", async () => {
    const s = await snap();
    const read = ociContainer.read({ address: "oci_container.app", prior: ct, snapshot: s })!;
    const cfg = config(image3);
    delete cfg["working_dir"];
    delete cfg["env"];
    const d = diff(cfg, read, s);
    expect(d.action).toBe("replace");
    // The engine plans a replacement's computed attributes the configuration leaves out as unknown.
    const planned = { ...d.planned, working_dir: new Unknown("string") };
    const next = await ociContainer.replace!({ address: "oci_container.app", config: cfg, prior: read, planned, operations: d.operations }, applyCtx());
    expect(confOf(Number(next["vmid"]))).toMatch(/^lxc\.init\.cwd: \/opt\/app$/m);
    ct = next;
  });
});
