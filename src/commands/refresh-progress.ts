// Refresh progress as stderr lines, only under PMXFORM_PROGRESS=1: the web view sets it on the
// plan it runs so a page shows each node being read instead of nothing until the plan is ready.
// Off by default, so a person's (and every test's) output is unchanged. The line format is
// stable (the web view recognises it by its "refresh: " prefix): see docs/ui.md.
import type { RefreshProgress } from "../engine/refresh.js";

export const REFRESH_PROGRESS_PREFIX = "refresh: ";

export function refreshProgressLine(e: RefreshProgress): string {
  const what = e.step === "read" ? `${e.node} ${e.provider ?? ""}`.trimEnd() : e.node;
  if (e.phase === "start") return `${REFRESH_PROGRESS_PREFIX}${what} ${e.step === "read" ? "reading" : "checking"}...`;
  if (e.phase === "done") return `${REFRESH_PROGRESS_PREFIX}${what} ${e.step === "read" ? "read" : "answered"} in ${e.ms ?? 0} ms`;
  return `${REFRESH_PROGRESS_PREFIX}${what} failed after ${e.ms ?? 0} ms: ${e.error ?? "unknown error"}`;
}

/** The run option that prints progress, when the environment asks for it. */
export function refreshProgressOption(env: NodeJS.ProcessEnv = process.env): { onRefreshProgress?: (e: RefreshProgress) => void } {
  if (env.PMXFORM_PROGRESS !== "1") return {};
  return { onRefreshProgress: (e) => void process.stderr.write(refreshProgressLine(e) + "\n") };
}
