// State files that cannot be trusted — truncated, empty, edited into nonsense, from a newer
// pmxform, readable or writable by others, owned by another user — are refused by every command
// with a message that says how to fix it, and are never rewritten (bytes, mode and owner compared).
// Symlinked state paths are followed (docs/decisions.md); a plan made in another directory is refused.
import { chmodSync, chownSync, cpSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCalls } from "../../src/sim/calllog.js";
import { BUILT, NOT_BUILT, SIM_NODE, Workdir, container } from "../e2e/helpers.js";

const CONFIG = SIM_NODE + container("web", '  vmid     = 310\n  hostname = "web"');
const IS_ROOT = process.getuid?.() === 0;

interface Snapshot {
  bytes: string;
  mode: number;
  uid: number;
}
const snap = (path: string): Snapshot => {
  const st = statSync(path);
  return { bytes: readFileSync(path, "latin1"), mode: st.mode & 0o777, uid: st.uid };
};

describe.skipIf(!BUILT)(`untrusted state files${BUILT ? "" : ` (skipped: ${NOT_BUILT})`}`, () => {
  let w: Workdir;
  let good: string;
  const statePath = () => w.path("pmxform.state.json");
  const mutatingCalls = (since: number) =>
    readCalls(w.path("sim"))
      .slice(since)
      .filter((c) => c.tool === "pct" && !["config", "status", "list"].includes(c.argv[0]!));

  beforeAll(async () => {
    w = new Workdir("pmx-hostile-state-");
    w.write("main.pmx.hcl", CONFIG);
    const a = await w.run("apply", "--auto-approve");
    expect(a.code, a.stderr).toBe(0);
    good = readFileSync(statePath(), "utf8");
    // Everything below plans to change the container, so a command that ignored the bad state would act.
    w.write("main.pmx.hcl", CONFIG.replace('hostname = "web"', 'hostname = "web2"'));
  }, 120_000);
  afterAll(() => w.remove());

  const parsed = () => JSON.parse(good) as Record<string, unknown>;
  const CASES: { what: string; content: () => string; mode?: number; owner?: number; message: RegExp }[] = [
    { what: "truncated", content: () => good.slice(0, Math.floor(good.length / 2)), message: /not valid JSON|truncated/ },
    { what: "empty", content: () => "", message: /is empty \(truncated\?\)/ },
    { what: "edited into invalid values", content: () => JSON.stringify({ ...parsed(), serial: "seven", resources: [{ address: 42 }] }, null, 2), message: /serial|resources/ },
    { what: "edited into another JSON document", content: () => "[1, 2, 3]\n", message: /state/i },
    { what: "from a newer pmxform", content: () => JSON.stringify({ ...parsed(), version: 2 }, null, 2), message: /newer|upgrade pmxform/i },
    { what: "world-readable (0644)", content: () => good, mode: 0o644, message: /can be read by any user \(mode 0644\).*chmod 600/s },
    { what: "group-writable (0660)", content: () => good, mode: 0o660, message: /can be written by its group \(mode 0660\).*chmod 600/s },
    { what: "world-writable (0666)", content: () => good, mode: 0o666, message: /can be written by any user.*chmod 600/s },
    ...(IS_ROOT ? [{ what: "owned by another user", content: () => good, owner: 54321, message: /belongs to uid 54321.*chown/s }] : []),
  ];

  /** The commands that may write the state first, then the read-only ones. */
  const ALL_COMMANDS = [
    ["plan"],
    ["apply", "--auto-approve"],
    ["destroy", "--auto-approve"],
    ["state", "rm", "lxc_container.web"],
    ["import", "lxc_container.web", "pve1/310"],
    ["show"],
    ["state", "list"],
    ["output"],
  ];

  /** Writes the bad state, runs the commands, checks refusal and that nothing was rewritten. */
  const expectRefusedBy = async (c: (typeof CASES)[number], commands: string[][]) => {
    writeFileSync(statePath(), c.content(), { mode: 0o600 });
    chmodSync(statePath(), c.mode ?? 0o600);
    if (c.owner !== undefined) chownSync(statePath(), c.owner, c.owner);
    try {
      const before = snap(statePath());
      const backupBefore = readdirSync(w.dir)
        .filter((f) => f.includes("backup"))
        .map((f) => snap(w.path(f)));
      const calls = readCalls(w.path("sim")).length;
      // One writing command at a time (they lock); the read-only ones take no lock and run alongside.
      const results = await Promise.all(commands.map((args) => w.run(...args).then((r) => [args.join(" "), r] as const)));
      for (const [what, r] of results) {
        expect(r.code, `${what}: ${r.stdout}${r.stderr}`).toBe(1);
        expect(r.stderr, what).toMatch(c.message);
        expect(r.stderr, what).not.toMatch(/internal error|^\s+at /m);
      }
      expect(snap(statePath()), "the state was rewritten").toEqual(before);
      expect(
        readdirSync(w.dir)
          .filter((f) => f.includes("backup"))
          .map((f) => snap(w.path(f))),
      ).toEqual(backupBefore);
      expect(mutatingCalls(calls)).toEqual([]);
    } finally {
      if (c.owner !== undefined) chownSync(statePath(), process.getuid!(), process.getgid!());
    }
  };

  it("refuses a truncated state in every command (writing and read-only) and never rewrites it", async () => {
    for (const args of ALL_COMMANDS.slice(0, 5)) await expectRefusedBy(CASES[0]!, [args]); // writers lock: one at a time
    await expectRefusedBy(CASES[0]!, ALL_COMMANDS.slice(5));
  }, 180_000);

  it.each(CASES)("refuses a state file $what (apply and show) and never rewrites it", async (c) => {
    await expectRefusedBy(c, [["apply", "--auto-approve"], ["show"]]);
  });

  it("follows a symlinked state path: the link stays, its target is written 0600, a bad target is refused", async () => {
    writeFileSync(statePath(), good, { mode: 0o600 });
    const elsewhere = w.path("keep/real.json");
    mkdirSync(w.path("keep"));
    cpSync(statePath(), elsewhere);
    const link = w.path("link.json");
    symlinkSync(elsewhere, link);
    const r = await w.run("apply", "--auto-approve", "--state", "link.json");
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(elsewhere);
    expect(statSync(elsewhere).mode & 0o777).toBe(0o600);
    expect((JSON.parse(readFileSync(elsewhere, "utf8")) as { resources: { attributes: Record<string, unknown> }[] }).resources[0]!.attributes["hostname"]).toBe("web2");
    // Refusals look at the target: a readable target is refused through the link too.
    chmodSync(elsewhere, 0o644);
    const before = snap(elsewhere);
    const p = await w.run("plan", "--state", "link.json");
    expect(p.code).toBe(1);
    expect(p.stderr).toMatch(/can be read by any user/);
    expect(snap(elsewhere)).toEqual(before);
    chmodSync(elsewhere, 0o600);
    // The plain state file was not touched by the run through the link.
    expect(readFileSync(statePath(), "utf8")).toBe(good);
  });

  it("refuses a plan file made in another directory, even one with the same files", async () => {
    writeFileSync(statePath(), readFileSync(w.path("keep/real.json")), { mode: 0o600 });
    w.write("main.pmx.hcl", CONFIG.replace('hostname = "web"', 'hostname = "web3"'));
    const p = await w.run("plan", "--out", "plan.out");
    expect(p.code, p.stderr).toBe(0);
    const copy = new Workdir("pmx-hostile-copy-");
    try {
      cpSync(w.dir, copy.dir, { recursive: true });
      const before = snap(copy.path("pmxform.state.json"));
      const calls = readCalls(w.path("sim")).length;
      const r = await copy.run("apply", "plan.out");
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("another working directory");
      expect(snap(copy.path("pmxform.state.json"))).toEqual(before);
      // Applying it from here by path is refused the same way.
      const r2 = await copy.run("apply", join(w.dir, "plan.out"));
      expect(r2.code).toBe(1);
      expect(r2.stderr).toContain("another working directory");
      expect(mutatingCalls(calls)).toEqual([]);
    } finally {
      copy.remove();
    }
  });
});
