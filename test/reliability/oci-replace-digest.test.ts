// oci_container's replacement moves its kept data volumes with pct move-volume carrying the
// digests of both containers' confs (--digest for the old, --target-digest for the new), each read
// after pmxform's previous step there (providers/oci/container-apply.ts replaceOn). Another person
// changes either container while pmxform is held at a move (src/sim/faults.ts Fault.gate): the
// move is refused by the real simulator, the stop names the change and the container, no volume
// moves under them, and both containers are left. Through the CLI, simulator + real registry.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, simCalls, type CliResult } from "../e2e/helpers.js";
import { HAVE_REGISTRY_TOOLS, NO_REGISTRY_TOOLS, pushImage, startRegistry, type Registry } from "../helpers/registry.js";
import { runHeldAt } from "../helpers/gate.js";
import { expectCleanFailure } from "./faults-harness.js";

const SKIP = !BUILT ? NOT_BUILT : !HAVE_REGISTRY_TOOLS ? NO_REGISTRY_TOOLS : "";

const mount = (name: string) => `  mount "${name}" {
    storage = "local-lvm"
    size    = "1G"
    path    = "/${name}"
  }
`;
const config = (host: string, repo: string) => `${SIM_NODE}
resource "oci_image" "app" {
  node       = "pve1"
  storage    = "local"
  reference  = "${host}/${repo}:1"
  tls_verify = false
}

resource "oci_container" "app" {
  node     = "pve1"
  image    = oci_image.app.volid
  hostname = "app"
  rootfs {
    storage = "local-lvm"
    size    = "1G"
  }
${mount("data")}${mount("logs")}  started = false
}
`;

describe.skipIf(SKIP !== "")(`digest-checked volume moves of an OCI replacement${SKIP ? ` (skipped: ${SKIP})` : ""}`, () => {
  let reg: Registry | undefined;
  let w: Workdir | undefined;
  afterEach(async () => {
    await reg?.stop();
    w?.remove();
  });
  const lxcDir = () => w!.path("sim/etc/pve/nodes/pve1/lxc");
  const conf = (vmid: number) => readFileSync(join(lxcDir(), `${vmid}.conf`), "utf8");
  const vmids = () => readdirSync(lxcDir()).map((f) => Number(f.replace(/\.conf$/, "")));
  const moves = () => simCalls(w!).filter((c) => c.tool === "pct" && c.argv[0] === "move-volume");

  /** An app container with two data volumes, then its image's tag moved: the next apply replaces it. */
  async function stage(repo: string): Promise<{ oldVmid: number; volumes: string[] }> {
    reg = await startRegistry();
    w = new Workdir("pmx-oci-replace-digest-");
    await pushImage(reg, repo, "1", { entrypoint: ["/bin/app"] });
    w.write("main.pmx.hcl", config(reg.host, repo));
    const first = await w.run("apply", "--auto-approve");
    expect(first.code, first.stderr).toBe(0);
    const [oldVmid] = vmids();
    const volumes = ["mp0", "mp1"].map((k) => new RegExp(`^${k}: ([^,]+),`, "m").exec(conf(oldVmid!))![1]!);
    await pushImage(reg, repo, "1", { entrypoint: ["/bin/app", "--v2"] });
    return { oldVmid: oldVmid!, volumes };
  }

  /** Apply held at its `nth` move-volume while another person runs `outside(oldVmid, newVmid)`. */
  async function applyWithOutsideChange(nth: number, outside: (oldVmid: number, newVmid: number) => string[], oldVmid: number): Promise<{ r: CliResult; newVmid: number }> {
    const held = await runHeldAt(w!.path("sim"), { tool: "pct", args: ["move-volume"], nth }, w!.dir, ["apply", "-auto-approve"]);
    const newVmid = vmids().find((v) => v !== oldVmid)!;
    execFileSync(w!.path("sim/bin/pct"), outside(oldVmid, newVmid));
    held.open();
    return { r: await held.done, newVmid };
  }

  it("the old container changed just before the first move: refused by --digest, nothing moves, the stop names CT and key", { timeout: 240_000 }, async () => {
    const { oldVmid, volumes } = await stage("pmx/replace-old");
    const { r, newVmid } = await applyWithOutsideChange(1, (o) => ["set", String(o), "--memory", "4096"], oldVmid);
    expectCleanFailure(r, "outside change to the old container");
    expect(r.stderr).toContain(`oci_container.app: CT ${oldVmid}: memory (now 4096) was changed outside pmxform`);
    expect(r.stderr).toContain(`replacing CT ${oldVmid} with CT ${newVmid} stopped at "move mp0 to CT ${newVmid} mp0"; both containers still exist and no volume was deleted`);
    // The one move pmxform ran carried both digests, and the source's was stale.
    expect(moves().map((c) => c.argv)).toEqual([
      [
        "move-volume",
        String(oldVmid),
        "mp0",
        "--target-vmid",
        String(newVmid),
        "--target-volume",
        "mp0",
        "--digest",
        expect.stringMatching(/^[0-9a-f]{40}$/),
        "--target-digest",
        expect.stringMatching(/^[0-9a-f]{40}$/),
      ],
    ]);
    expect(conf(oldVmid)).toContain(`mp0: ${volumes[0]},`);
    expect(conf(oldVmid)).toContain(`mp1: ${volumes[1]},`);
    expect(conf(oldVmid)).toContain("memory: 4096");
    expect(conf(newVmid)).not.toMatch(/^mp\d+:/m);
  });

  it("the new container changed between two moves: the second is refused by --target-digest and the first volume stays where it went", { timeout: 240_000 }, async () => {
    const { oldVmid, volumes } = await stage("pmx/replace-new");
    const { r, newVmid } = await applyWithOutsideChange(2, (_o, n) => ["set", String(n), "--hostname", "someone-else"], oldVmid);
    expectCleanFailure(r, "outside change to the new container");
    expect(r.stderr).toContain(`oci_container.app: CT ${newVmid}: hostname (now someone-else) was changed outside pmxform`);
    expect(r.stderr).toContain(`stopped at "move mp1 to CT ${newVmid} mp1"`);
    const argvs = moves().map((c) => c.argv);
    expect(argvs).toHaveLength(2);
    // Each move carried the digests of the reads after pmxform's previous step: the second ones differ from the first.
    const digestsOf = (a: string[]) => [a[a.indexOf("--digest") + 1], a[a.indexOf("--target-digest") + 1]];
    const [d1, d2] = argvs.map(digestsOf);
    expect(d1![0]).not.toBe(d2![0]);
    expect(d1![1]).not.toBe(d2![1]);
    expect(conf(oldVmid)).not.toMatch(/^mp0:/m);
    expect(conf(oldVmid)).toContain(`mp1: ${volumes[1]},`);
    expect(conf(newVmid)).toMatch(/^mp0: [^,]+,mp=\/data/m);
    expect(conf(newVmid)).not.toMatch(/^mp1:/m);
    expect(conf(newVmid)).toContain("hostname: someone-else");
    expect(vmids().sort()).toEqual([oldVmid, newVmid].sort());
  });

  it("the old container changed between a saved plan and its apply: nothing is created, nothing moves", { timeout: 240_000 }, async () => {
    const { oldVmid, volumes } = await stage("pmx/replace-plan");
    expect((await w!.run("plan", "--out", "plan.out")).code).toBe(0);
    execFileSync(w!.path("sim/bin/pct"), ["set", String(oldVmid), "--description", "someone's note"]);
    const r = await w!.run("apply", "plan.out");
    expectCleanFailure(r, "outside change since the plan");
    expect(r.stderr).toContain(`oci_container.app: the configuration of CT ${oldVmid} was changed outside pmxform since the plan was made. Nothing was done; run "pmxform plan" again`);
    expect(vmids()).toEqual([oldVmid]);
    expect(simCalls(w!).filter((c) => c.tool === "pct" && ["create", "move-volume", "destroy", "stop"].includes(c.argv[0]!))).toHaveLength(1); // the first apply's create
    expect(conf(oldVmid)).toContain(`mp0: ${volumes[0]},`);
  });

  it("without anyone else, both volumes move with fresh digests each time and the old container goes", { timeout: 240_000 }, async () => {
    const { oldVmid } = await stage("pmx/replace-clean");
    const r = await w!.run("apply", "-auto-approve");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const argvs = moves().map((c) => c.argv);
    expect(argvs).toHaveLength(2);
    for (const a of argvs) expect(a.slice(-4)).toEqual(["--digest", expect.stringMatching(/^[0-9a-f]{40}$/), "--target-digest", expect.stringMatching(/^[0-9a-f]{40}$/)]);
    expect(vmids()).not.toContain(oldVmid);
    expect(vmids()).toHaveLength(1);
  });
});
