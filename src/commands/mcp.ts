// `pmxform mcp [--allow-apply] [--dir D]`: serves the project in D (default: the working
// directory) to an MCP client over stdio (docs/mcp.md).
import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { error } from "../diag/diagnostic.js";
import { workingDir, type CommonOptions } from "../engine/session.js";
import { printDiagnostics } from "./output-format.js";

export async function run(opts: CommonOptions & { allowApply?: boolean; dir?: string }): Promise<number> {
  const dir = resolve(workingDir(opts), opts.dir ?? ".");
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    printDiagnostics([error("No such project directory", `--dir ${opts.dir} is not a directory. Give the directory holding the project's *.pmx.hcl files.`)], opts);
    return 1;
  }
  const globalArgs = [...(opts.state ? ["--state", resolve(workingDir(opts), opts.state)] : []), ...(opts.file ?? []).flatMap((f) => ["--file", resolve(workingDir(opts), f)])];
  const { serveStdio } = await import("../mcp/server.js");
  // bin/pmxform.js is one level below the install root.
  const installRoot = resolve(dirname(process.argv[1] ?? "."), "..");
  await serveStdio({ host: { dir, globalArgs }, allowApply: Boolean(opts.allowApply), installRoot });
  return 0;
}
