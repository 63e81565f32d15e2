// DIR/bin/* pick their entry point per call: the single-file bundle when it is present and not
// older than the tsc output, else dist/src/sim/main.js (so a tsc-only rebuild never runs stale code),
// and they start Node without the caller's NODE_EXTRA_CA_CERTS.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { execFileSync, spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { binScript, initSim, simBundlePath, simMainPath } from "../../src/sim/index.js";

describe("simulator executables", () => {
  let tmp: string;
  const bundle = () => join(tmp, "pmxsim.cjs");
  const main = () => join(tmp, "main.js");
  const entry = (file: string) =>
    writeFileSync(file, `process.stdout.write(JSON.stringify({ ran: ${JSON.stringify(file)}, args: process.argv.slice(2), ca: process.env.NODE_EXTRA_CA_CERTS ?? null }));\n`);
  const setMtime = (file: string, s: number) => utimesSync(file, s, s);
  const run = (env: NodeJS.ProcessEnv = process.env): { ran: string; args: string[]; ca: string | null } => {
    const script = join(tmp, "pct");
    writeFileSync(script, binScript("/sim dir's", "pct", { bundle: bundle(), main: main() }));
    chmodSync(script, 0o755);
    return JSON.parse(execFileSync(script, ["config", "100", "a b"], { encoding: "utf8", env })) as { ran: string; args: string[]; ca: string | null };
  };
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "pmxsim-bin-"));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("run the bundle when it is at least as new as the tsc output, passing DIR, tool and argv intact", () => {
    entry(main());
    entry(bundle());
    setMtime(main(), 1_000_000);
    setMtime(bundle(), 1_000_100);
    expect(run()).toMatchObject({ ran: bundle(), args: ["/sim dir's", "pct", "config", "100", "a b"] });
    setMtime(bundle(), 1_000_000);
    expect(run().ran).toBe(bundle());
  });

  it("fall back to dist/src/sim/main.js when the bundle is older or missing", () => {
    entry(main());
    entry(bundle());
    setMtime(main(), 1_000_100);
    setMtime(bundle(), 1_000_000);
    expect(run().ran).toBe(main());
    rmSync(bundle());
    expect(run()).toMatchObject({ ran: main(), args: ["/sim dir's", "pct", "config", "100", "a b"] });
  });

  // Node parses NODE_EXTRA_CA_CERTS at every start-up (over half the cost of a simulated call) and
  // warns on stderr when the file is missing; the simulator never speaks TLS, so it never gets it.
  it("start Node without NODE_EXTRA_CA_CERTS, whatever the caller's environment holds", () => {
    entry(main());
    rmSync(bundle(), { force: true });
    const script = join(tmp, "pct");
    writeFileSync(script, binScript("/sim", "pct", { bundle: bundle(), main: main() }));
    chmodSync(script, 0o755);
    const r = spawnSync(script, ["config", "100"], { encoding: "utf8", env: { ...process.env, NODE_EXTRA_CA_CERTS: join(tmp, "no-such-bundle.pem") } });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ran: main(), ca: null });
    expect(r.stderr).not.toMatch(/extra certs/i);
  });

  it("are written by init with this checkout's bundle and tsc entry points", () => {
    const dir = join(tmp, "sim");
    initSim(dir);
    const text = readFileSync(join(dir, "bin", "pvesh"), "utf8");
    expect(simBundlePath()).toMatch(/[\\/]dist[\\/]sim[\\/]pmxsim\.cjs$/);
    expect(simMainPath()).toMatch(/[\\/]dist[\\/]src[\\/]sim[\\/]main\.js$/);
    expect(text).toContain(`entry='${simBundlePath()}'`);
    expect(text).toContain(`main='${simMainPath()}'`);
    expect(text).toContain(` '${dir}' 'pvesh' "$@"`);
  });
});
