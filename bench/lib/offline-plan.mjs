// Planning with no I/O for the plan benchmarks (bench/plan.mjs, bench/vmid.mjs): the cluster
// snapshot of an empty one-node cluster, recorded once from the simulator and rebuilt by the
// provider's pure parsers, and one sample per fresh Node process (a CLI run pays its JIT warm-up
// too, and peak RSS is per process).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLI, dist } from "./stats.mjs";

/** Records into DIR/recorded.json what the snapshot of a fresh simulated cluster (in DIR/sim) reads. */
export function recordEmptyCluster(dir) {
  const sim = join(dir, "sim");
  execFileSync(process.execPath, [CLI, "sim", "init", sim], { stdio: "ignore" });
  const pvesh = (...a) => execFileSync(join(sim, "bin", "pvesh"), ["get", ...a, "--output-format", "json"], { encoding: "utf8" });
  const recorded = { resources: pvesh("/cluster/resources"), lxc: pvesh("/nodes/pve1/lxc"), templates: pvesh("/nodes/pve1/storage/local/content", "--content", "vztmpl") };
  writeFileSync(join(dir, "recorded.json"), JSON.stringify(recorded));
}

/**
 * Loads the engine and the recording of recordEmptyCluster(dir). `load` opens a configuration
 * directory; `plan` plans it against the recorded cluster (snapshot building included, as a real
 * plan pays it) and throws on an error diagnostic, returning how many instances it creates.
 */
export async function offlinePlanner(dir) {
  const [{ buildRegistry }, { openSession }, { plan }, { buildSnapshot }, parse, { parseStorageContent }] = await Promise.all([
    dist("src/registry-wiring.js"),
    dist("src/engine/session.js"),
    dist("src/engine/plan.js"),
    dist("providers/lxc/snapshot.js"),
    dist("providers/lxc/snapshot-parse.js"),
    dist("providers/oci/snapshot.js"),
  ]);
  const registry = await buildRegistry();
  const rec = JSON.parse(readFileSync(join(dir, "recorded.json"), "utf8"));
  return {
    async load(configDir) {
      const { session, diagnostics } = await openSession({ chdir: configDir }, registry, { variables: "resolve" });
      if (!session) throw new Error(`config does not load: ${diagnostics.map((d) => d.summary).join("; ")}`);
      return session;
    },
    plan(session) {
      const lxc = buildSnapshot(parse.parseClusterResources(rec.resources), parse.parseConfDump(""), [parse.parseNodeLxcList(rec.lxc)]);
      const snapshot = { ...lxc, templates: new Map([["pve1/local", parseStorageContent(rec.templates)]]), registry: new Map(), imageVolumes: new Map() };
      const result = plan({
        session,
        prior: [],
        refreshed: new Map(),
        unreachable: new Map(),
        snapshotFor: () => snapshot,
        options: { destroy: false, refreshOnly: false, targets: [], replace: [] },
      });
      const errors = result.diagnostics.filter((d) => d.severity === "error");
      if (errors.length)
        throw new Error(
          `plan failed: ${errors
            .slice(0, 3)
            .map((d) => `${d.summary}: ${d.detail}`)
            .join("; ")}`,
        );
      return { creates: result.changes.filter((c) => c.action === "create").length };
    },
  };
}

/** Runs this script again as `--child ...args` and returns the JSON line it printed last. */
export function sampleChild(...args) {
  const out = execFileSync(process.execPath, [process.argv[1], "--child", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 26 });
  return JSON.parse(out.trim().split("\n").pop());
}
