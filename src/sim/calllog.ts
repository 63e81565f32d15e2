// The call log: one JSON line per invocation in DIR/log/calls.jsonl, with secrets redacted.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { paths } from "./ctx.js";

export interface CallRecord {
  ts: string;
  node: string;
  tool: string;
  argv: string[];
  exit: number;
  ms: number;
}

const SECRET_OPTS = new Set(["password", "src-password", "token"]);

export function redactArgv(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const m = /^--?([\w-]+)(=.*)?$/s.exec(a);
    if (m && SECRET_OPTS.has(m[1]!)) {
      if (m[2] !== undefined) out.push(a.slice(0, a.indexOf("=") + 1) + "<redacted>");
      else {
        out.push(a);
        if (i + 1 < argv.length && !argv[i + 1]!.startsWith("-")) {
          out.push("<redacted>");
          i++;
        }
      }
      continue;
    }
    out.push(a);
  }
  return out;
}

export function appendCall(dir: string, rec: CallRecord): void {
  const line = JSON.stringify({ ...rec, argv: redactArgv(rec.argv) }) + "\n";
  try {
    appendFileSync(paths.calls(dir), line);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    mkdirSync(paths.logDir(dir), { recursive: true }); // only when log/ was removed: not on every call
    appendFileSync(paths.calls(dir), line);
  }
}

export function readCalls(dir: string): CallRecord[] {
  const f = paths.calls(dir);
  if (!existsSync(f)) return [];
  return readFileSync(f, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as CallRecord);
}
