// `pveam list <storage>` (and a local-only `download` that drops a tiny template file).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs, type VerbSpec } from "./args.js";
import { paths, type Ctx } from "./ctx.js";
import { SimError } from "./errors.js";
import { assertStorage, listVolumes } from "./storage.js";
import { parseTemplateVolname } from "../pve/volid.js";

const spec = (usage: string, positional: string[], options: VerbSpec["options"] = {}): VerbSpec => ({ usage, positional, options });

export function runPveam(ctx: Ctx, argv: string[]): number {
  const [verb, ...rest] = argv;
  if (verb === "list") {
    const a = parseArgs(spec("pveam list <storage>", ["storage"]), rest);
    const s = assertStorage(a.pos["storage"]!);
    if (!s.content.includes("vztmpl")) throw new SimError(`storage '${s.id}' does not support templates`);
    let out = `${"NAME".padEnd(60)} SIZE\n`;
    for (const v of listVolumes(ctx, s.id).filter((x) => x.kind === "vztmpl")) {
      out += `${v.volid.padEnd(60)} ${(v.size / 1024 / 1024).toFixed(2)}MB\n`;
    }
    ctx.out(out);
    return 0;
  }
  if (verb === "download") {
    const a = parseArgs(spec("pveam download <storage> <template>", ["storage", "template"]), rest);
    const s = assertStorage(a.pos["storage"]!);
    if (!s.content.includes("vztmpl")) throw new SimError(`storage '${s.id}' does not support templates`);
    const file = a.pos["template"]!;
    if (!parseTemplateVolname(`vztmpl/${file}`)) throw new SimError(`400 Parameter verification failed.\ntemplate: invalid format\n`);
    writeFileSync(join(paths.templateDir(ctx.dir, ctx.node), file), `pmxform simulated template ${file}\n`);
    ctx.out(`downloading ${file} to local storage (simulated)\nTASK OK\n`);
    return 0;
  }
  if (verb === "update") {
    ctx.out("update successful\n");
    return 0;
  }
  if (verb === "available") return 0;
  throw new SimError(`ERROR: unknown command 'pveam ${verb ?? ""}'\nUSAGE: pveam <COMMAND> [ARGS] [OPTIONS]`);
}
