// withFileOnTarget on a real LocalRunner: the file exists with its content and mode 0600 only
// while the callback runs, is removed after a failure too, and its content never reaches an argv.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalRunner } from "../../src/exec/local.js";
import { placedFileTemplate, withFileOnTarget } from "../../src/exec/place-file.js";
import type { RunOptions, RunResult, Runner } from "../../src/exec/runner.js";

const dir = mkdtempSync(join(tmpdir(), "pmx-place-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A LocalRunner whose mktemp lands in `dir` (TMPDIR), recording every argv it runs. */
class RecordingRunner implements Runner {
  readonly description = "recording";
  readonly calls: { argv: string[]; opts: RunOptions }[] = [];
  private readonly inner = new LocalRunner("recording", (c) => c, { TMPDIR: dir });
  run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    this.calls.push({ argv, opts });
    return this.inner.run(argv, opts);
  }
}

describe("withFileOnTarget", () => {
  it("holds the content at a 0600 path inside the target's temp dir while fn runs, then removes it", async () => {
    const run = new RecordingRunner();
    let seen = "";
    const out = await withFileOnTarget(run, "ssh-ed25519 AAAA key\n", { purpose: "keys" }, async (path) => {
      seen = path;
      expect(path.startsWith(dir + "/pmxform-keys.")).toBe(true);
      expect(readFileSync(path, "utf8")).toBe("ssh-ed25519 AAAA key\n");
      expect(statSync(path).mode & 0o777).toBe(0o600);
      return 42;
    });
    expect(out).toBe(42);
    expect(existsSync(seen)).toBe(false);
    expect(run.calls.map((c) => c.argv[0])).toEqual(["mktemp", "dd", "rm"]);
    for (const c of run.calls) expect(c.argv.join(" ")).not.toContain("AAAA");
    expect(run.calls[1]!.opts.stdin).toBe("ssh-ed25519 AAAA key\n");
  });

  it("removes the file when fn fails and passes the failure on", async () => {
    const run = new RecordingRunner();
    let seen = "";
    await expect(
      withFileOnTarget(run, "x", { purpose: "auth" }, async (path) => {
        seen = path;
        throw new Error("pct refused");
      }),
    ).rejects.toThrow("pct refused");
    expect(seen).not.toBe("");
    expect(existsSync(seen)).toBe(false);
  });

  it("redacts secrets from a failed write", async () => {
    const failing: Runner = {
      description: "broken",
      run: (argv, opts) =>
        argv[0] === "dd" ? new LocalRunner("broken").run(["sh", "-c", "echo 'cannot write s3cret' >&2; exit 1"], opts) : new LocalRunner("broken", (c) => c, { TMPDIR: dir }).run(argv, opts),
    };
    const err = await withFileOnTarget(failing, "s3cret", { purpose: "auth", redact: ["s3cret"] }, async () => 1).then(
      () => expect.unreachable("the write should fail"),
      (e: unknown) => e as Error,
    );
    expect(err.message).toContain("cannot write ***");
    expect(err.message).not.toContain("s3cret");
  });

  it("keeps mktemp's template a plain word whatever the purpose says", () => {
    expect(placedFileTemplate("keys")).toBe("pmxform-keys.XXXXXXXX");
    expect(placedFileTemplate("../x y;z")).toBe("pmxform-xyz.XXXXXXXX");
    expect(placedFileTemplate("")).toBe("pmxform-file.XXXXXXXX");
  });
});
