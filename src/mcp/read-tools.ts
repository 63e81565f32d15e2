// The MCP server's read-only tools: validate, plan (saves a plan file the agent refers to by id),
// show_plan, explain_change, drift, state_list, state_show and, when this install has a catalog,
// catalog_list. None changes infrastructure; each is one run of the CLI with --json.
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { isPlanId, newPlanId, planPath, sha256OfFile, PLANS_DIR } from "./approvals.js";
import { jsonOf, runCli, type CliHost } from "./cli.js";
import { changeList, cliFailed, countsOf, ok, refused } from "./results.js";

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true } as const;

const planIdArg = z.string().describe("a plan id returned by the plan tool");

/** The saved plan of `id`, or a refusal naming what is wrong. */
export function savedPlan(host: CliHost, id: string): { path: string } | { refusal: ReturnType<typeof refused> } {
  // Quoted as JSON and cut short: the id may hold control characters or be megabytes long.
  const shown = JSON.stringify(id.length > 120 ? `${id.slice(0, 120)}…` : id);
  if (!isPlanId(id)) return { refusal: refused("Not a plan id", `${shown} is not a plan id (letters, digits, ".", "_" and "-", at most 100, no ".."). Use the plan_id the plan tool returned.`) };
  const path = planPath(host.dir, id);
  if (!existsSync(path)) return { refusal: refused("No such plan", `There is no plan ${id} in ${join(host.dir, PLANS_DIR)}. Make one with the plan tool.`) };
  return { path };
}

async function showPlan(host: CliHost, id: string): Promise<{ doc: Record<string, unknown> } | { refusal: ReturnType<typeof refused> }> {
  const found = savedPlan(host, id);
  if ("refusal" in found) return found;
  const out = await runCli(host, ["show", "--json", found.path]);
  const doc = jsonOf(out);
  if (out.code !== 0 || !doc) return { refusal: cliFailed("show", out) };
  return { doc };
}

interface StateResource {
  address: string;
  values?: unknown;
}
interface StateModule {
  resources?: StateResource[];
  child_modules?: StateModule[];
}

function resourcesOf(m: StateModule | undefined): StateResource[] {
  if (!m) return [];
  return [...(m.resources ?? []), ...(m.child_modules ?? []).flatMap(resourcesOf)];
}

async function stateDoc(host: CliHost): Promise<{ resources: StateResource[] } | { refusal: ReturnType<typeof refused> }> {
  const out = await runCli(host, ["show", "--json"]);
  const doc = jsonOf(out);
  if (out.code !== 0 || !doc) return { refusal: cliFailed("show", out) };
  const values = doc["values"] as { root_module?: StateModule } | undefined;
  return { resources: resourcesOf(values?.root_module) };
}

/** Whether this install ships the app catalog (<install root>/catalog/<app>/, docs/catalog.md); the tool exists only then. */
export function hasCatalog(installRoot: string): boolean {
  return existsSync(join(installRoot, "catalog"));
}

export function registerReadTools(server: McpServer, host: CliHost, installRoot: string): void {
  server.registerTool(
    "validate",
    { title: "Validate the configuration", description: "Checks the project's configuration without reading state or nodes. Returns pmxform validate --json.", annotations: READ_ONLY },
    async () => {
      const out = await runCli(host, ["validate", "--json"]);
      const doc = jsonOf(out);
      return doc ? { ...ok(doc), ...(out.code ? { isError: true } : {}) } : cliFailed("validate", out);
    },
  );

  server.registerTool(
    "plan",
    {
      title: "Plan",
      description:
        "Refreshes and plans the project, saving the plan as .pmxform/plans/<plan_id>.plan. Returns plan_id, the plan file's sha256, summary counts and the changes. Apply it with apply_plan after a person approves it (pmxform approve <plan_id>).",
      inputSchema: {
        destroy: z.boolean().optional().describe("plan to destroy everything"),
        targets: z.array(z.string()).optional().describe("limit to these resource addresses and their dependencies"),
      },
      annotations: READ_ONLY,
    },
    async ({ destroy, targets }) => {
      const id = newPlanId();
      const path = planPath(host.dir, id);
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const args = ["plan", "--json", "--out", path, ...(destroy ? ["--destroy"] : []), ...(targets ?? []).flatMap((t) => ["--target", t])];
      const out = await runCli(host, args);
      const doc = jsonOf(out);
      if (out.code !== 0 || !doc || !existsSync(path)) return cliFailed("plan", out);
      return ok({
        plan_id: id,
        sha256: sha256OfFile(path),
        summary: doc["summary"] ?? countsOf(doc),
        changes: changeList(doc),
        volume_deletions: doc["volume_deletions"] ?? [],
        diagnostics: doc["diagnostics"] ?? [],
      });
    },
  );

  server.registerTool(
    "show_plan",
    { title: "Show a saved plan", description: "A saved plan as pmxform show -json prints it (Terraform's plan JSON; secrets are null).", inputSchema: { plan_id: planIdArg }, annotations: READ_ONLY },
    async ({ plan_id }) => {
      const shown = await showPlan(host, plan_id);
      return "refusal" in shown ? shown.refusal : ok(shown.doc);
    },
  );

  server.registerTool(
    "explain_change",
    {
      title: "Explain one planned change",
      description: "One resource's change in a saved plan: actions, before, after, what is unknown until apply, and the reasons (forces replacement, requires restart).",
      inputSchema: { plan_id: planIdArg, address: z.string().describe("the resource address, e.g. lxc_container.web") },
      annotations: READ_ONLY,
    },
    async ({ plan_id, address }) => {
      const shown = await showPlan(host, plan_id);
      if ("refusal" in shown) return shown.refusal;
      const changes = (shown.doc["resource_changes"] ?? []) as { address: string }[];
      const rc = changes.find((c) => c.address === address);
      if (!rc) return refused("No such change", `Plan ${plan_id} has no change for ${address}. Its addresses: ${changes.map((c) => c.address).join(", ") || "(none)"}.`);
      const deletions = ((shown.doc["volume_deletions"] ?? []) as { address: string }[]).filter((d) => d.address === address);
      return ok({ ...rc, ...(deletions.length ? { volume_deletions: deletions } : {}) });
    },
  );

  server.registerTool(
    "drift",
    {
      title: "Drift",
      description: "What changed on the nodes outside pmxform (a refresh-only plan; nothing is saved or changed).",
      inputSchema: {},
      annotations: READ_ONLY,
    },
    async () => {
      const out = await runCli(host, ["plan", "--refresh-only", "--json"]);
      const doc = jsonOf(out);
      if (out.code !== 0 || !doc) return cliFailed("drift", out);
      const drift = (doc["resource_drift"] ?? []) as { address: string; change: { actions: string[] } }[];
      return ok({ drifted: drift.length, resource_drift: drift, diagnostics: doc["diagnostics"] ?? [] });
    },
  );

  server.registerTool("state_list", { title: "List the state", description: "The addresses of the resources the state manages.", inputSchema: {}, annotations: READ_ONLY }, async () => {
    const st = await stateDoc(host);
    return "refusal" in st ? st.refusal : ok({ resources: st.resources.map((r) => r.address) });
  });

  server.registerTool(
    "state_show",
    {
      title: "Show one resource of the state",
      description: "One managed resource's recorded attributes (secrets are null).",
      inputSchema: { address: z.string().describe("the resource address, e.g. lxc_container.web") },
      annotations: READ_ONLY,
    },
    async ({ address }) => {
      const st = await stateDoc(host);
      if ("refusal" in st) return st.refusal;
      const r = st.resources.find((x) => x.address === address);
      return r ? ok(r) : refused("Not in the state", `The state has no ${address}. Its resources: ${st.resources.map((x) => x.address).join(", ") || "(none)"}.`);
    },
  );

  if (hasCatalog(installRoot))
    server.registerTool(
      "catalog_list",
      {
        title: "List the app catalog",
        description: "The apps of pmxform's catalog (pmxform catalog list --json): ready-made modules a configuration can use.",
        inputSchema: { category: z.string().optional().describe("only apps of this category") },
        annotations: READ_ONLY,
      },
      async ({ category }) => {
        const out = await runCli(host, ["catalog", "list", "--json", ...(category ? ["--category", category] : [])], { projectFlags: false });
        const doc = jsonOf(out);
        return out.code === 0 && doc ? ok(doc) : cliFailed("catalog list", out);
      },
    );
}
