// Worker for hostile-fuzz.test.ts: validates one configuration directory at a time with the built
// pipeline (load, decode, variables, evaluation: what `pmxform validate` runs) and reports its
// diagnostics, or the exception that escaped. Runs under the resource limits its parent set.
import { parentPort, workerData } from "node:worker_threads";
import { join } from "node:path";

const dist = (p) => import(join(workerData.root, "dist", p));
const [{ buildRegistry }, { openSession }, { validateWithUnknowns }] = await Promise.all([dist("src/registry-wiring.js"), dist("src/engine/session.js"), dist("src/engine/walk-config.js")]);
const registry = await buildRegistry();

// Ranges may compute their positions lazily (getters do not survive postMessage).
const plainPos = (p) => ({ line: p.line, column: p.column, offset: p.offset });
const plainRange = (r) => (r ? { file: r.file ?? r.filename, start: plainPos(r.start), end: plainPos(r.end) } : undefined);

parentPort.on("message", async ({ id, dir }) => {
  try {
    const { session, diagnostics } = await openSession({ chdir: dir }, registry, { variables: "unknown" });
    const all = [...diagnostics, ...(session ? validateWithUnknowns(session.evaluation) : [])];
    parentPort.postMessage({ id, diagnostics: all.map((d) => ({ severity: d.severity, summary: d.summary, detail: d.detail ?? "", subject: plainRange(d.subject) })) });
  } catch (e) {
    parentPort.postMessage({ id, thrown: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e) });
  }
});
parentPort.postMessage({ ready: true });
