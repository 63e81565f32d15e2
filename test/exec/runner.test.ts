import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalRunner } from "../../src/exec/local.js";
import { CommandError, errorLines } from "../../src/exec/runner.js";
import { SimRunner } from "../../src/exec/sim.js";
import { remoteCommand, runnerFor, shellQuote } from "../../src/exec/transport.js";

const node = process.execPath;
const local = new LocalRunner();

async function failure(p: Promise<unknown>): Promise<CommandError> {
  const e = await p.then(
    () => expect.unreachable("expected the command to fail"),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CommandError);
  return e as CommandError;
}

describe("LocalRunner", () => {
  it("captures stdout, stderr, exit code and duration", async () => {
    const r = await local.run([node, "-e", "process.stdout.write('out\\n'); process.stderr.write('err')"]);
    expect(r).toMatchObject({ stdout: "out\n", stderr: "err", exitCode: 0 });
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("passes arguments literally: no shell ever sees them", async () => {
    const tricky = ["$(touch /tmp/pwned)", "a b", "'q'", "; ls", "*", "ä€"];
    const r = await local.run([node, "-e", "console.log(JSON.stringify(process.argv.slice(1)))", ...tricky]);
    expect(JSON.parse(r.stdout)).toEqual(tricky);
  });

  it("feeds stdin and sets a UTF-8 C locale plus extra env", async () => {
    const r = await local.run([node, "-e", "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(s.toUpperCase()+'|'+process.env.LANG+'|'+process.env.EXTRA))"], {
      stdin: "root:pw",
      env: { EXTRA: "yes" },
    });
    expect(r.stdout.trim()).toBe("ROOT:PW|C.UTF-8|yes");
  });

  it("does not wait on stdin when none is given", async () => {
    const r = await local.run([node, "-e", "process.stdin.on('data',()=>{}).on('end',()=>console.log('eof'))"], { timeoutMs: 5000 });
    expect(r.stdout.trim()).toBe("eof");
  });

  it("throws a CommandError naming the command and the last meaningful stderr lines", async () => {
    const stderr = "400 Parameter verification failed.\\nnet0: invalid format - format error\\n\\npct set <vmid> [OPTIONS]\\n";
    const e = await failure(local.run([node, "-e", `process.stderr.write("${stderr}"); process.exit(2)`]));
    expect(e.exitCode).toBe(2);
    expect(e.timedOut).toBe(false);
    expect(e.node).toBe("local");
    expect(e.message).toBe(`${node} -e on local failed (exit 2): 400 Parameter verification failed.\nnet0: invalid format - format error`);
  });

  it("accepts extra ok exit codes", async () => {
    const r = await local.run([node, "-e", "process.exit(3)"], { okCodes: [0, 3] });
    expect(r.exitCode).toBe(3);
    await failure(local.run(["false"]));
    expect((await local.run(["true"])).exitCode).toBe(0);
  });

  it("kills a command that runs past its timeout", async () => {
    const t0 = Date.now();
    const e = await failure(local.run(["sleep", "10"], { timeoutMs: 200 }));
    expect(e.timedOut).toBe(true);
    expect(e.message).toBe("sleep 10 on local failed (timed out)");
    expect(Date.now() - t0).toBeLessThan(4000);
  });

  it("kills a command when the signal aborts", async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 150);
    const t0 = Date.now();
    const e = await failure(local.run(["sleep", "10"], { signal: ctl.signal }));
    expect(e.aborted).toBe(true);
    expect(e.message).toMatch(/failed \(interrupted\)$/);
    expect(Date.now() - t0).toBeLessThan(4000);
  });

  it("never shows secrets: argv, stdout and stderr are redacted in the error", async () => {
    const secret = "hunter2-s3cr3t";
    const e = await failure(local.run([node, "-e", "console.log('pw=' + process.argv[1]); console.error('bad password ' + process.argv[1]); process.exit(1)", secret], { redact: [secret] }));
    expect(e.message).not.toContain(secret);
    expect(e.message).toContain("bad password ***");
    expect(e.argv).toContain("***");
    expect(JSON.stringify({ argv: e.argv, stdout: e.stdout, stderr: e.stderr, message: e.message })).not.toContain(secret);
  });

  it("reports a missing executable as a CommandError", async () => {
    const e = await failure(local.run(["pmxform-no-such-tool", "x"]));
    expect(e.exitCode).toBe(-1);
    expect(e.message).toMatch(/^pmxform-no-such-tool x on local failed \(did not run\): .*ENOENT/);
  });
});

describe("errorLines", () => {
  it("keeps the error, drops usage synopses and task summaries", () => {
    expect(errorLines("a\nb\nc\nd\ne\nTask finished with 1 warning(s)!\nusage: x\n")).toBe("b\nc\nd\ne");
  });
});

describe("SimRunner", () => {
  let simDir: string;
  beforeAll(() => {
    simDir = mkdtempSync(join(tmpdir(), "pmx-simrun-"));
    mkdirSync(join(simDir, "bin"));
    for (const tool of ["pct", "pvesh"]) {
      const file = join(simDir, "bin", tool);
      writeFileSync(file, `#!${node}\nconsole.log(JSON.stringify({ tool: ${JSON.stringify(tool)}, node: process.env.PMXSIM_NODE, args: process.argv.slice(2) }));\n`);
      chmodSync(file, 0o755);
    }
  });
  afterAll(() => rmSync(simDir, { recursive: true, force: true }));

  it("maps Proxmox tools to the simulator's executables and names the node", async () => {
    const r = new SimRunner(simDir, "pve2");
    expect(r.description).toBe("pve2 (simulator)");
    expect(JSON.parse((await r.run(["pct", "config", "100"])).stdout)).toEqual({ tool: "pct", node: "pve2", args: ["config", "100"] });
    expect(JSON.parse((await r.run(["pvesh", "get", "/cluster/resources"])).stdout)).toMatchObject({ tool: "pvesh", node: "pve2" });
  });

  it("runs other commands as they are", async () => {
    const r = new SimRunner(simDir, "pve1");
    expect((await r.run([node, "-e", "console.log(process.env.PMXSIM_NODE)"])).stdout.trim()).toBe("pve1");
    const e = await failure(r.run(["pvesm", "status"])); // no simulated pvesm in this directory
    expect(e.message).toMatch(/pvesm status on pve1 \(simulator\) failed/);
  });

  it("is what a sim transport builds", () => {
    expect(runnerFor({ kind: "sim", dir: simDir, node: "pve3" }).description).toBe("pve3 (simulator)");
    expect(runnerFor({ kind: "local" }).description).toBe("local");
    expect(runnerFor({ kind: "ssh", destination: "root@h", port: 2222 }).description).toBe("root@h:2222");
  });
});

describe("remote command quoting (for the SSH transport)", () => {
  it("leaves plain words alone and single-quotes the rest", () => {
    expect(shellQuote("local-lvm:8")).toBe("local-lvm:8");
    expect(shellQuote("a b")).toBe("'a b'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote("")).toBe("''");
  });

  it("survives a real POSIX shell word for word", async () => {
    const argv = ["x", "a b", "it's", "$(id)", "`id`", "*", "a\nb", "--net0=name=eth0,ip=dhcp", "ä€", ""];
    // The remote side runs the string through sh -c; do the same locally to prove the quoting.
    const r = await local.run(["sh", "-c", `${remoteCommand([node, "-e", "console.log(JSON.stringify(process.argv.slice(1)))"])} ${remoteCommand(argv)}`]);
    expect(JSON.parse(r.stdout)).toEqual(argv);
  });
});
