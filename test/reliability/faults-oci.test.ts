// Fault injection over an OCI apply (real skopeo + a real registry): every simulated call of the
// pull-and-create fails once in turn; the registry stops in the middle of a run; the registry
// serves a layer whose digest does not match. Each run ends with a clear error and a state that
// knows every container and archive on the node, and a rerun converges.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallRecord } from "../../src/sim/calllog.js";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir } from "../e2e/helpers.js";
import { HAVE_REGISTRY_TOOLS, NO_REGISTRY_TOOLS, pushImage, startRegistry, type ImageSpec, type Registry } from "../helpers/registry.js";
import { callCount, callsSince, cloneWorkdir, describeCall, expectCleanFailure, expectConverges, faultFor, injectFaults, pool, run, simArchives, unknownToState } from "./faults-harness.js";

const SKIP = !BUILT ? NOT_BUILT : !HAVE_REGISTRY_TOOLS ? NO_REGISTRY_TOOLS : "";
const IMAGE: ImageSpec = { entrypoint: ["/bin/app"], env: ["PATH=/bin"], files: { "bin/app": "#!/bin/sh\n" } };
const PERMANENT = { stderr: "unable to apply: injected permanent failure (fault test)", exit: 255 };

const config = (host: string) => `${SIM_NODE.replace('sim = "sim"', 'sim            = "sim"\n    retry_delay_ms = 5')}
resource "oci_image" "app" {
  node       = "pve1"
  storage    = "local"
  reference  = "${host}/pmx/app:1"
  tls_verify = false
}

resource "oci_container" "app" {
  node     = "pve1"
  image    = oci_image.app.volid
  hostname = "app"
  rootfs {
    storage = "local-lvm"
    size    = "2G"
  }
  env = {
    APP_MODE = "prod"
  }
  mount "data" {
    storage = "local-lvm"
    size    = "1G"
    path    = "/data"
  }
  started = true
}
`;

/** Files under the registry's storage whose content is this blob digest. */
function blobPath(reg: Registry, digest: string): string {
  const hex = digest.replace("sha256:", "");
  return join(reg.dir, "store/docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data");
}

describe.skipIf(SKIP !== "")(`fault injection: OCI apply${SKIP ? ` (skipped: ${SKIP})` : ""}`, () => {
  let reg: Registry;
  let baseline: Workdir;
  let calls: CallRecord[];
  const made: Workdir[] = [];
  const trialDir = (name: string) => {
    const w = cloneWorkdir(baseline, `pmx-fault-oci-${name}-`);
    made.push(w);
    return w;
  };

  beforeAll(async () => {
    reg = await startRegistry();
    await pushImage(reg, "pmx/app", "1", IMAGE);
    baseline = new Workdir("pmx-fault-oci-base-");
    baseline.write("main.pmx.hcl", config(reg.host));
    // The simulator exists before the first trial, so clones share nothing but their contents.
    expect((await run(baseline, ["sim", "init", "sim"])).code).toBe(0);
    const rec = trialDir("record");
    const before = callCount(rec);
    const r = await run(rec, ["apply", "--auto-approve"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // The refresh reads at the start are the same as in faults-lxc.test.ts, which fails each of
    // them; this file fails every call from the first one the OCI resources make.
    const all = callsSince(rec, before);
    calls = all.slice(all.findIndex((c) => !(c.tool === "pvesh" && c.argv[0] === "get")));
  }, 180_000);
  afterAll(async () => {
    await reg?.stop();
    for (const w of [baseline, ...made]) w?.remove();
  });

  it("every simulated call failing once: clear error, nothing unknown to the state, rerun converges", async () => {
    expect(calls.map((c) => `${c.tool} ${c.argv[0]}`)).toEqual(expect.arrayContaining(["pvesm path", "pct create", "pct start"]));
    let converged = 0;
    await pool(
      calls.map((_, k) => k),
      3,
      async (k) => {
        const what = `call ${k} (${describeCall(calls[k]!)})`;
        const w = trialDir(`k${k}`);
        injectFaults(w, [faultFor(calls, k, PERMANENT)]);
        const r = await run(w, ["apply", "--auto-approve"]);
        if (r.code !== 0) {
          expectCleanFailure(r, what);
          expect(r.stderr, what).toContain("injected permanent failure");
        }
        expect(unknownToState(w), `${what}: what the state lost`).toEqual([]);
        await expectConverges(w, what);
        converged++;
        w.remove();
      },
    );
    console.log(`fault injection (oci): ${calls.length} simulated calls failed in turn, ${converged} reruns converged`);
    expect(converged).toBe(calls.length);
  }, 400_000);

  it("a registry stopped mid-run: clear error, no half-pulled archive, rerun converges once it is back", async () => {
    const w = trialDir("stopped");
    // Hold the run in `pvesm path` (right before the pull) and stop the registry meanwhile.
    injectFaults(w, [{ tool: "pvesm", args: ["path"], hangMs: 3000 }]);
    const running = run(w, ["apply", "--auto-approve"]);
    const counters = join(w.dir, "sim/faults.state.json");
    while (!existsSync(counters)) await new Promise((r) => setTimeout(r, 20));
    const port = Number(reg.host.split(":")[1]);
    await reg.stop();
    const r = await running;
    expectCleanFailure(r, "registry stopped");
    expect(r.stderr).toMatch(/oci_image\.app/);
    expect(r.stderr).toContain("the registry cannot be reached");
    expect(simArchives(w)).toEqual([]);
    expect(unknownToState(w)).toEqual([]);
    reg = await startRegistry({ port });
    await pushImage(reg, "pmx/app", "1", IMAGE);
    await expectConverges(w, "registry back");
  }, 120_000);

  it("a layer whose content does not match its digest: clear error, nothing kept, rerun converges after repair", async () => {
    const w = trialDir("digest");
    const res = await fetch(`http://${reg.host}/v2/pmx/app/manifests/1`, { headers: { accept: "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json" } });
    const manifest = (await res.json()) as { layers: { digest: string }[] };
    const layer = { d: manifest.layers[0]!.digest };
    const original = readFileSync(blobPath(reg, layer.d));
    const tampered = Buffer.from(original);
    for (const at of [Math.floor(tampered.length / 2), tampered.length - 1]) tampered.writeUInt8(tampered.readUInt8(at) ^ 0xff, at);
    writeFileSync(blobPath(reg, layer.d), tampered);
    const r = await run(w, ["apply", "--auto-approve"]);
    expectCleanFailure(r, "wrong digest");
    expect(r.stderr).toMatch(/oci_image\.app/);
    expect(r.stderr).toMatch(/digest/i);
    expect(simArchives(w)).toEqual([]);
    expect(unknownToState(w)).toEqual([]);
    writeFileSync(blobPath(reg, layer.d), original);
    await expectConverges(w, "digest repaired");
  }, 120_000);
});
