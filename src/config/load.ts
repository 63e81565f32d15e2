// Finds and reads the configuration files of a directory (or the explicit list), runs the right
// front end on each and decodes them into one Module. File problems become diagnostics.
import { lstatSync, readlinkSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { MAX_CONFIG_FILE_BYTES, readBounded } from "./read-bounded.js";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { error } from "../diag/diagnostic.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import type { File } from "./body.js";
import { decodeModule } from "./decode.js";
import type { Module } from "./module.js";
import { parseHclFileSync, withHcl } from "./hcl/parser.js";
import { TextPosMap, rangeOf } from "./hcl/positions.js";
import { parseYamlFileSync } from "./yaml/parser.js";
import { MAX_NESTING, tooDeepAt } from "./nesting.js";
import { loadChildren } from "./modules/children.js";

const CONFIG_SUFFIXES = [".pmx.hcl", ".pmx.yaml", ".pmx.yml"];

export interface LoadResult {
  module: Module;
  files: File[];
  diagnostics: Diagnostic[];
}

function isYaml(path: string): boolean {
  return path.endsWith(".yaml") || path.endsWith(".yml");
}

/** Decodes UTF-8 strictly; on failure reports where the first bad byte is. */
export function decodeUtf8(path: string, bytes: Uint8Array): { text?: string; diagnostic?: Diagnostic } {
  try {
    return { text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes) };
  } catch {
    const lossy = Buffer.from(bytes).toString("utf8");
    const bad = Math.max(0, lossy.indexOf("\uFFFD"));
    const map = new TextPosMap(path, lossy);
    const at = map.pos(bad);
    // The byte offset of the lossy text drifts after the bad byte; the line/column are right.
    return {
      diagnostic: error("Invalid UTF-8", "Configuration files must be UTF-8 encoded, but this file contains bytes that are not valid UTF-8. Re-save it as UTF-8.", {
        ...rangeOf(map, bad, bad + 1),
        start: at,
      }),
    };
  }
}

/** Parses one file's text with the front end its name calls for (HCL unless .yaml/.yml). */
export function parseConfigText(path: string, source: string): { file: File; diagnostics: Diagnostic[] } {
  const yaml = isYaml(path);
  const deep = tooDeepAt(source, yaml);
  if (deep !== undefined) {
    const empty = yaml ? parseYamlFileSync(path, "") : parseHclFileSync(path, "");
    const map = new TextPosMap(path, source);
    const detail = `The configuration nests brackets, blocks or indentation more than ${MAX_NESTING} levels deep here; pmxform refuses such files instead of risking a crash. Flatten the structure (e.g. with locals).`;
    return { file: empty.file, diagnostics: [error("Configuration nested too deeply", detail, rangeOf(map, deep, deep + 1))] };
  }
  return yaml ? parseYamlFileSync(path, source) : parseHclFileSync(path, source);
}

function displayPath(dir: string, path: string): string {
  const rel = relative(dir, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split(sep).join("/") : path;
}

/** Why a configuration file could not be read, in pmxform's words: -f path, dangling link, permissions. */
function unreadableConfig(shown: string, full: string, e: unknown, givenWithF: boolean): Diagnostic {
  const code = (e as NodeJS.ErrnoException).code;
  let link: string | undefined;
  try {
    if (lstatSync(full).isSymbolicLink()) link = readlinkSync(full);
  } catch {
    // not there at all
  }
  if (link !== undefined && code === "ENOENT") {
    return error("Configuration file not found", `${shown} is a symbolic link to ${link}, which does not exist. Fix or remove the link.`);
  }
  if (code === "EACCES") return error("Configuration file not readable", `Cannot read ${shown}: permission denied. Make it readable (chmod u+r ${shown}).`);
  if (code === "EISDIR") return error("Configuration file not readable", `${shown} is a directory, not a configuration file. Rename it or move it away.`);
  return error("Configuration file not found", `Cannot read ${shown}.${givenWithF ? " Check the path given with -f." : " Check that the file exists and is readable."}`);
}

export async function loadConfig(opts: {
  dir: string;
  files?: string[];
  /** The root directory file names are shown relative to (a child module's files); default: dir. */
  displayRoot?: string;
  /** false: do not load the modules the configuration calls (a child, loaded by loadChildren). */
  children?: boolean;
}): Promise<LoadResult> {
  const dir = resolve(opts.dir);
  const shownFrom = opts.displayRoot ?? dir;
  const diagnostics: Diagnostic[] = [];
  const empty = (): LoadResult => ({ module: decodeModule([]).module, files: [], diagnostics });
  let paths: string[];
  if (opts.files && opts.files.length > 0) {
    paths = opts.files.map((f) => resolve(dir, f));
  } else {
    try {
      if (!(await stat(dir)).isDirectory()) {
        diagnostics.push(error("Not a directory", `${opts.dir} is not a directory. Pass the directory that holds the *.pmx.hcl / *.pmx.yaml files.`));
        return empty();
      }
      paths = (await readdir(dir))
        .filter((n) => CONFIG_SUFFIXES.some((s) => n.endsWith(s)))
        .sort()
        .map((n) => join(dir, n));
    } catch {
      diagnostics.push(error("Configuration directory not found", `The directory ${opts.dir} does not exist. Check --chdir, or create the directory.`));
      return empty();
    }
    if (paths.length === 0) {
      diagnostics.push(error("No configuration files", `${opts.dir} holds no *.pmx.hcl, *.pmx.yaml or *.pmx.yml files. Create one, or pass files with -f.`));
      return empty();
    }
  }
  const files: File[] = [];
  for (const full of paths) {
    const shown = displayPath(shownFrom, full);
    let bytes: Uint8Array;
    try {
      const read = readBounded(full, MAX_CONFIG_FILE_BYTES);
      if (!("bytes" in read)) {
        diagnostics.push(
          read.problem === "too-large"
            ? error(
                "Configuration file too large",
                `${shown} is larger than ${MAX_CONFIG_FILE_BYTES / 1024 / 1024} MB, the limit for one configuration file. Split it into several files, or move large values into files read with file().`,
              )
            : error("Configuration file not readable", `${shown} is not a regular file (a device, FIFO or socket). Configuration files must be regular files.`),
        );
        continue;
      }
      bytes = read.bytes;
    } catch (e) {
      diagnostics.push(unreadableConfig(shown, full, e, Boolean(opts.files?.length)));
      continue;
    }
    const { text, diagnostic } = decodeUtf8(shown, bytes);
    if (text === undefined) {
      if (diagnostic) diagnostics.push(diagnostic);
      continue;
    }
    const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
    const parsed = await withHcl(() => parseConfigText(shown, source));
    diagnostics.push(...parsed.diagnostics);
    files.push(parsed.file);
  }
  const decoded = decodeModule(files);
  diagnostics.push(...decoded.diagnostics);
  if (opts.children !== false && decoded.module.calls.size > 0) {
    const kids = await loadChildren(decoded.module, dir, (childDir) => loadConfig({ dir: childDir, displayRoot: dir, children: false }));
    files.push(...kids.files);
    diagnostics.push(...kids.diagnostics);
  }
  return { module: decoded.module, files, diagnostics };
}
