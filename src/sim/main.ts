// Entry point of the simulated executables: `main.js DIR TOOL ARGS...` (DIR/bin/* exec this).
// Applies latency and faults, dispatches to the tool, maps errors to stderr + exit codes, logs.
import { makeCtx, sleepSync, type Ctx } from "./ctx.js";
import { SimError } from "./errors.js";
import { takeFault, waitAtGate } from "./faults.js";
import { appendCall } from "./calllog.js";
import { runPct } from "./pct.js";
import { runPvesh } from "./pvesh.js";
import { runPvesm } from "./pvesm.js";
import { runPveam } from "./pveam.js";
import { runFlock } from "./flock.js";
import { runStat } from "./stat.js";
import { runCfsTool } from "./cfs-tools.js";
import { runZfs } from "./zfs.js";
import { runChown } from "./zfs-fs.js";
import { isNodeFileCall, runNodeFileTool } from "./node-files.js";
import { runTestparm } from "./testparm.js";
import { runSmbcontrol } from "./smbcontrol.js";
import { runExportfs } from "./exportfs.js";

const READ_ONLY_PCT = new Set(["config", "list", "status", "pending", "listsnapshot", "help"]);

function dispatch(ctx: Ctx, tool: string, argv: string[]): number {
  switch (tool) {
    case "pct":
      return runPct(ctx, argv);
    case "pvesh":
      return runPvesh(ctx, argv);
    case "pvesm":
      return runPvesm(ctx, argv);
    case "pveam":
      return runPveam(ctx, argv);
    case "flock":
      return runFlock(ctx, argv);
    case "mkdir":
    case "touch":
    case "rmdir":
    case "dd":
    case "mv":
    case "rm":
      return isNodeFileCall(argv) ? runNodeFileTool(ctx, tool, argv) : runCfsTool(ctx, tool, argv);
    case "grep":
      return runNodeFileTool(ctx, tool, argv);
    case "testparm":
      return runTestparm(ctx, argv);
    case "smbcontrol":
      return runSmbcontrol(ctx, argv);
    case "exportfs":
      return runExportfs(ctx, argv);
    case "stat":
      return runStat(ctx, argv);
    case "zfs":
      return runZfs(ctx, argv);
    case "chown":
      return runChown(ctx, argv);
    default:
      throw new SimError(`unknown simulated tool '${tool}'`, 2);
  }
}

function main(): number {
  const [dir, tool, ...argv] = process.argv.slice(2);
  if (!dir || !tool) {
    process.stderr.write("usage: main.js DIR TOOL [ARGS...]\n");
    return 2;
  }
  const started = Date.now();
  let ctx: Ctx | undefined;
  let code = 0;
  try {
    ctx = makeCtx(dir, process.env);
    const envLatency = process.env["PMXSIM_LATENCY_MS"];
    const latency = envLatency !== undefined && envLatency !== "" ? Number(envLatency) : ctx.cfg.latencyMs;
    if (latency > 0) sleepSync(latency);
    const fault = takeFault(dir, ctx.node, tool, argv);
    if (fault?.gate && !waitAtGate(fault.gate, sleepSync)) throw new SimError(`test gate ${fault.gate} never opened`);
    if (fault) {
      if (fault.exit !== undefined) {
        sleepSync(fault.hangMs ?? 0);
        if (fault.stderr) ctx.err(fault.stderr.endsWith("\n") ? fault.stderr : fault.stderr + "\n");
        code = fault.exit;
        return code;
      }
      ctx.pendingHangMs = fault.hangMs ?? 0;
      if (tool !== "pct" || READ_ONLY_PCT.has(argv[0] ?? "")) {
        sleepSync(ctx.pendingHangMs);
        ctx.pendingHangMs = 0;
      }
    }
    code = dispatch(ctx, tool, argv);
    if (ctx.pendingHangMs > 0) sleepSync(ctx.pendingHangMs);
  } catch (e) {
    if (e instanceof SimError) {
      process.stderr.write(e.render());
      code = e.exitCode;
    } else {
      process.stderr.write(`internal simulator error: ${(e as Error).message}\n`);
      code = 255;
    }
  } finally {
    if (ctx) {
      try {
        appendCall(dir, { ts: new Date(started).toISOString(), node: ctx.node, tool, argv, exit: code, ms: Date.now() - started });
      } catch {
        // a broken log must not change the tool's result
      }
    }
  }
  return code;
}

process.exitCode = main();
