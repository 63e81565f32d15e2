#!/usr/bin/env node
// Budget 6 (first half) of issue 9: one atomic save of a state with 5,000 resources (temp file,
// fsync, rename, fsync of the directory, through StateStore) under 50 ms. Each save is what an
// apply makes after one finished operation: one resource replaced by a changed copy (a new object
// at the same index, as StateHolder.upsert does) and an output changed, so every save really
// writes. The first save (which also writes the backup) is a warm-up and not counted.
// Usage: node bench/state.mjs [--resources 5000] [--runs 15] [--check]
import { mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { confText } from "./lib/cluster.mjs";
import { OUT, dist, median, option, report, requireBuild, round } from "./lib/stats.mjs";

const RESOURCES = option("resources", 5000);
const RUNS = option("runs", 15);
const CHECK = process.argv.includes("--check");

/** A state resource shaped like what lxc_container records after import. */
function resource(i) {
  const conf = confText(i);
  return {
    address: `lxc_container.ct${i}`,
    type: "lxc_container",
    name: `ct${i}`,
    provider: "proxmox",
    attributes: {
      node: `pve${1 + (i % 3)}`,
      vmid: 1000 + i,
      hostname: `ct${i}`,
      memory: 256,
      swap: 512,
      arch: "amd64",
      ostype: "alpine",
      unprivileged: true,
      tags: [],
      marker: `pmxform-${((i * 2654435761) >>> 0).toString(16).padStart(8, "0")}`,
      rootfs: { volume: `local-lvm:vm-${1000 + i}-disk-0`, storage: "local-lvm", size: "1G" },
      network: { eth0: { slot: 0, bridge: "vmbr0", ip: "dhcp", hwaddr: /hwaddr=([^,]+)/.exec(conf)[1] } },
      mount_names: {},
      device_names: {},
      started: false,
      pending_keys: [],
      digest: "a69ca7c8e7ed89d8bcf8abdfe438d85141542765",
      template: "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz",
      managed_keys: ["hostname", "memory", "network", "node", "rootfs", "template", "vmid"],
      address: `lxc_container.ct${i}`,
    },
    sensitive_attributes: [],
    dependencies: [],
  };
}

async function main() {
  requireBuild();
  const { StateStore } = await dist("src/state/store.js");
  const dir = join(OUT, "state");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "pmxform.state.json");
  const state = {
    version: 1,
    pmxform_version: "0.1.0",
    lineage: "00000000-0000-4000-8000-000000000000",
    serial: 0,
    resources: Array.from({ length: RESOURCES }, (_, i) => resource(i)),
    outputs: { n: { value: 0, sensitive: false } },
  };
  const store = await StateStore.open(path, { lock: true, lockTimeoutMs: 0, operation: "bench" });
  try {
    await store.read();
    const cold = performance.now();
    await store.write(state);
    const coldMs = performance.now() - cold;
    const times = [];
    for (let i = 1; i <= RUNS; i++) {
      const at = (i * 7919) % RESOURCES; // spread over the file, a different resource each time
      const old = state.resources[at];
      state.resources[at] = { ...old, attributes: { ...old.attributes, memory: 256 + 128 * i, started: true } };
      state.outputs.n.value = i;
      const t0 = performance.now();
      await store.write(state);
      times.push(performance.now() - t0);
    }
    if (store.writes !== RUNS + 1) throw new Error(`expected ${RUNS + 1} writes, the store made ${store.writes}`);
    const mb = statSync(path).size / 2 ** 20;
    const rows = [
      { figure: `atomic save, ${RESOURCES} resources (${mb.toFixed(1)} MB)`, value: round(median(times)), unit: "ms", budget: 50 },
      { figure: "  slowest save", value: round(Math.max(...times)), unit: "ms" },
      { figure: "  first save of a run (remembers no texts)", value: round(coldMs), unit: "ms" },
      { figure: "  second save (remembers every text)", value: round(times[0]), unit: "ms" },
    ];
    const ok = report("state", `state benchmark: median of ${RUNS} saves after a warm-up`, rows, { resources: RESOURCES, runs: RUNS, bytes: statSync(path).size, raw: times.map((t) => round(t, 2)) });
    return CHECK && !ok ? 1 : 0;
  } finally {
    await store.release();
  }
}

process.exitCode = await main().catch((e) => (process.stderr.write(`bench/state.mjs: ${e.stack ?? e.message}\n`), 2));
