// Debian's Chromium driven by playwright-core for the UI tests: no browser download, a fresh
// profile per launch, and the UI server (`pmxform ui`) started as a real child process.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { chromium, type BrowserContext } from "playwright-core";
import { BIN } from "../e2e/helpers.js";

export const CHROMIUM = "/usr/bin/chromium";
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const NO_CHROMIUM = `${CHROMIUM} is missing: install Debian's chromium package to run the browser tests`;

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "pmx-ui-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1200, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface UiProcess {
  child: ChildProcess;
  url: string;
  origin: string;
  token: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts `pmxform ui --no-open` in `cwd` and waits for the URL it prints. */
export function startUi(cwd: string, extra: string[] = []): Promise<UiProcess> {
  const child = spawn(process.execPath, [BIN, "ui", "--no-open", ...extra], { cwd, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding("utf8").on("data", (c: string) => (err += c));
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      out += c;
      const m = /(http:\/\/127\.0\.0\.1:(\d+))\/\?token=([A-Za-z0-9_-]+)/.exec(out);
      if (m)
        resolve({
          child,
          url: m[0],
          origin: m[1]!,
          port: Number(m[2]),
          token: m[3]!,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once("exit", () => done());
              child.kill("SIGTERM");
            }),
        });
    });
    child.once("exit", (code) => reject(new Error(`pmxform ui exited (${code}) before printing its URL:\n${out}\n${err}`)));
  });
}
