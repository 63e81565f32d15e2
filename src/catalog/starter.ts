// `pmxform init --app APP [--dir D] [--node N]`: writes a starter configuration that calls the
// catalog app as a module, with a root variable for each input the app requires (secrets stay
// sensitive variables: their values come from --var, a var file or PMXFORM_VAR_*, never from the
// files written here). Existing files are never overwritten.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { error, type Diagnostic } from "../diag/diagnostic.js";
import { describeModule, type ModuleInput } from "./describe.js";
import { findApp } from "./lookup.js";

const LABEL = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const hclString = (s: string) => JSON.stringify(s).replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");

function hclValue(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return hclString(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(hclValue).join(", ")}]`;
  return `{ ${Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${LABEL.test(k) ? k : hclString(k)} = ${hclValue(x)}`)
    .join(", ")} }`;
}

export interface StarterFiles {
  [name: string]: string;
}

/** The files of a starter configuration for `app` on `node` (pure: tests and init share it). */
export function starterFiles(app: { name: string; version: string; description: string }, inputs: ModuleInput[], node: string): StarterFiles {
  const required = inputs.filter((i) => i.required && i.name !== "node");
  const optional = inputs.filter((i) => !i.required && i.name !== "node");
  const w = Math.max(7, ...required.map((i) => i.name.length));
  const main: string[] = [
    `# ${app.description}`,
    `# Written by pmxform init --app ${app.name}. Set the variables in variables.pmx.hcl (secrets with`,
    `# --var, a --var-file or PMXFORM_VAR_<name>), check proxmox.pmx.hcl, then run pmxform plan.`,
    `# Every input: pmxform catalog show ${app.name}`,
    "",
    `module ${hclString(app.name)} {`,
    `  ${"source".padEnd(w)} = ${hclString(`catalog/${app.name}`)}`,
    `  ${"version".padEnd(w)} = ${hclString(app.version)}`,
    `  ${"node".padEnd(w)} = ${hclString(node)}`,
    ...required.map((i) => `  ${i.name.padEnd(w)} = var.${i.name}`),
  ];
  if (optional.length) {
    main.push("", "  # Optional inputs and their defaults:");
    for (const i of optional) main.push(`  # ${i.name} = ${i.sensitive ? "(sensitive)" : hclValue(i.default)}`);
  }
  main.push("}", "", `output "url" {`, `  value = module.${app.name}.url`, "}", "", `output "ports" {`, `  value = module.${app.name}.ports`, "}", "");
  const vars: string[] = [`# Inputs the ${app.name} app requires. No defaults on purpose: choose the values.`, ""];
  for (const i of required) {
    vars.push(`variable ${hclString(i.name)} {`, `  type        = ${i.type}`);
    if (i.description) vars.push(`  description = ${hclString(i.description)}`);
    if (i.sensitive) vars.push(`  sensitive   = true`);
    vars.push("}", "");
  }
  const proxmox = [
    `# How pmxform reaches the node (docs/targets.md): over SSH as root, or set sim = "sim" to try`,
    `# the app against the built-in simulator first.`,
    "proxmox {",
    `  node ${hclString(node)} {`,
    `    ssh = ${hclString(`root@${node}`)}`,
    "  }",
    "}",
    "",
  ];
  return { "main.pmx.hcl": main.join("\n"), "variables.pmx.hcl": vars.join("\n"), "proxmox.pmx.hcl": proxmox.join("\n") };
}

export async function initApp(opts: { app: string; dir?: string; node?: string }): Promise<{ written: string[]; diagnostics: Diagnostic[] }> {
  const node = opts.node ?? "pve1";
  if (!LABEL.test(node)) return { written: [], diagnostics: [error("Invalid node name", `"${node}" is not a valid node name. Use letters, digits, - and _ (starting with a letter).`)] };
  const found = findApp(opts.app);
  if (!found.entry) return { written: [], diagnostics: found.diagnostics };
  const described = await describeModule(found.entry.dir);
  if (!described.description)
    return { written: [], diagnostics: [error("Catalog app does not load", `The module of ${opts.app} has errors; this is a bug in the catalog.`), ...described.diagnostics] };
  const dir = resolve(opts.dir ?? ".");
  const files = starterFiles(found.entry, described.description.inputs, node);
  const existing = Object.keys(files).filter((f) => existsSync(join(dir, f)));
  if (existing.length)
    return {
      written: [],
      diagnostics: [
        error(
          "Refusing to overwrite files",
          `${existing.map((f) => join(dir, f)).join(", ")} already ${existing.length === 1 ? "exists" : "exist"}; pmxform init --app writes nothing over existing files. Choose an empty directory with --dir, or move the file${existing.length === 1 ? "" : "s"} away.`,
        ),
      ],
    };
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    // "wx": fails instead of overwriting if the file appeared since the check above.
    writeFileSync(join(dir, name), text, { flag: "wx" });
    written.push(join(dir, name));
  }
  return { written, diagnostics: [] };
}
