// `pmxform ui`'s HTTP server on 127.0.0.1: every request passes the guard (auth.ts), pages are
// rendered on each request from fresh reads, and plans and applies run as child CLI processes
// (one at a time) whose output is streamed to the job page over Server-Sent Events.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CommonOptions } from "../engine/session.js";
import { asPlanDoc, countsPhrase, planCounts } from "../report/plan-doc.js";
import { renderPlanHtml } from "../report/html.js";
import { checkRequest, newSecrets, sameSecret, tokenCookie, type Secrets } from "./auth.js";
import { runCli } from "./cli-process.js";
import { REFRESH_PROGRESS_PREFIX } from "../commands/refresh-progress.js";
import { confirmationMatches } from "./confirm.js";
import { readHistory } from "./history.js";
import { JobBoard, type Job } from "./jobs.js";
import { driftPage, historyPage, jobPage, messagePage, planPage, resourcesPage, statePage, type LatestPlan, type PageContext } from "./pages.js";
import { globalArgs, readConfiguration, readNodes, readState, variableArgs, variableEnv } from "./project.js";

export interface UiServerOptions {
  opts: CommonOptions;
  /** The project directory: children run there. */
  cwd: string;
  /** 0 picks a free port. */
  port: number;
}

export interface UiServer {
  port: number;
  /** The URL to open: carries the access token. */
  url: string;
  close(): Promise<void>;
}

const MAX_FORM_BYTES = 64 * 1024;

class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    if (!(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
      reject(new HttpRefusal(415, "forms are posted as application/x-www-form-urlencoded"));
      return;
    }
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_FORM_BYTES) {
        reject(new HttpRefusal(413, "form too large"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(new URLSearchParams(Buffer.concat(chunks).toString("utf8"))));
    req.on("error", reject);
  });
}

function securityHeaders(nonce: string): Record<string, string> {
  return {
    "content-security-policy": `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    // Not no-referrer: under it Chromium sends `Origin: null` with same-origin form posts, which the guard refuses.
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
  };
}

export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const secrets: Secrets = newSecrets();
  const board = new JobBoard();
  const planDir = mkdtempSync(join(tmpdir(), "pmxform-ui-"));
  const globals = globalArgs(options.opts);
  let latest: LatestPlan | undefined;
  let port = options.port;
  let closing = false;

  const pageContext = (): PageContext => ({ nonce: randomBytes(16).toString("base64"), csrf: secrets.csrf, dir: options.cwd });

  async function planJob(job: Job): Promise<void> {
    const file = join(planDir, `${job.id}.out`);
    job.push("info", "$ pmxform plan -out PLANFILE");
    // The plan reports each node's refresh on stderr (PMXFORM_PROGRESS): the page shows them live
    // as progress rather than as errors, instead of nothing until the whole cluster is read.
    const run = runCli(["plan", "--out", file, "--no-color", ...globals, ...variableArgs(options.opts)], {
      cwd: options.cwd,
      env: { PMXFORM_PROGRESS: "1" },
      onLine: (s, l) => job.push(s === "stderr" && l.startsWith(REFRESH_PROGRESS_PREFIX) ? "progress" : s, l),
    });
    job.child = { process: run.child, exited: run.done };
    const r = await run.done;
    if (r.code !== 0) return job.finish({ ok: false, code: r.code, message: `Plan failed (exit ${r.code}): see its output above.`, next: "/plan" });
    if (closing) return job.finish({ ok: false, code: r.code, message: "pmxform ui is stopping.", next: "/plan" });
    const shown = await runCli(["show", "--json", file], { cwd: options.cwd }).done;
    let doc;
    try {
      doc = asPlanDoc(JSON.parse(shown.stdout));
    } catch {
      doc = undefined;
    }
    if (shown.code !== 0 || !doc) return job.finish({ ok: false, code: shown.code, message: `Could not read the saved plan back: ${shown.stderr.trim() || "not a plan document"}`, next: "/plan" });
    latest = { id: job.id, file, doc, counts: countsPhrase(planCounts(doc)), made: new Date().toISOString() };
    job.finish({ ok: true, code: 0, message: "Plan complete.", next: "/plan" });
  }

  async function applyJob(job: Job, plan: LatestPlan): Promise<void> {
    job.push("info", `$ pmxform apply -auto-approve PLANFILE   (plan ${plan.id}: ${plan.counts})`);
    // Sensitive variables are not in a saved plan: apply is given them again (and checks their digest).
    const run = runCli(["apply", "--auto-approve", "--no-color", ...globals, plan.file], { cwd: options.cwd, env: variableEnv(options.opts), onLine: (s, l) => job.push(s, l) });
    job.child = { process: run.child, exited: run.done };
    const r = await run.done;
    job.finish(
      r.code === 0 ? { ok: true, code: 0, message: "Apply complete.", next: "/" } : { ok: false, code: r.code, message: `Apply failed (exit ${r.code}): see its output above.`, next: "/plan" },
    );
  }

  function send(res: ServerResponse, status: number, html: string, nonce: string, extra: Record<string, string> = {}): void {
    res.writeHead(status, { "content-type": "text/html; charset=utf-8", ...securityHeaders(nonce), ...extra });
    res.end(html);
  }

  function redirect(res: ServerResponse, location: string, extra: Record<string, string> = {}): void {
    res.writeHead(303, { location, "cache-control": "no-store", "referrer-policy": "same-origin", ...extra });
    res.end();
  }

  function events(req: IncomingMessage, res: ServerResponse, job: Job): void {
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive", "x-content-type-options": "nosniff" });
    const stop = job.follow((e) => {
      const name = e.type === "line" && e.line.stream === "progress" ? "progress" : e.type;
      res.write(`event: ${name}\ndata: ${JSON.stringify(e.type === "line" ? e.line : e.result)}\n\n`);
      if (e.type === "done") res.end();
    });
    req.on("close", stop);
  }

  async function postForm(req: IncomingMessage): Promise<URLSearchParams> {
    const form = await readForm(req);
    if (!sameSecret(form.get("csrf") ?? undefined, secrets.csrf)) throw new HttpRefusal(403, "the form's CSRF token is missing or wrong: reload the page and try again");
    return form;
  }

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const ctx = pageContext();
    const method = req.method ?? "GET";
    const path = url.pathname;
    if (method === "GET" && path === "/") {
      const [config, state, live] = await Promise.all([readConfiguration({ ...options.opts, chdir: options.cwd }), readState(options.opts, options.cwd), readNodes(options.opts, options.cwd)]);
      return send(res, 200, resourcesPage(ctx, config, state, live), ctx.nonce);
    }
    if (method === "GET" && path === "/favicon.ico") return void res.writeHead(204).end();
    if (method === "GET" && path === "/plan") return send(res, 200, planPage(ctx, latest, board.active()), ctx.nonce);
    if (method === "GET" && path === "/drift") return send(res, 200, driftPage(ctx, latest), ctx.nonce);
    if (method === "GET" && path === "/state") return send(res, 200, statePage(ctx, await readState(options.opts, options.cwd)), ctx.nonce);
    if (method === "GET" && path === "/history") {
      const history = await readHistory({ ...options.opts, chdir: options.cwd });
      return send(res, 200, historyPage(ctx, history.entries, history.where), ctx.nonce);
    }
    // The latest plan as the standalone report `show -html` writes, to keep or attach elsewhere.
    if (method === "GET" && latest && path === `/plans/${latest.id}.html`) {
      res.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "content-disposition": `attachment; filename="pmxform-${latest.id}.html"`,
        ...securityHeaders(ctx.nonce),
      });
      return void res.end(renderPlanHtml(latest.doc, { title: `pmxform plan ${latest.id}` }));
    }
    const jobMatch = /^\/(jobs|events)\/([a-z]+-\d+)$/.exec(path);
    if (method === "GET" && jobMatch) {
      const job = board.get(jobMatch[2]!);
      if (!job) return send(res, 404, messagePage(ctx, "Not found", "No such job."), ctx.nonce);
      return jobMatch[1] === "events" ? events(req, res, job) : send(res, 200, jobPage(ctx, job), ctx.nonce);
    }
    if (method === "POST" && path === "/plan") {
      await postForm(req);
      const job = board.start("plan");
      if (!job) return send(res, 409, messagePage(ctx, "Busy", "Another plan or apply is running: wait for it to end."), ctx.nonce);
      void planJob(job);
      return redirect(res, `/jobs/${job.id}`);
    }
    if (method === "POST" && path === "/apply") {
      const form = await postForm(req);
      const plan = latest;
      const refuse = (status: number, why: string) => send(res, status, planPage(ctx, latest, board.active(), why), ctx.nonce);
      if (!plan || form.get("plan") !== plan.id) return refuse(409, "This is not the latest plan made in this page: review the latest one, or make a new plan.");
      if (plan.appliedBy) return refuse(409, "This plan was applied already: make a new plan.");
      if (!confirmationMatches(form.get("confirm") ?? "", plan.counts)) return refuse(400, `Not applied: the confirmation must be the plan's counts, "${plan.counts}".`);
      const job = board.start("apply");
      if (!job) return refuse(409, "Another plan or apply is running: wait for it to end.");
      plan.appliedBy = job.id;
      void applyJob(job, plan);
      return redirect(res, `/jobs/${job.id}`);
    }
    send(res, method === "GET" || method === "POST" ? 404 : 405, messagePage(ctx, "Not found", `Nothing at ${method} ${path}.`), ctx.nonce);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const verdict = checkRequest(req, url, port, secrets);
    if (!verdict.ok) {
      res.writeHead(403, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
      res.end(`Forbidden: ${verdict.why}.\n`);
      return;
    }
    const cookie: Record<string, string> = verdict.tokenFromUrl ? { "set-cookie": tokenCookie(secrets) } : {};
    if (verdict.tokenFromUrl && req.method === "GET") {
      // The token leaves the address bar (and history) as soon as the cookie holds it.
      url.searchParams.delete("token");
      return redirect(res, url.pathname + (url.search || ""), cookie);
    }
    route(req, res, url).catch((e: unknown) => {
      const status = e instanceof HttpRefusal ? e.status : 500;
      if (res.headersSent) return void res.end();
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
      res.end(`${status === 500 ? "Internal error (a bug in pmxform ui): " : "Refused: "}${e instanceof Error ? e.message : String(e)}\n`);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  port = typeof address === "object" && address ? address.port : options.port;

  return {
    port,
    url: `http://127.0.0.1:${port}/?token=${secrets.token}`,
    async close() {
      closing = true;
      const running = board.active();
      // A plan or apply in progress is interrupted as Ctrl-C would (the CLI stops cleanly and releases the lock).
      if (running?.child) {
        if (running.child.process.exitCode === null) running.child.process.kill("SIGINT");
        await running.child.exited;
      }
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(planDir, { recursive: true, force: true });
    },
  };
}
