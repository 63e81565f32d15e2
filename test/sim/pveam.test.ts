// The simulator's pveam against pve-manager PVE/CLI/pveam.pm and API2/Nodes.pm apl_download,
// with pve-common Tools.pm download_file_from_url's checksum handling: the catalogue, the order
// of refusals, a corrupt file at the destination, remove of a missing file, per-node storage.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CATALOGUE } from "../../src/sim/aplinfo.js";
import { newSim, simBuilt, skipMessage, type Runner } from "./helpers.js";

const D13 = "debian-13-standard_13.1-2_amd64.tar.zst";

describe.skipIf(!simBuilt)(`pveam${simBuilt ? "" : ` (skipped: ${skipMessage})`}`, () => {
  let sim: { dir: string; run: Runner; cleanup: () => void };
  const cache = (node: string, file: string) => join(sim.dir, "nodes", node, "var/lib/vz/template/cache", file);
  beforeAll(() => {
    sim = newSim(["pve1", "pve2"]);
  });
  afterAll(() => sim.cleanup());

  it("available lists section, template and architecture in pveam.pm's columns, sorted, and filters by section", async () => {
    const all = await sim.run("pveam", ["available"]);
    expect(all.code).toBe(0);
    const lines = all.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(CATALOGUE.length);
    expect(lines[0]).toBe(`${"system".padEnd(15)} ${"alpine-3.22-default_20250617_amd64.tar.xz".padEnd(60)} amd64`);
    expect(lines.at(-1)!.startsWith("turnkeylinux ")).toBe(true);
    const system = (await sim.run("pveam", ["available", "--section", "system"])).stdout;
    expect(system).not.toContain("turnkeylinux");
    const bad = await sim.run("pveam", ["available", "--section", "apps"]);
    expect(bad.code).toBe(255);
    expect(bad.stderr).toContain("section: value 'apps' does not have a value in the enumeration 'system, mail, turnkeylinux'");
  });

  it("download checks the catalogue first, then the storage, then its content", async () => {
    const none = await sim.run("pveam", ["download", "nope", "debian-99.tar.zst"]);
    expect(none.stderr).toBe("400 Parameter verification failed.\ntemplate: no such template\npveam download <storage> <template>\n");
    expect((await sim.run("pveam", ["download", "nope", D13])).stderr).toBe("storage 'nope' does not exist\n");
    const lvm = await sim.run("pveam", ["download", "local-lvm", D13]);
    expect(lvm.code).toBe(255);
    expect(lvm.stderr).toBe("storage 'local-lvm' does not support templates\n");
    expect(existsSync(cache("pve1", D13))).toBe(false);
  });

  it("download verifies the sha512 sum, lands on the calling node only, and keeps a correct existing file", async () => {
    const r = await sim.run("pveam", ["download", "local", D13], { PMXSIM_NODE: "pve2" });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("calculating checksum...OK, checksum verified\n");
    expect(existsSync(cache("pve2", D13))).toBe(true);
    expect(existsSync(cache("pve1", D13))).toBe(false);
    const again = await sim.run("pveam", ["download", "local", D13], { PMXSIM_NODE: "pve2" });
    expect(again.stdout).toContain("OK, got correct file already, no need to download");
    expect((await sim.run("pveam", ["list", "local"], { PMXSIM_NODE: "pve2" })).stdout).toContain(`local:vztmpl/${D13}`);
  });

  it("aborts on an existing file whose checksum differs, and leaves it", async () => {
    writeFileSync(cache("pve1", D13), "half a download\n");
    const r = await sim.run("pveam", ["download", "local", D13]);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/^TASK ERROR: checksum mismatch: got '[0-9a-f]{128}' != expect '[0-9a-f]{128}', aborting\n$/);
    expect(readFileSync(cache("pve1", D13), "utf8")).toBe("half a download\n");
  });

  it("remove deletes a template, refuses other content and a missing file; list refuses a storage without templates", async () => {
    expect((await sim.run("pveam", ["remove", `local:vztmpl/${D13}`])).code).toBe(0);
    expect(existsSync(cache("pve1", D13))).toBe(false);
    expect((await sim.run("pveam", ["remove", `local:vztmpl/${D13}`])).stderr).toBe(`can't find file 'local:vztmpl/${D13}'\n`);
    expect((await sim.run("pveam", ["remove", "local-lvm:vm-100-disk-0"])).stderr).toBe("unable to use volume local-lvm:vm-100-disk-0 - content type needs to be 'vztmpl'\n");
    expect((await sim.run("pveam", ["remove", "/etc/hostname"])).stderr).toBe("can't find file '/etc/hostname'\n");
    expect((await sim.run("pveam", ["list", "local-lvm"])).stderr).toBe("Storage does not support templates!\n");
  });
});
