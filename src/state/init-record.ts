// What `pmxform init` records in the working directory's .pmxform/ (Terraform's .terraform/):
// backend.json says which backend the directory was initialised with (type and identity, never
// credentials), `environment` the selected workspace. A run whose configured backend differs from
// the recorded one stops and asks for init, so a changed backend block never silently starts
// from an empty state while the real one sits elsewhere.
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { replaceFileSync } from "./no-follow.js";
import type { BackendSettings } from "./backends/settings.js";
import type { Range } from "../diag/diagnostic.js";
import { TextPosMap, rangeOf } from "../config/hcl/positions.js";

export const INIT_DIR = ".pmxform";

export interface InitRecord {
  version: 1;
  type: string;
  /** backendIdentity(): where the states are, without credentials. */
  identity: string;
  /** The settings, without passwords: what `init -migrate-state` reopens the old backend with. */
  settings?: BackendSettings;
  initialised: string;
}

/** A connection string without its password (the driver then takes PGPASSWORD or ~/.pgpass). */
export function withoutPassword(conn: string): string {
  try {
    const u = new URL(conn);
    if (!u.password) return conn;
    u.password = "";
    return u.toString();
  } catch {
    return conn.replace(/(^|\s)password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)\s*/g, "$1").trim();
  }
}

function storable(s: BackendSettings): BackendSettings {
  return s.type === "pg" && s.connString ? { ...s, connString: withoutPassword(s.connString) } : s;
}

export function readInitRecord(dir: string): InitRecord | null {
  try {
    const r = JSON.parse(readFileSync(join(dir, INIT_DIR, "backend.json"), "utf8")) as InitRecord;
    return typeof r.identity === "string" && typeof r.type === "string" ? r : null;
  } catch {
    return null;
  }
}

export function writeInitRecord(dir: string, settings: BackendSettings, identity: string): void {
  mkdirSync(join(dir, INIT_DIR), { recursive: true, mode: 0o700 });
  const rec: InitRecord = { version: 1, type: settings.type, identity, settings: storable(settings), initialised: new Date().toISOString() };
  replaceFileSync(join(dir, INIT_DIR, "backend.json"), "the backend record", JSON.stringify(rec, null, 2) + "\n", 0o600);
}

const WORKSPACE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,89}$/;

/** Why a workspace name cannot be used, or undefined. Names become directory names and database keys. */
export function workspaceNameProblem(name: string): string | undefined {
  if (WORKSPACE_NAME.test(name) && !name.includes("..")) return undefined;
  return `"${name}" is not a valid workspace name: use letters, digits, _, - and . (at most 90, not starting with . or -).`;
}

/** The selected workspace: PMXFORM_WORKSPACE (as TF_WORKSPACE), else .pmxform/environment, else "default". */
/** The file that keeps the workspace selection, relative to the working directory (as diagnostics name it). */
export const SELECTION_FILE = join(INIT_DIR, "environment");

/** The selected workspace; when it comes from the selection file, where the name stands in it. */
export function currentWorkspace(dir: string, env: NodeJS.ProcessEnv = process.env): { name: string; from: "env" | "file" | "default"; range?: Range } {
  const fromEnv = env["PMXFORM_WORKSPACE"];
  if (fromEnv) return { name: fromEnv, from: "env" };
  try {
    const text = readFileSync(join(dir, SELECTION_FILE), "utf8");
    const name = text.trim();
    if (name) {
      const at = text.indexOf(name);
      return { name, from: "file", range: rangeOf(new TextPosMap(SELECTION_FILE, text), at, at + name.length) };
    }
  } catch {
    // none selected
  }
  return { name: "default", from: "default" };
}

export function selectWorkspace(dir: string, name: string): void {
  mkdirSync(join(dir, INIT_DIR), { recursive: true, mode: 0o700 });
  if (name === "default") rmSync(join(dir, INIT_DIR, "environment"), { force: true });
  else replaceFileSync(join(dir, INIT_DIR, "environment"), "the workspace selection", name + "\n", 0o600);
}
