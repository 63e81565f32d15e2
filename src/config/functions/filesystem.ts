// Filesystem functions: file, fileexists, filebase64, templatefile, basename, dirname.
// Relative paths resolve against the configuration directory (baseDir), never the process cwd.
import { existsSync, statSync } from "node:fs";
import { MAX_FUNCTION_FILE_BYTES, readBounded } from "../read-bounded.js";
import type { BoundedRead } from "../read-bounded.js";
import { basename, dirname, resolve } from "node:path";
import { hasErrors } from "../../diag/diagnostic.js";
import { evaluate } from "../eval/evaluate.js";
import { TextPosMap } from "../hcl/positions.js";
import { parseTemplateWithMap } from "../hcl/parser.js";
import { isObjectValue } from "../value.js";
import type { Value } from "../value.js";
import { p } from "./params.js";
import { FunctionError } from "./types.js";
import type { FunctionImpl, FunctionTable } from "./types.js";

function readBytes(baseDir: string, path: string): { bytes: Buffer; full: string } {
  const full = resolve(baseDir, path);
  let read: BoundedRead;
  try {
    read = readBounded(full, MAX_FUNCTION_FILE_BYTES);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EISDIR") throw new FunctionError(`${JSON.stringify(path)} is a directory, not a file`, 0);
    if ((e as NodeJS.ErrnoException).code === "EACCES") throw new FunctionError(`${JSON.stringify(path)} cannot be read: permission denied`, 0);
    throw new FunctionError(`no file exists at ${JSON.stringify(path)} (looked in ${baseDir}); check the path, which is relative to the configuration directory`, 0);
  }
  if ("bytes" in read) return { bytes: read.bytes, full };
  // /dev/zero, /dev/urandom, a FIFO or a socket would never end or would block.
  if (read.problem === "not-regular") throw new FunctionError(`${JSON.stringify(path)} is not a regular file (a device, FIFO or socket); only files can be read`, 0);
  throw new FunctionError(`${JSON.stringify(path)} is larger than ${MAX_FUNCTION_FILE_BYTES} bytes (the limit for files read by functions)`, 0);
}

function readText(baseDir: string, path: string): { text: string; full: string } {
  const { bytes, full } = readBytes(baseDir, path);
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), full };
  } catch {
    throw new FunctionError(`the contents of ${JSON.stringify(path)} are not valid UTF-8; use filebase64() to read binary files`, 0);
  }
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function filesystemFunctions(baseDir: string, table: () => FunctionTable): Record<string, FunctionImpl> {
  return {
    file: {
      description: "The contents of a UTF-8 text file.",
      params: [p.string("path")],
      returns: "string",
      impl: ([path]) => readText(baseDir, path as string).text,
    },
    fileexists: {
      description: "Whether a file exists at the path.",
      params: [p.string("path")],
      returns: "bool",
      impl: ([path]) => {
        const full = resolve(baseDir, path as string);
        return existsSync(full) && !statSync(full).isDirectory();
      },
    },
    filebase64: {
      description: "The contents of a file in Base64 (for binary files).",
      params: [p.string("path")],
      returns: "string",
      impl: ([path]) => readBytes(baseDir, path as string).bytes.toString("base64"),
    },
    templatefile: {
      description: "A template file rendered with the given variables (${name}, %{if}, %{for} as in HCL strings).",
      params: [p.string("path"), p.any("vars")],
      returns: "string",
      impl: ([path, vars]) => {
        if (!isObjectValue(vars as Value)) throw new FunctionError("the template variables must be given as a map or object", 1);
        const bindings = vars as { [k: string]: Value };
        for (const k of Object.keys(bindings)) {
          if (!IDENT.test(k))
            throw new FunctionError(`invalid template variable name ${JSON.stringify(k)}: it must start with a letter or underscore and contain only letters, digits, underscores and dashes`, 1);
        }
        const { text, full } = readText(baseDir, path as string);
        let parsed: ReturnType<typeof parseTemplateWithMap>;
        try {
          parsed = parseTemplateWithMap(text, new TextPosMap(full, text));
        } catch (e) {
          throw new FunctionError(`the template could not be parsed: ${e instanceof Error ? e.message : String(e)}`);
        }
        if (!parsed.expr || hasErrors(parsed.diagnostics)) throw new FunctionError("the template has syntax errors", 0, parsed.diagnostics);
        const functions = new Map(table());
        // A template including itself would never end; Terraform forbids it too.
        functions.delete("templatefile");
        const r = evaluate(parsed.expr, { bindings, functions, baseDir: dirname(full) });
        if (hasErrors(r.diagnostics)) throw new FunctionError("the template could not be rendered", 0, r.diagnostics);
        return r.value;
      },
    },
    basename: {
      description: "The last part of a path.",
      params: [p.string("path")],
      returns: "string",
      impl: ([path]) => basename(path as string),
    },
    dirname: {
      description: "The path without its last part.",
      params: [p.string("path")],
      returns: "string",
      impl: ([path]) => dirname(path as string),
    },
  };
}
