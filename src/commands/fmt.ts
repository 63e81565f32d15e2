// `pmxform fmt [PATH...]`: Terraform's `fmt` for pmxform's HCL files. Rewrites *.pmx.hcl files
// (of the working directory, the given directories — with --recursive their subdirectories — or
// the given files; `-` is stdin to stdout) into the canonical layout of src/config/hcl/format.ts
// and lists the files it changed. --check writes nothing and exits 3 when a file is not formatted;
// a file with a syntax error is reported (file:line:col), left untouched, and the exit is 1.
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { createTwoFilesPatch } from "diff";
import { error, hasErrors } from "../diag/diagnostic.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { formatHcl } from "../config/hcl/format.js";
import { withHcl } from "../config/hcl/parser.js";
import { decodeUtf8, parseConfigText } from "../config/load.js";
import { workingDir } from "../engine/session.js";
import { printDiagnostics } from "./output-format.js";

export interface FmtOptions {
  check?: boolean;
  diff?: boolean;
  recursive?: boolean;
  /** "false" turns the list of changed files off (Terraform's -list=false). */
  list?: string;
  /** "false" leaves the files as they are (Terraform's -write=false). */
  write?: string;
  color?: boolean;
}

/** Exit status of `fmt --check` when some input is not in canonical form (Terraform's). */
export const NOT_FORMATTED = 3;

const HCL_SUFFIX = ".pmx.hcl";
const isYaml = (p: string): boolean => /\.ya?ml$/.test(p);

interface Outcome {
  changed: boolean;
  diagnostics: Diagnostic[];
}

/** Parses first, so that only syntactically valid text is rewritten; returns the canonical text or the errors. */
async function formatText(path: string, bytes: Uint8Array): Promise<{ source?: string; formatted?: string; diagnostics: Diagnostic[] }> {
  const decoded = decodeUtf8(path, bytes);
  if (decoded.text === undefined) return { diagnostics: decoded.diagnostic ? [decoded.diagnostic] : [] };
  const source = decoded.text;
  const parsed = await withHcl(() => parseConfigText(path, source));
  if (hasErrors(parsed.diagnostics)) return { source, diagnostics: parsed.diagnostics };
  return { source, formatted: formatHcl(source), diagnostics: [] };
}

/** The HCL files under a directory, in name order; subdirectories only with --recursive. */
async function hclFilesIn(dir: string, recursive: boolean): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isFile() && e.name.endsWith(HCL_SUFFIX)) out.push(p);
    else if (recursive && e.isDirectory() && !e.name.startsWith(".") && e.name !== "node_modules") out.push(...(await hclFilesIn(p, true)));
  }
  return out;
}

/** Turns PATH arguments into files; a missing path or a YAML file is a diagnostic. */
async function expand(paths: string[], recursive: boolean, diags: Diagnostic[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => undefined);
    if (!info) diags.push(error("No file or directory at path", `There is no file or directory at ${p}. Check the path given to pmxform fmt.`));
    else if (info.isDirectory()) files.push(...(await hclFilesIn(p, recursive)));
    else if (isYaml(p)) diags.push(error("Only HCL files can be formatted", `${p} is YAML; pmxform fmt formats HCL (*.pmx.hcl) only. Format YAML files with a YAML tool such as prettier or yamlfmt.`));
    else files.push(p);
  }
  return files;
}

/** File names are shown relative to the working directory every verb reads its configuration from. */
function displayName(path: string): string {
  const rel = relative(workingDir({}), resolve(path));
  return rel === "" || rel.startsWith("..") ? path : rel;
}

async function processFile(path: string, opts: FmtOptions, out: string[]): Promise<Outcome> {
  const bytes = await readFile(path);
  const { source, formatted, diagnostics } = await formatText(path, bytes);
  if (formatted === undefined || source === undefined) return { changed: false, diagnostics };
  if (formatted === source) return { changed: false, diagnostics };
  const name = displayName(path);
  if (opts.list !== "false") out.push(`${name}\n`);
  if (opts.write !== "false" && !opts.check) await writeFile(path, formatted);
  if (opts.diff) out.push(unifiedDiff(name, source, formatted));
  return { changed: true, diagnostics };
}

function unifiedDiff(name: string, before: string, after: string): string {
  return createTwoFilesPatch(`old/${name}`, `new/${name}`, before, after, undefined, undefined, { context: 3 }).replace(/^=+\n/, "");
}

async function processStdin(opts: FmtOptions, out: string[]): Promise<Outcome> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const { source, formatted, diagnostics } = await formatText("<stdin>", Buffer.concat(chunks));
  if (formatted === undefined || source === undefined) return { changed: false, diagnostics };
  const changed = formatted !== source;
  if (opts.diff) {
    if (changed) out.push(unifiedDiff("<stdin>", source, formatted));
  } else if (!opts.check) out.push(formatted);
  return { changed, diagnostics };
}

export async function run(opts: FmtOptions, args: string[]): Promise<number> {
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const out: string[] = [];
  let unformatted = false;
  const note = (o: Outcome) => {
    diagnostics.push(...o.diagnostics);
    unformatted ||= o.changed;
  };
  if (args.includes("-")) {
    if (args.length > 1) diagnostics.push(error("Invalid arguments", "`-` (standard input) cannot be combined with other paths. Run pmxform fmt - on its own."));
    else note(await processStdin(opts, out));
  } else {
    for (const f of await expand(args.length > 0 ? args : ["."], Boolean(opts.recursive), diagnostics)) {
      const o = await processFile(f, opts, out);
      // The diagnostic shows the offending line; the file was left as it was.
      if (o.diagnostics.length > 0) sources.set(f, (await readFile(f)).toString("utf8"));
      note(o);
    }
  }
  process.stdout.write(out.join(""));
  printDiagnostics(diagnostics, opts, sources);
  return hasErrors(diagnostics) ? 1 : opts.check && unformatted ? NOT_FORMATTED : 0;
}
