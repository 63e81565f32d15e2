// The plan's operations through the CLI: a saved plan holds the update's steps in pct's terms,
// its checksum covers them (an edited step is refused before anything runs), and apply runs
// exactly the pct set the plan file shows, guarded by the digest the plan read. A create likewise
// runs the pct create the plan file holds, whatever the configuration evaluates to at apply.
import { readFileSync, writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, container, simCalls } from "./helpers.js";

const cfg = (memory: number) => SIM_NODE + container("app", `  vmid     = 172\n  hostname = "app"\n  memory   = ${memory}`);

interface Op {
  op: string;
  [k: string]: unknown;
}

describe.skipIf(!BUILT)(`planned operations in saved plans${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  beforeEach(() => {
    w = new Workdir();
    w.write("main.pmx.hcl", cfg(512));
  });
  afterEach(() => w.remove());

  it("the plan file holds the steps, an edited step is refused, and apply runs exactly the planned pct set", async () => {
    expect((await w.run("apply", "--auto-approve")).code).toBe(0);
    w.write("main.pmx.hcl", cfg(1024));
    expect((await w.run("plan", "--out", "plan.out")).code).toBe(0);
    const text = readFileSync(w.path("plan.out"), "utf8");
    const change = (JSON.parse(text) as { changes: { address: string; operations?: Op[] }[] }).changes.find((c) => c.address === "lxc_container.app")!;
    const digest = (change.operations ?? []).find((o) => o.op === "digest")?.["digest"];
    expect(typeof digest).toBe("string");
    expect(change.operations).toEqual([
      { op: "digest", digest },
      { op: "set", set: [{ key: "memory", value: "1024" }], delete: [] },
    ]);

    // One edited step (a bigger memory than reviewed) and the whole plan is refused.
    writeFileSync(w.path("tampered.out"), text.replace(/"value": "1024"/, '"value": "65536"'));
    const t = await w.run("apply", "tampered.out");
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(/modified after it was created/);
    expect(simCalls(w).filter((c) => c.tool === "pct" && c.argv[0] === "set")).toEqual([]);

    const r = await w.run("apply", "plan.out");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const sets = simCalls(w).filter((c) => c.tool === "pct" && c.argv[0] === "set");
    expect(sets.map((c) => c.argv)).toEqual([["set", "172", "--digest", digest, "--memory", "1024"]]);
  });

  it("a saved plan's create runs the pct create the plan file holds, though a file the configuration reads changed since", async () => {
    // file() contents are not part of the configuration digest: the saved plan is still admitted,
    // and its create step (not the configuration evaluated at apply) says what is created.
    w.write("main.pmx.hcl", SIM_NODE + container("made", `  vmid     = 174\n  hostname = trimspace(file("name.txt"))\n  memory   = tonumber(trimspace(file("mem.txt")))`));
    w.write("name.txt", "reviewed\n");
    w.write("mem.txt", "512\n");
    expect((await w.run("plan", "--out", "create.out")).code).toBe(0);
    const change = (JSON.parse(readFileSync(w.path("create.out"), "utf8")) as { changes: { address: string; operations?: Op[] }[] }).changes.find((c) => c.address === "lxc_container.made")!;
    const create = change.operations?.[0];
    expect(create).toMatchObject({
      op: "create",
      vmid: 174,
      set: expect.arrayContaining([
        { key: "hostname", value: "reviewed" },
        { key: "memory", value: "512" },
        { key: "rootfs", value: "local-lvm:4" },
      ]),
    });

    w.write("name.txt", "sneaky\n");
    w.write("mem.txt", "8192\n");
    const r = await w.run("apply", "create.out");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const made = simCalls(w).filter((c) => c.tool === "pct" && c.argv[0] === "create");
    expect(made).toHaveLength(1);
    const argv = made[0]!.argv;
    expect(argv.slice(0, 2)).toEqual(["create", "174"]);
    expect(argv.slice(argv.indexOf("--hostname"), argv.indexOf("--hostname") + 2)).toEqual(["--hostname", "reviewed"]);
    expect(argv.slice(argv.indexOf("--memory"), argv.indexOf("--memory") + 2)).toEqual(["--memory", "512"]);
    expect(argv).not.toContain("sneaky");

    // The configuration says otherwise now: the next plan shows it as a change, as it should.
    const next = await w.run("plan", "-no-color");
    expect(next.stdout).toMatch(/~ hostname\s+= "reviewed" -> "sneaky"/);
    expect(next.stdout).toMatch(/~ memory\s+= 512 -> 8192/);
  });
});
