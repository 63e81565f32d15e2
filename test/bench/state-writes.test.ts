// Budget 6 of issue 9 as a CI counter: an apply of N in-place changes rewrites the state at most
// once per finished resource (the serial grows by one per write), and does not write it at all
// when nothing changes.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { NODES3, buildCluster, simProxmoxBlock } from "../../bench/lib/cluster.mjs";
import { BIN, BUILT, NOT_BUILT, Workdir, cli } from "../e2e/helpers.js";

const CHANGES = 12;

describe.skipIf(!BUILT)(`state writes during apply${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  const w = new Workdir("pmx-bench-writes-");
  afterAll(() => w.remove());
  const serial = (): number => (JSON.parse(readFileSync(w.path("pmxform.state.json"), "utf8")) as { serial: number }).serial;

  it(`writes at most once per finished resource for ${CHANGES} updates, and never for no changes`, async () => {
    buildCluster(BIN, w.path("sim"), { nodes: NODES3, count: CHANGES });
    writeFileSync(w.path("providers.pmx.hcl"), simProxmoxBlock(NODES3));
    execFileSync(process.execPath, [BIN, "import", "--all", "--generate-config-out", "containers.pmx.hcl"], { cwd: w.dir, stdio: "ignore" });
    const cfg = w.path("containers.pmx.hcl");
    writeFileSync(
      cfg,
      readFileSync(cfg, "utf8").replace(/memory(\s*)= (\d+)/g, (_, sp: string, m: string) => `memory${sp}= ${Number(m) + 128}`),
    );
    const before = serial();
    const r = await cli(w.dir, ["apply", "--auto-approve"]);
    expect(r.code).toBe(0);
    const finished = (r.stdout.match(/Modifications complete/g) ?? []).length;
    expect(finished).toBe(CHANGES);
    expect(serial() - before).toBeGreaterThan(0);
    expect(serial() - before).toBeLessThanOrEqual(finished);

    const settled = serial();
    const again = await cli(w.dir, ["apply", "--auto-approve"]);
    expect(again.code).toBe(0);
    expect(serial()).toBe(settled);
  });
});
