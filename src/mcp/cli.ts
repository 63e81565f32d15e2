// How the MCP server does anything: by running this install's own CLI (process.execPath and the
// script that started this server, an argv array, never a shell), with PMXFORM_ORIGIN=mcp. The
// CLI's --json documents already leave secrets out, and its locks, staleness and saved-plan checks
// are the ones every apply gets; the server adds none of its own and cannot skip them.
import { execFile } from "node:child_process";

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliHost {
  /** The project directory: the CLI's working directory. */
  dir: string;
  /** Global flags passed on to every run (--state, -f). */
  globalArgs: string[];
}

/** The script this process was started with: bin/pmxform.js of this install. */
function entryScript(): string {
  const script = process.argv[1];
  if (!script) throw new Error("bug: pmxform mcp was started without an entry script");
  return script;
}

/**
 * Runs `pmxform ARGS`; `projectFlags: false` for verbs that take no --state/--file (catalog).
 * `onProgress` gets each line the run writes to stderr as it comes (apply --json's progress).
 */
export function runCli(host: CliHost, args: string[], o: { projectFlags?: boolean; onProgress?: (line: string) => void; env?: Record<string, string> } = {}): Promise<CliOutcome> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [entryScript(), ...args, ...(o.projectFlags === false ? [] : host.globalArgs)],
      { cwd: host.dir, env: { ...process.env, ...o.env, NO_COLOR: "1", PMXFORM_ORIGIN: "mcp" }, maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    const onProgress = o.onProgress;
    if (onProgress && child.stderr) {
      let partial = "";
      child.stderr.on("data", (d: Buffer | string) => {
        const lines = (partial + d.toString()).split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) if (line.trim()) onProgress(line);
      });
    }
  });
}

/** The CLI's --json document, or undefined when stdout did not hold one (a crash). */
export function jsonOf(out: CliOutcome): Record<string, unknown> | undefined {
  try {
    const doc = JSON.parse(out.stdout) as unknown;
    return typeof doc === "object" && doc !== null && !Array.isArray(doc) ? (doc as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
