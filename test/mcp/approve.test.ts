// `pmxform approve`: a person at a terminal approves a saved plan (answering "yes" on a real
// pseudo-terminal via util-linux `script`); "no", no terminal, a damaged plan file or a missing one
// write no approval. The approval records the plan file's sha256, the user and the time.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BIN, BUILT, NOT_BUILT, SIM_NODE, Workdir, cli, container } from "../e2e/helpers.js";

const HAVE_SCRIPT = spawnSync("script", ["--version"]).status === 0;

/** `pmxform approve ARG` on a terminal, typing `answer`. */
function onTerminal(w: Workdir, arg: string, answer: string): { status: number | null; out: string } {
  const r = spawnSync("script", ["-qefc", `"${process.execPath}" "${BIN}" approve ${arg}`, "/dev/null"], {
    cwd: w.dir,
    env: { ...process.env, NO_COLOR: "1", SHELL: "/bin/sh", PMXFORM_USER: "carol" },
    input: `${answer}\n`,
    encoding: "utf8",
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe.skipIf(!BUILT || !HAVE_SCRIPT)(`pmxform approve${!BUILT ? ` (skipped: ${NOT_BUILT})` : !HAVE_SCRIPT ? " (skipped: needs util-linux script)" : ""}`, () => {
  let w: Workdir;
  beforeEach(async () => {
    w = new Workdir("pmx-approve-");
    w.write("main.pmx.hcl", SIM_NODE + container("app", `  vmid     = 170\n  hostname = "app"`));
    expect((await w.run("sim", "init", "sim")).code).toBe(0);
    expect((await w.run("plan", "-out=p.plan")).code).toBe(0);
  });
  afterEach(() => w.remove());
  const approval = () => w.path(".pmxform/approvals/p.json");

  it("asks on the terminal showing the counts; only yes writes the approval", () => {
    const no = onTerminal(w, "p.plan", "no");
    expect(no.status).toBe(1);
    expect(no.out).toContain("Do you approve this plan (1 to add, 0 to change, 0 to destroy)?");
    expect(no.out).toContain("Approval cancelled.");
    expect(existsSync(approval())).toBe(false);

    const yes = onTerminal(w, "p.plan", "yes");
    expect(yes.status, yes.out).toBe(0);
    expect(yes.out).toContain('+ resource "lxc_container" "app"');
    const hash = createHash("sha256")
      .update(readFileSync(w.path("p.plan")))
      .digest("hex");
    expect(yes.out).toContain(`sha256 ${hash}`);
    const record = JSON.parse(readFileSync(approval(), "utf8")) as Record<string, string>;
    expect(record).toMatchObject({ plan_id: "p", plan_hash: hash, user: "carol" });
    expect(Date.parse(record["time"]!)).not.toBeNaN();
  });

  it("refuses without a terminal, a damaged plan and a missing one, writing nothing", async () => {
    const piped = await cli(w.dir, ["approve", "p.plan"]);
    expect(piped.code).toBe(1);
    expect(piped.stderr).toContain("No terminal to ask for confirmation");
    expect(existsSync(approval())).toBe(false);

    writeFileSync(w.path("p.plan"), readFileSync(w.path("p.plan"), "utf8").replace('"hostname": "app"', '"hostname": "evil"'));
    const damaged = await cli(w.dir, ["approve", "p.plan", "--auto-approve"]);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toContain("Failed to load the plan to approve");
    expect(damaged.stderr).not.toMatch(/^\s+at /m);

    const missing = await cli(w.dir, ["approve", "nope", "--auto-approve"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("There is no plan nope in .pmxform/plans/ and no plan file");
    expect(existsSync(w.path(".pmxform/approvals"))).toBe(false);
  });
});
