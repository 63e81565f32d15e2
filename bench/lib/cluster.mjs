// Bench fixtures on the simulator: a cluster of N nodes holding many containers written
// straight into its etc/pve tree (what `pct create` would leave, without a process per CT), and
// small helpers to read the call log and switch the simulated latency.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const NODES3 = ["pve1", "pve2", "pve3"];
export const TEMPLATE = "local:vztmpl/alpine-3.22-default_20250617_amd64.tar.xz";

/** Node of the i-th container: round-robin, so every node holds a share. */
export const nodeOf = (i, nodes) => nodes[i % nodes.length];

const hex2 = (n) => (n & 0xff).toString(16).toUpperCase().padStart(2, "0");

/** The conf `pct create` writes for the generated container i (vmid 1000 + i). */
export function confText(i) {
  const vmid = 1000 + i;
  return [
    "arch: amd64",
    `hostname: ct${i}`,
    `memory: ${256 * (1 + (i % 4))}`,
    `net0: name=eth0,bridge=vmbr0,hwaddr=BC:24:11:${hex2(i >> 16)}:${hex2(i >> 8)}:${hex2(i)},ip=dhcp,type=veth`,
    "ostype: alpine",
    `rootfs: local-lvm:vm-${vmid}-disk-0,size=1G`,
    "swap: 512",
    "unprivileged: 1",
    "",
  ].join("\n");
}

/** `pmxform sim init` plus `count` containers spread over the nodes, with one .vmlist write. */
export function buildCluster(cli, dir, { nodes = NODES3, count, latencyMs = 0 }) {
  execFileSync(process.execPath, [cli, "sim", "init", dir, "--nodes", nodes.join(","), "--latency-ms", String(latencyMs)], { stdio: "ignore" });
  const ids = {};
  for (let i = 0; i < count; i++) {
    const node = nodeOf(i, nodes);
    const vmid = 1000 + i;
    writeFileSync(join(dir, "etc", "pve", "nodes", node, "lxc", `${vmid}.conf`), confText(i));
    const lvm = join(dir, "nodes", node, "lvm");
    mkdirSync(lvm, { recursive: true });
    writeFileSync(join(lvm, `vm-${vmid}-disk-0`), JSON.stringify({ size: 1024 ** 3 }));
    ids[String(vmid)] = { node, type: "lxc", version: 1 };
  }
  writeFileSync(join(dir, "etc", "pve", ".vmlist"), JSON.stringify({ version: 1, ids }, null, 1) + "\n");
  return Array.from({ length: count }, (_, i) => ({ vmid: 1000 + i, node: nodeOf(i, nodes) }));
}

/** Sets the latency every later simulated call sleeps (sim.json, as `sim init --latency-ms`). */
export function setLatency(dir, latencyMs) {
  const file = join(dir, "sim.json");
  const cfg = JSON.parse(readFileSync(file, "utf8"));
  writeFileSync(file, JSON.stringify({ ...cfg, latencyMs }, null, 2) + "\n");
}

/** The simulator's call log as records ({ node, tool, argv, exit, ms }). */
export function readCalls(dir) {
  let text = "";
  try {
    text = readFileSync(join(dir, "log", "calls.jsonl"), "utf8");
  } catch (e) {
    if (e.code !== "ENOENT") throw e;
  }
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** The proxmox block for a simulator in `sim` beside the config. */
export function simProxmoxBlock(nodes = NODES3, sim = "sim") {
  return `proxmox {\n${nodes.map((n) => `  node "${n}" {\n    sim = "${sim}"\n  }\n`).join("")}}\n`;
}
