// The `backend "TYPE" { ... }` and `encryption { ... }` blocks: which settings each accepts and the
// static checks made when the configuration is decoded (one backend, a known type, known settings,
// required ones present). Values stay expressions: they may use variables (credentials come from
// variables or the environment), and src/state/backends/settings.ts evaluates them.
import { error } from "../diag/diagnostic.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import type { Block, Body } from "./body.js";
import { didYouMean } from "./structure.js";

/** Settings of each backend type (docs/backends.md). */
export const BACKEND_SETTINGS: Readonly<Record<string, readonly string[]>> = {
  local: ["path", "workspace_dir"],
  pg: ["conn_str", "host", "port", "database", "user", "password", "sslmode", "schema_name", "schema", "connect_timeout"],
  pve: ["nodes", "path"],
};

/** Settings of the encryption block and of its fallback block. */
export const ENCRYPTION_SETTINGS = ["passphrase", "key_file", "unencrypted", "enforced"] as const;
export const ENCRYPTION_FALLBACK_SETTINGS = ["passphrase", "key_file", "unencrypted"] as const;

function unknownSettings(body: Body, what: string, attrs: readonly string[], blocks: readonly string[], out: Diagnostic[]): void {
  for (const a of body.attributes) {
    if (attrs.includes(a.name)) continue;
    const hint = didYouMean(a.name, attrs);
    out.push(error("Unsupported argument", `An argument named "${a.name}" is not expected in ${what}.${hint ? ` Did you mean "${hint}"?` : ""} Remove it; allowed: ${attrs.join(", ")}.`, a.nameRange));
  }
  for (const b of body.blocks) {
    if (blocks.includes(b.type)) continue;
    out.push(error("Unsupported block type", `Blocks of type "${b.type}" are not expected in ${what}.${blocks.length ? ` Allowed: ${blocks.join(", ")}.` : ""} Remove the block.`, b.typeRange));
  }
}

/** Checks a backend block; the first valid one is kept, a second one is an error. */
export function checkBackendBlock(block: Block, first: Block | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  const type = block.labels[0] ?? "";
  if (first) {
    out.push(error("Duplicate backend block", `A configuration has one backend; one was already declared at ${first.range.file}:${first.range.start.line}. Remove one of them.`, block.typeRange));
    return out;
  }
  const settings = BACKEND_SETTINGS[type];
  if (!settings) {
    const hint = didYouMean(type, Object.keys(BACKEND_SETTINGS));
    out.push(
      error(
        "Unknown backend type",
        `pmxform has no backend "${type}".${hint ? ` Did you mean "${hint}"?` : ""} Use one of: ${Object.keys(BACKEND_SETTINGS).join(", ")} (docs/backends.md).`,
        block.labelRanges[0] ?? block.typeRange,
      ),
    );
    return out;
  }
  unknownSettings(block.body, `backend "${type}"`, settings, [], out);
  const has = (n: string) => block.body.attributes.some((a) => a.name === n);
  if (type === "pve" && !has("nodes"))
    out.push(
      error(
        "Missing required argument",
        `backend "pve" needs nodes = ["pve1", ...]: the cluster's nodes (declared in the proxmox block) through which the state is read and written, tried in order. Add the nodes argument.`,
        block.typeRange,
      ),
    );
  if (type === "pg" && has("conn_str") && ["host", "port", "database", "user", "password", "sslmode"].some(has)) {
    out.push(
      error("Conflicting pg settings", `backend "pg" takes either conn_str or host/port/database/user/password/sslmode, not both. Keep one way of saying where the database is.`, block.typeRange),
    );
  }
  if (type === "pg" && has("schema") && has("schema_name")) out.push(error("Conflicting pg settings", `schema and schema_name name the same setting. Keep schema_name.`, block.typeRange));
  return out;
}

/** Checks an encryption block; a second one is an error. */
export function checkEncryptionBlock(block: Block, first: Block | undefined): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (first) {
    out.push(
      error("Duplicate encryption block", `A configuration has one encryption block; one was already declared at ${first.range.file}:${first.range.start.line}. Remove one of them.`, block.typeRange),
    );
    return out;
  }
  unknownSettings(block.body, "the encryption block", ENCRYPTION_SETTINGS, ["fallback"], out);
  const fallbacks = block.body.blocks.filter((b) => b.type === "fallback");
  for (const extra of fallbacks.slice(1)) out.push(error("Duplicate fallback block", "The encryption block takes one fallback block. Merge them.", extra.typeRange));
  for (const fb of fallbacks) {
    if (fb.labels.length) out.push(error("Extraneous label for fallback", "A fallback block takes no labels. Remove the label.", fb.labelRanges[0] ?? fb.typeRange));
    unknownSettings(fb.body, "the encryption fallback block", ENCRYPTION_FALLBACK_SETTINGS, [], out);
  }
  for (const body of [block.body, ...fallbacks.map((f) => f.body)]) {
    const keys = ["passphrase", "key_file", "unencrypted"].filter((k) => body.attributes.some((a) => a.name === k));
    if (keys.length !== 1) {
      const where = body === block.body ? "The encryption block" : "The fallback block";
      out.push(
        error(
          "Invalid encryption settings",
          `${where} must set exactly one of passphrase, key_file or unencrypted = true${keys.length ? `, but sets ${keys.join(" and ")}` : ""}. Keep one.`,
          body === block.body ? block.typeRange : body.range,
        ),
      );
    }
  }
  return out;
}
