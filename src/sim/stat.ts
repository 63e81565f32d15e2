// `stat -c FORMAT PATH...` on the simulated node, for device nodes: paths under /dev answer from
// the node's fake device table (devices.json, made by `sim init`), as GNU stat would for them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { paths, type Ctx } from "./ctx.js";
import { SimError } from "./errors.js";
import { statNodePath } from "./zfs-fs.js";

const USAGE = "usage: stat -c FORMAT FILE...";

interface Device {
  type: "c" | "b";
  major: number;
  minor: number;
}

function nodeDevices(ctx: Ctx): Record<string, Device> {
  try {
    return JSON.parse(readFileSync(join(paths.nodeRoot(ctx.dir, ctx.node), "devices.json"), "utf8")) as Record<string, Device>;
  } catch {
    return {};
  }
}

function render(format: string, path: string, d: Device): string {
  const fields: Record<string, string> = {
    n: path,
    F: d.type === "c" ? "character special file" : "block special file",
    t: d.major.toString(16),
    T: d.minor.toString(16),
  };
  return format.replace(/%([nFtT%])/g, (_, f: string) => (f === "%" ? "%" : fields[f]!));
}

export function runStat(ctx: Ctx, argv: string[]): number {
  if (argv[0] !== "-c" || argv[1] === undefined || argv.length < 3) throw new SimError(`stat: missing operand\n${USAGE}`, 1);
  const format = argv[1];
  const devices = nodeDevices(ctx);
  let code = 0;
  let out = "";
  for (const path of argv.slice(2)) {
    const d = path.startsWith("/dev/") ? devices[path.slice("/dev/".length)] : undefined;
    const onNode = d ? undefined : statNodePath(ctx, format, path);
    if (d) out += render(format, path, d) + "\n";
    else if (onNode !== undefined) out += onNode + "\n";
    else {
      ctx.err(`stat: cannot statx '${path}': No such file or directory\n`);
      code = 1;
    }
  }
  ctx.out(out);
  return code;
}
