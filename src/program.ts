// The command table (commander): every verb, its flags and help. Each verb's module is imported
// only when that verb runs, so `pmxform --help` loads no engine code.
import { Command, InvalidArgumentError, Option } from "commander";
import { pmxformVersion } from "./state/version.js";

/** Global flags every command accepts. */
export interface GlobalOptions {
  chdir?: string;
  file?: string[];
  state?: string;
  color: boolean;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** --parallelism: refused where it is given, on every verb that takes it (plan ignores its value). */
function wholeNumberFromOne(v: string): string {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError("A whole number of 1 or more is required.");
  return v;
}

function globals(cmd: Command): Command {
  return cmd
    .option("-f, --file <path>", "config file to load instead of every *.pmx.hcl/*.pmx.yaml (repeatable)", collect)
    .option("--state <path>", "state file (default pmxform.state.json in the working directory)")
    .option("--no-color", "disable colours");
}

function planningFlags(cmd: Command): Command {
  return cmd
    .option("--var <k=v>", "set a variable (repeatable)", collect)
    .option("--var-file <file>", "read variables from an HCL or JSON file (repeatable)", collect)
    .option("--target <addr>", "limit to this resource and its dependencies (repeatable)", collect)
    .option("--replace <addr>", "force replacement of this resource (repeatable)", collect)
    .addOption(new Option("--refresh <bool>", "read the nodes before planning").choices(["true", "false"]).default("true"))
    .option("--refresh-only", "only reconcile state with reality")
    .option("--parallelism <n>", "concurrent operations", wholeNumberFromOne, "10")
    .option("--lock-timeout <dur>", "how long to wait for the state lock", "0s")
    .addOption(lockOption())
    .addOption(inputOption())
    .option("--compact-warnings", "show warnings as one line each")
    .option("--json", "machine-readable output");
}

/** -lock=false: do not hold the state lock (as Terraform: dangerous when others may run at the same time). */
function lockOption(): Option {
  return new Option("--lock <bool>", "hold the state lock while running").choices(["true", "false"]).default("true");
}

/** -input=false: accepted for Terraform scripts; pmxform never prompts for variable values (approval needs a terminal or --auto-approve). */
function inputOption(): Option {
  return new Option("--input <bool>", "ask for input (pmxform asks only for approval, on a terminal)").choices(["true", "false"]).default("true");
}

/** A verb's entry point; `command` is the verb's own commander Command (completion walks up from it to the whole table). */
type Runner = (opts: Record<string, unknown>, args: string[], command: Command) => Promise<number>;

/** Wires a verb to its lazily imported module; the module exports `run(opts, args, command)`. */
function lazy(load: () => Promise<{ run: Runner }>, setCode: (n: number) => void) {
  return async (...params: unknown[]) => {
    const cmd = params[params.length - 1] as Command;
    const opts = cmd.optsWithGlobals<Record<string, unknown>>();
    const args = cmd.args;
    const mod = await load();
    setCode(await mod.run(opts, args, cmd));
  };
}

export function buildProgram(setCode: (n: number) => void): Command {
  const program = new Command("pmxform")
    .description("Plan and apply Proxmox VE containers (LXC and OCI) as code")
    .version(pmxformVersion(), "-v, --version")
    // Taken out of the arguments before commander sees them (src/commands/chdir.ts); listed for help.
    .option("--chdir <dir>", "switch to DIR before running the command: every relative path is read there")
    .exitOverride();

  program
    .command("completion")
    .description("print a shell completion script (bash, zsh or fish)")
    .argument("<shell>")
    .action(lazy(() => import("./commands/completion.js"), setCode));

  program
    .command("version")
    .description("print the pmxform version")
    .option("--json", "machine-readable output")
    .action(lazy(() => import("./commands/version.js"), setCode));

  globals(program.command("validate").description("check the configuration (no state, no nodes)"))
    .option("--json", "machine-readable diagnostics")
    .action(lazy(() => import("./commands/validate.js"), setCode));

  program
    .command("fmt")
    .description("rewrite *.pmx.hcl files into the canonical layout (YAML is left to YAML tools)")
    .argument("[paths...]", "files or directories (default: the working directory); - reads stdin and writes stdout")
    .option("--check", "write nothing; exit 3 when a file is not formatted")
    .option("--diff", "print a unified diff of the changes")
    .option("--recursive", "also format files in subdirectories")
    .addOption(new Option("--list <bool>", "list the files whose formatting changed").choices(["true", "false"]).default("true"))
    .addOption(new Option("--write <bool>", "write the result to the files").choices(["true", "false"]).default("true"))
    .option("--no-color", "disable colours")
    .action(lazy(() => import("./commands/fmt.js"), setCode));

  globals(
    planningFlags(program.command("plan").description("show what apply would change"))
      .option("--out <file>", "write the plan to a file for `pmxform apply FILE`")
      .option("--destroy", "plan to destroy everything")
      .option("--detailed-exitcode", "exit 2 when there are changes")
      .option("--generate-config-out <file>", "write configuration for import blocks without a resource block"),
  ).action(lazy(() => import("./commands/plan.js"), setCode));

  globals(
    planningFlags(program.command("apply").description("carry out a saved plan, or plan and apply"))
      .argument("[planfile]")
      .option("--auto-approve", "do not ask for confirmation")
      .option("--destroy", "destroy everything"),
  ).action(lazy(() => import("./commands/apply.js"), setCode));

  globals(planningFlags(program.command("destroy").description("destroy everything pmxform manages")))
    .option("--auto-approve", "do not ask for confirmation")
    .action(lazy(() => import("./commands/destroy.js"), setCode));

  globals(program.command("show").description("show the state, or a saved plan").argument("[planfile]"))
    .option("--json", "machine-readable output")
    .option("--html", "a saved plan as one self-contained HTML page (docs/ui.md)")
    .action(lazy(() => import("./commands/show.js"), setCode));

  globals(program.command("import").description("adopt existing containers into state").argument("[addr]").argument("[id]"))
    .option("--all", "adopt every container not yet in state")
    .option("--node <name>", "with --all: only this node")
    .option("--generate-config-out <file>", "with --all: write configuration for the adopted containers")
    .addOption(new Option("--format <fmt>", "generated configuration format").choices(["hcl", "yaml"]).default("hcl"))
    .option("--var <k=v>", "set a variable (repeatable)", collect)
    .option("--var-file <file>", "read variables from a file (repeatable)", collect)
    .option("--lock-timeout <dur>", "how long to wait for the state lock", "0s")
    .addOption(lockOption())
    .addOption(inputOption())
    .action(lazy(() => import("./commands/import.js"), setCode));

  const state = program.command("state").description("inspect and edit the state");
  for (const [name, desc, argsSpec] of [
    ["list", "list resources in state (only those matching ADDR..., when given)", ["[addr...]"]],
    ["show", "show one resource", ["<addr>"]],
    ["rm", "forget a resource (does not destroy it)", ["<addr...>"]],
    ["mv", "rename a resource in state", ["<from>", "<to>"]],
    ["pull", "print the workspace's state (decrypted) from its backend", []],
    ["push", "replace the workspace's state with FILE (- for stdin): same lineage, serial not behind", ["<file>"]],
  ] as const) {
    const c = globals(state.command(name).description(desc));
    for (const a of argsSpec) c.argument(a);
    c.option("--lock-timeout <dur>", "how long to wait for the state lock", "0s").addOption(lockOption());
    if (name === "push") c.option("--force", "push even if the lineage differs or the serial is behind");
    c.action(lazy(async () => ({ run: (await import("./commands/state.js")).commands[name] }), setCode));
  }

  const catalog = program.command("catalog").description("the app catalog shipped with pmxform (catalog/<app>/)");
  catalog
    .command("list")
    .description("list the catalog's apps")
    .option("--category <category>", "only apps of this category")
    .option("--json", "machine-readable output")
    .option("--no-color", "disable colours")
    .action(lazy(async () => ({ run: (await import("./commands/catalog.js")).commands.list }), setCode));
  catalog
    .command("show")
    .description("show an app's inputs, outputs and the resources it creates")
    .argument("<app>")
    .option("--json", "machine-readable output")
    .option("--no-color", "disable colours")
    .action(lazy(async () => ({ run: (await import("./commands/catalog.js")).commands.show }), setCode));

  globals(program.command("init").description("check the configured state backend and record it for this directory"))
    .option("--migrate-state", "copy the states of the previously initialised backend into the configured one")
    .option("--reconfigure", "use the configured backend as it is, ignoring the one initialised before")
    .option("--force-copy", "with --migrate-state: overwrite states the new backend already has")
    .option("--var <k=v>", "set a variable (repeatable)", collect)
    .option("--var-file <file>", "read variables from a file (repeatable)", collect)
    .option("--lock-timeout <dur>", "how long to wait for the state locks", "0s")
    .option("--app <app>", "write a starter configuration that uses this catalog app (pmxform catalog list)")
    .option("--dir <dir>", "with --app: the directory to write it into (default: the working directory)")
    .option("--node <node>", "with --app: the Proxmox node the app runs on", "pve1")
    .action(lazy(() => import("./commands/init.js"), setCode));

  const workspace = program.command("workspace").description("manage workspaces: each has its own state and lock");
  for (const [name, desc, argsSpec] of [
    ["list", "list workspaces (* marks the selected one)", []],
    ["show", "print the selected workspace", []],
    ["new", "create a workspace and select it", ["<name>"]],
    ["select", "select a workspace", ["<name>"]],
    ["delete", "delete a workspace and its state", ["<name>"]],
  ] as const) {
    const c = globals(workspace.command(name).description(desc));
    for (const a of argsSpec) c.argument(a);
    c.option("--var <k=v>", "set a variable (repeatable)", collect).option("--var-file <file>", "read variables from a file (repeatable)", collect);
    if (name === "delete") c.option("--force", "delete even if its state still manages resources");
    if (name === "select") c.option("--or-create", "create the workspace if it does not exist");
    if (name === "new" || name === "delete") c.option("--lock-timeout <dur>", "how long to wait for the state lock", "0s");
    c.action(lazy(async () => ({ run: (await import("./commands/workspace.js")).commands[name] }), setCode));
  }

  globals(program.command("output").description("show output values").argument("[name]"))
    .option("--json", "machine-readable output")
    .option("--raw", "print a string output without quotes")
    .action(lazy(() => import("./commands/output.js"), setCode));

  globals(program.command("nodes").alias("inventory").description("list what each configured node holds: storages, bridges, templates, containers"))
    .option("--json", "machine-readable output")
    .action(lazy(() => import("./commands/nodes.js"), setCode));

  const audit = program.command("audit").description("the hash-chained log of apply and destroy runs kept beside the state");
  for (const [name, desc] of [
    ["verify", "check the log's hash chain; names the first broken record (exit 1)"],
    ["list", "list the recorded runs"],
  ] as const) {
    globals(audit.command(name).description(desc))
      .option("--json", "machine-readable output")
      .action(lazy(async () => ({ run: (await import("./commands/audit.js")).commands[name] }), setCode));
  }

  globals(program.command("approve").description("approve a saved plan for pmxform mcp's apply_plan (a person runs this)").argument("<plan>", "plan file, or a plan id from pmxform mcp"))
    .option("--auto-approve", "do not ask for confirmation (scripts)")
    .action(lazy(() => import("./commands/approve.js"), setCode));

  globals(program.command("mcp").description("serve this project to AI agents over the Model Context Protocol (stdio)"))
    .option("--allow-apply", "offer apply_plan (approved or confirmed plans only)")
    .option("--dir <dir>", "the project directory (default: the working directory)")
    .action(lazy(() => import("./commands/mcp.js"), setCode));

  globals(program.command("ui").description("serve a local web view: resources, plans, drift, state and history (docs/ui.md)"))
    .option("--port <n>", "port on 127.0.0.1 (default: a free one)")
    .option("--no-open", "do not open a browser")
    .option("--var <k=v>", "set a variable for the plans it makes (repeatable)", collect)
    .option("--var-file <file>", "read variables for the plans it makes from a file (repeatable)", collect)
    .action(lazy(() => import("./commands/ui.js"), setCode));

  globals(program.command("graph").description("print the dependency graph as DOT")).action(lazy(() => import("./commands/graph.js"), setCode));

  globals(program.command("force-unlock").description("remove a stale state lock").argument("<lock_id>"))
    .option("--force", "do not ask for confirmation")
    .action(lazy(() => import("./commands/force-unlock.js"), setCode));

  const sim = program.command("sim").description("the built-in simulated Proxmox cluster");
  sim
    .command("init")
    .description("create a simulated cluster in DIR")
    .argument("<dir>")
    .option("--nodes <list>", "comma-separated node names", "pve1")
    .option("--latency-ms <n>", "delay added to every simulated invocation", "0")
    .option("--force", "re-create DIR if it exists")
    .option("--zfs-pool <name...>", "an extra ZFS pool on every node, besides rpool (repeatable or comma-separated, e.g. tank)")
    .action(lazy(() => import("./commands/sim.js"), setCode));

  pointHelpAtEachCommand(program, []);
  return program;
}

/** A mistake in `pmxform state mv` names `pmxform state mv --help`, not the top-level help. */
function pointHelpAtEachCommand(cmd: Command, path: string[]): void {
  cmd.showHelpAfterError(`(run pmxform ${[...path, "--help"].join(" ")} for usage)`);
  for (const sub of cmd.commands) pointHelpAtEachCommand(sub, [...path, sub.name()]);
}
