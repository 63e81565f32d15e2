// `pmxform ui [--port N] [--no-open]`: serves the local web view (src/ui/server.ts) until Ctrl-C,
// printing the URL that carries this run's access token.
import { spawn } from "node:child_process";
import { error } from "../diag/diagnostic.js";
import type { CommonOptions } from "../engine/session.js";
import { startUiServer, type UiServer } from "../ui/server.js";
import { printDiagnostics } from "./output-format.js";

type Opts = CommonOptions & { port?: string; open?: boolean };

/** Hands the URL to the desktop's browser; a machine without one (a server, CI) just has the printed URL. */
function openBrowser(url: string): void {
  const opener = process.platform === "darwin" ? "open" : process.platform === "win32" ? undefined : "xdg-open";
  if (!opener) return;
  const child = spawn(opener, [url], { detached: true, stdio: "ignore" });
  child.on("error", () => {});
  child.unref();
}

export async function run(opts: Opts): Promise<number> {
  const port = opts.port === undefined ? 0 : Number(opts.port);
  if (!/^\d+$/.test(opts.port ?? "0") || port > 65535) {
    printDiagnostics([error("Invalid --port", `"${opts.port}" is not a port number: give a whole number from 1 to 65535, or leave --port out for a free one.`)], opts);
    return 1;
  }
  let ui: UiServer;
  try {
    ui = await startUiServer({ opts, cwd: process.cwd(), port });
  } catch (e) {
    const code = (e as { code?: string }).code;
    printDiagnostics(
      [
        error(
          "Cannot start the web view",
          code === "EADDRINUSE" ? `Port ${port} on 127.0.0.1 is in use: choose another with --port, or leave --port out for a free one.` : `${e instanceof Error ? e.message : String(e)}.`,
        ),
      ],
      opts,
    );
    return 1;
  }
  process.stdout.write(`pmxform ui is serving ${process.cwd()}\n\n    ${ui.url}\n\nThe address carries this run's access token: anyone with it can plan and apply here. Press Ctrl-C to stop.\n`);
  if (opts.open !== false) openBrowser(ui.url);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await ui.close();
  return 0;
}
