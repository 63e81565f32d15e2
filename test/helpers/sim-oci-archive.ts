// An OCI archive placed on a simulated node's template storage, as something other than this
// configuration (an oci_image elsewhere, skopeo by hand, an upload) would have left it: the
// plan-time node checks (providers/lxc/node-checks.ts) look an oci_container's image up in the
// node's listing, as Proxmox's pct create does, so a config naming an archive needs one there.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { initSim } from "../../src/sim/index.js";
import { ociArchive, writeTar } from "../sim/tarwrite.js";

/** Writes `file` (e.g. "app.tar") into storage local of `node` in the simulator at `sim`, creating the simulator if needed. */
export function putSimOciArchive(sim: string, file: string, node = "pve1"): void {
  if (!existsSync(join(sim, "sim.json"))) initSim(sim, { nodes: [node] });
  const layer = gzipSync(writeTar([{ name: "app", data: "#!/bin/sh\n" }]));
  writeFileSync(join(sim, `nodes/${node}/var/lib/vz/template/cache/${file}`), ociArchive({ Entrypoint: ["/app"] }, layer));
}
