// The backend and encryption blocks, evaluated: expressions (variables, locals, functions) become
// typed settings, with the environment filling what the block leaves out as OpenTofu does
// (PG_CONN_STR, PG_SCHEMA_NAME, and libpq's PG* variables read by the driver itself). Secrets
// (passwords, passphrases) are kept here and in the backend only: `identity` and every message
// name where the state is, never how to log in.
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { Diagnostic, Range } from "../../diag/diagnostic.js";
import { error } from "../../diag/diagnostic.js";
import type { Attribute, Block } from "../../config/body.js";
import type { Expr } from "../../config/ast.js";
import { containsUnknown, unmark, type Value } from "../../config/value.js";
import type { EncryptionConfig, KeySource } from "../encryption.js";
import type { Module } from "../../config/module.js";
import { references } from "../../config/refs.js";
import { describeConn } from "./pg.js";

export type BackendSettings =
  | { type: "local"; /** State of the default workspace, relative to the working directory. */ path: string; /** Where other workspaces live. */ workspaceDir: string }
  | { type: "pg"; connString?: string; schema: string; connectTimeoutS?: number }
  | { type: "pve"; nodes: string[]; path?: string };

export const DEFAULT_STATE_FILE = "pmxform.state.json";
export const DEFAULT_WORKSPACE_DIR = "pmxform.state.d";

/** Evaluates one expression of the configuration (variables and locals in scope). */
export type Evaluate = (expr: Expr) => { value: Value; diagnostics: Diagnostic[] };

/**
 * What identifies a backend for `init` and saved plans: the type and where the state is (never
 * credentials). Two configurations with the same identity share their states.
 */
export function backendIdentity(s: BackendSettings, baseDir: string): string {
  switch (s.type) {
    case "local":
      return `local:${resolve(baseDir, s.path)}`;
    case "pg":
      return `pg:${describeConn(s.connString)}/${s.schema}`;
    case "pve":
      return `pve:${[...s.nodes].join(",")}:${s.path ?? "/etc/pve/priv/pmxform"}`;
  }
}

class Reader {
  readonly diagnostics: Diagnostic[] = [];
  constructor(
    private readonly block: Block,
    private readonly evaluate: Evaluate,
    private readonly what: string,
  ) {}

  private attr(name: string): Attribute | undefined {
    return this.block.body.attributes.find((a) => a.name === name);
  }

  private raw(name: string): { value: unknown; range: Range } | undefined {
    const a = this.attr(name);
    if (!a) return undefined;
    const r = this.evaluate(a.expr);
    this.diagnostics.push(...r.diagnostics);
    if (containsUnknown(r.value)) {
      this.fail(
        `${this.what}'s ${name} is not known`,
        `Backend and encryption settings are needed before anything is planned or read. Set them from variables (given a value), locals or literals only.`,
        a.expr.range,
      );
      return undefined;
    }
    const value = unmark(r.value);
    if (value === null || value === undefined) return undefined;
    return { value, range: a.expr.range };
  }

  fail(summary: string, detail: string, range?: Range): void {
    this.diagnostics.push(error(summary, detail, range ?? this.block.typeRange));
  }

  string(name: string): string | undefined {
    const r = this.raw(name);
    if (!r) return undefined;
    if (typeof r.value === "string" && r.value !== "") return r.value;
    // The value is not shown: it may be a password.
    this.fail(`Invalid ${name}`, `${this.what}'s ${name} must be a non-empty string. Set it to a string.`, r.range);
    return undefined;
  }

  number(name: string): number | undefined {
    const r = this.raw(name);
    if (!r) return undefined;
    const n = typeof r.value === "string" && /^\d+$/.test(r.value) ? Number(r.value) : r.value;
    if (typeof n === "number" && Number.isInteger(n) && n > 0) return n;
    this.fail(`Invalid ${name}`, `${this.what}'s ${name} must be a whole number greater than 0. Set it to a number.`, r.range);
    return undefined;
  }

  bool(name: string): boolean | undefined {
    const r = this.raw(name);
    if (!r) return undefined;
    if (typeof r.value === "boolean") return r.value;
    this.fail(`Invalid ${name}`, `${this.what}'s ${name} must be true or false.`, r.range);
    return undefined;
  }

  strings(name: string): string[] | undefined {
    const r = this.raw(name);
    if (!r) return undefined;
    if (Array.isArray(r.value) && r.value.length > 0 && r.value.every((x) => typeof x === "string" && x !== "")) return r.value as string[];
    this.fail(`Invalid ${name}`, `${this.what}'s ${name} must be a non-empty list of node names, like ["pve1", "pve2"].`, r.range);
    return undefined;
  }
}

const PG_IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/** The configured backend, or the local file when the configuration has no backend block. */
export function backendSettings(block: Block | undefined, evaluate: Evaluate, env: NodeJS.ProcessEnv = process.env): { settings?: BackendSettings; diagnostics: Diagnostic[] } {
  if (!block) return { settings: { type: "local", path: DEFAULT_STATE_FILE, workspaceDir: DEFAULT_WORKSPACE_DIR }, diagnostics: [] };
  const type = block.labels[0];
  const r = new Reader(block, evaluate, `backend "${type}"`);
  let settings: BackendSettings | undefined;
  if (type === "local") {
    settings = { type: "local", path: r.string("path") ?? DEFAULT_STATE_FILE, workspaceDir: r.string("workspace_dir") ?? DEFAULT_WORKSPACE_DIR };
  } else if (type === "pg") {
    const schema = r.string("schema_name") ?? r.string("schema") ?? env["PG_SCHEMA_NAME"] ?? "pmxform";
    if (!PG_IDENT.test(schema))
      r.fail("Invalid schema_name", `The pg backend's schema_name "${schema}" is not a plain PostgreSQL name. Use lower-case letters, digits and _ (at most 63), starting with a letter or _.`);
    let connString = r.string("conn_str");
    const parts = { host: r.string("host"), port: r.number("port"), database: r.string("database"), user: r.string("user"), password: r.string("password"), sslmode: r.string("sslmode") };
    if (!connString && Object.values(parts).some((v) => v !== undefined)) connString = connStringOf(parts, env);
    connString ??= env["PG_CONN_STR"] || undefined;
    const timeout = r.number("connect_timeout");
    settings = { type: "pg", schema, ...(connString ? { connString } : {}), ...(timeout ? { connectTimeoutS: timeout } : {}) };
  } else if (type === "pve") {
    const nodes = r.strings("nodes");
    const path = r.string("path");
    if (path !== undefined && !/^\/etc\/pve\/priv\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(path)) {
      r.fail("Invalid path", `backend "pve"'s path must be a directory under /etc/pve/priv (readable by root only, replicated by pmxcfs), like "/etc/pve/priv/pmxform"; got ${JSON.stringify(path)}.`);
    }
    if (nodes) settings = { type: "pve", nodes, ...(path ? { path } : {}) };
  }
  return r.diagnostics.some((d) => d.severity === "error") ? { diagnostics: r.diagnostics } : { ...(settings ? { settings } : {}), diagnostics: r.diagnostics };
}

/** A libpq URL from separate settings; what is left out comes from the PG* variables (the driver reads them). */
function connStringOf(
  p: { host?: string | undefined; port?: number | undefined; database?: string | undefined; user?: string | undefined; password?: string | undefined; sslmode?: string | undefined },
  env: NodeJS.ProcessEnv,
): string {
  const host = p.host ?? env["PGHOST"] ?? "localhost";
  const hostPart = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  const auth = p.user ? `${encodeURIComponent(p.user)}${p.password ? `:${encodeURIComponent(p.password)}` : ""}@` : "";
  const db = p.database ?? env["PGDATABASE"] ?? "";
  const query = p.sslmode ? `?sslmode=${encodeURIComponent(p.sslmode)}` : "";
  return `postgresql://${auth}${hostPart}:${p.port ?? env["PGPORT"] ?? 5432}/${encodeURIComponent(db)}${query}`;
}

/** The encryption block as an EncryptionConfig; undefined without a block (plain files). */
export function encryptionSettings(block: Block | undefined, evaluate: Evaluate, baseDir: string): { config?: EncryptionConfig; diagnostics: Diagnostic[] } {
  if (!block) return { diagnostics: [] };
  const r = new Reader(block, evaluate, "the encryption block");
  const source = (reader: Reader): KeySource | "unencrypted" | undefined => {
    if (reader.bool("unencrypted") === true) return "unencrypted";
    const passphrase = reader.string("passphrase");
    if (passphrase !== undefined) return { passphrase };
    const file = reader.string("key_file");
    if (file === undefined) return undefined;
    const keyFilePath = isAbsolute(file) ? file : resolve(baseDir, file);
    try {
      return { keyFile: readFileSync(keyFilePath), keyFilePath };
    } catch (e) {
      reader.fail(
        "Cannot read the key file",
        `The encryption key file ${keyFilePath} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Create it with: head -c 32 /dev/urandom > ${keyFilePath}; chmod 600 ${keyFilePath}`,
      );
      return undefined;
    }
  };
  const primary = source(r);
  const enforced = r.bool("enforced") ?? false;
  const fbBlock = block.body.blocks.find((b) => b.type === "fallback");
  let fallback: KeySource | "unencrypted" | undefined;
  if (fbBlock) {
    const fr = new Reader(fbBlock, evaluate, "the encryption fallback block");
    fallback = source(fr);
    r.diagnostics.push(...fr.diagnostics);
  }
  if (r.diagnostics.some((d) => d.severity === "error") || !primary) return { diagnostics: r.diagnostics };
  return { config: { primary, enforced, ...(fallback ? { fallback } : {}) }, diagnostics: r.diagnostics };
}

/**
 * Variables the backend and encryption blocks read, directly or through locals: they carry
 * credentials (a password, a passphrase) whether or not they are declared sensitive, so saved
 * plans keep them as sensitive ones (no value; given again at apply and checked by digest).
 */
export function credentialVariables(module: Pick<Module, "backend" | "encryption" | "locals">): Set<string> {
  const vars = new Set<string>();
  const seenLocals = new Set<string>();
  const pending: Expr[] = [];
  const bodies = [module.backend?.body, module.encryption?.body, ...(module.encryption?.body.blocks.map((b) => b.body) ?? [])];
  for (const body of bodies) for (const a of body?.attributes ?? []) pending.push(a.expr);
  for (let expr = pending.pop(); expr; expr = pending.pop()) {
    for (const ref of references(expr)) {
      if (ref.kind === "var") vars.add(ref.name);
      else if (ref.kind === "local" && !seenLocals.has(ref.name)) {
        seenLocals.add(ref.name);
        const decl = module.locals.get(ref.name);
        if (decl) pending.push(decl.expr);
      }
    }
  }
  return vars;
}
