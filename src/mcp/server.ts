// `pmxform mcp`: the Model Context Protocol server over stdio (the official SDK). Read-only tools
// always; apply_plan only with --allow-apply. stdout belongs to the protocol, so nothing here
// writes to it: every tool runs the CLI as a child process (cli.ts).
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { pmxformVersion } from "../state/version.js";
import { registerApplyTool } from "./apply-tool.js";
import type { CliHost } from "./cli.js";
import { registerReadTools } from "./read-tools.js";

export interface McpOptions {
  host: CliHost;
  allowApply: boolean;
  /** The install's root (catalog detection). */
  installRoot: string;
}

export function buildServer(o: McpOptions): McpServer {
  const server = new McpServer(
    { name: "pmxform", version: pmxformVersion() },
    {
      instructions:
        "pmxform plans and applies Proxmox VE containers from a configuration. Plan first (plan), review (show_plan, explain_change), and apply only a saved plan by id (apply_plan), which needs a person's approval.",
    },
  );
  registerReadTools(server, o.host, o.installRoot);
  if (o.allowApply) registerApplyTool(server, o.host);
  return server;
}

/** Serves on stdin/stdout until the client closes the connection. */
export async function serveStdio(o: McpOptions): Promise<void> {
  const server = buildServer(o);
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
  });
  await server.connect(new StdioServerTransport());
  await closed;
  await server.close().catch(() => undefined);
}
