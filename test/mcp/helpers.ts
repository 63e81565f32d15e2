// An MCP client (the official SDK's) talking to `node bin/pmxform.js mcp` over stdio in a
// simulator working directory; every tool result's text is kept so tests can search all of it.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema, type CallToolResult, type ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import { BIN, SIM_NODE, container, type Workdir } from "../e2e/helpers.js";

export const SECRET = "Hunter2-Sup3r-Secret";

export const CONFIG =
  SIM_NODE +
  `variable "pw" {\n  type      = string\n  sensitive = true\n}\nvariable "mem" {\n  type    = number\n  default = 512\n}\n` +
  container("app", `  vmid     = 170\n  hostname = "app"\n  memory   = var.mem\n  password = var.pw`) +
  `output "pw_back" {\n  value     = var.pw\n  sensitive = true\n}\n`;

export interface Session {
  client: Client;
  /** Every tool result's text so far. */
  texts: string[];
  /** Every progress message received so far (also searched for secrets). */
  progress: string[];
  call(name: string, args?: Record<string, unknown>): Promise<{ result: CallToolResult; json: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function connect(w: Workdir, flags: string[] = [], elicit?: (message: string) => ElicitResult, cwd = w.dir, extraEnv: Record<string, string> = {}): Promise<Session> {
  const client = new Client({ name: "pmxform-test", version: "1.0.0" }, { capabilities: elicit ? { elicitation: {} } : {} });
  if (elicit) client.setRequestHandler(ElicitRequestSchema, (req) => elicit(req.params.message));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, "mcp", ...flags],
    cwd,
    env: { ...env, NO_COLOR: "1", PMXFORM_VAR_pw: SECRET, ...extraEnv },
    stderr: "pipe",
  });
  await client.connect(transport);
  const texts: string[] = [];
  const progress: string[] = [];
  return {
    client,
    texts,
    progress,
    async call(name, args = {}) {
      const result = (await client.callTool({ name, arguments: args }, undefined, {
        onprogress: (p) => {
          if (p.message) progress.push(p.message);
        },
        resetTimeoutOnProgress: true,
      })) as CallToolResult;
      const text = result.content.map((c) => (c.type === "text" ? c.text : JSON.stringify(c))).join("\n");
      texts.push(text);
      return { result, json: JSON.parse(text) as Record<string, unknown> };
    },
    close: () => client.close(),
  };
}
