// What shares the refresh reads from each node: one `grep -rHs ""` per node prints every line of
// smb.conf, pmxform's index, its share directory and /etc/exports.d prefixed with the file's
// name, so the process count does not grow with the number of shares. Parsing is pure.
import type { Runner } from "../../src/exec/runner.js";
import type { RefreshContext } from "../../src/provider/types.js";
import { EXPORTS_DIR, SMB_CONF, SMB_DIR, SMB_INDEX } from "./paths.js";

export interface NodeShares {
  /** smb.conf's text, undefined when the node has none (no Samba installed). */
  smbConf?: string;
  /** pmxform's index, undefined when absent. */
  index?: string;
  /** File name below SMB_DIR -> text. */
  smb: Map<string, string>;
  /** File name below EXPORTS_DIR -> text. */
  nfs: Map<string, string>;
}

/** node -> its shares, or why they could not be read (then entries keep what the state recorded). */
export type SharesSnapshot = Map<string, NodeShares | { error: string }>;

export const SHARE_TYPES = ["smb_share", "nfs_share"];

export const readSharesArgv = (): string[] => ["grep", "-rHs", "", "--", SMB_CONF, SMB_INDEX, SMB_DIR, EXPORTS_DIR];

/** grep -H's "FILE:LINE" output, grouped back into files (grep prints a file's lines in order, one file at a time). */
export function parseSharesDump(stdout: string): NodeShares {
  const files = new Map<string, string[]>();
  for (const line of stdout.split("\n")) {
    const m = /^(\/etc\/samba\/smb\.conf|\/etc\/samba\/pmxform\.conf|\/etc\/samba\/pmxform\.d\/[^/:]+|\/etc\/exports\.d\/[^/:]+):(.*)$/.exec(line);
    if (!m) continue;
    const list = files.get(m[1]!) ?? [];
    list.push(m[2]!);
    files.set(m[1]!, list);
  }
  const text = (path: string) => (files.has(path) ? files.get(path)!.join("\n") + "\n" : undefined);
  const out: NodeShares = { smb: new Map(), nfs: new Map() };
  const conf = text(SMB_CONF);
  const index = text(SMB_INDEX);
  if (conf !== undefined) out.smbConf = conf;
  if (index !== undefined) out.index = index;
  for (const path of files.keys()) {
    if (path.startsWith(SMB_DIR + "/")) out.smb.set(path.slice(SMB_DIR.length + 1), text(path)!);
    else if (path.startsWith(EXPORTS_DIR + "/")) out.nfs.set(path.slice(EXPORTS_DIR.length + 1), text(path)!);
  }
  return out;
}

/** One node's shares (one process). grep exits 1 when nothing matched and 2 when a path is missing: both still leave a usable dump. */
export async function readNodeShares(run: Runner, signal?: AbortSignal): Promise<NodeShares> {
  const r = await run.run(readSharesArgv(), { okCodes: [0, 1, 2], ...(signal ? { signal } : {}) });
  return parseSharesDump(r.stdout);
}

function sharesWanted(ctx: RefreshContext): boolean {
  if (!ctx.configuredTypes) return true;
  return SHARE_TYPES.some((t) => ctx.configuredTypes!.has(t)) || (ctx.priorResources ?? []).some((r) => SHARE_TYPES.includes(r.type));
}

/**
 * Every node's shares, read in parallel, when the run involves a share type (or cannot tell, as
 * import cannot): the nodes the run expects, else every node of the cluster.
 */
export async function readShares(nodes: string[], ctx: RefreshContext): Promise<SharesSnapshot | undefined> {
  if (!sharesWanted(ctx)) return undefined;
  const expected = ctx.expectedNodes?.length ? nodes.filter((n) => ctx.expectedNodes!.includes(n)) : nodes;
  const out: SharesSnapshot = new Map();
  await Promise.all(
    expected.map(async (n) => {
      try {
        out.set(n, await readNodeShares(ctx.runnerFor(n), ctx.signal));
      } catch (e) {
        out.set(n, { error: String((e as { stderr?: unknown }).stderr || (e as Error).message).trim() });
      }
    }),
  );
  return out;
}

export function sharesOf(snapshot: unknown, node: string): NodeShares | { error: string } | undefined {
  return (snapshot as { shares?: SharesSnapshot } | undefined)?.shares?.get(node);
}

const INCLUDE_RE = /^\s*include\s*=\s*\/etc\/samba\/pmxform\.conf\s*$/i;

/** Whether smb.conf includes pmxform's index (Samba: parameter names without case, spaces around "="). */
export function includesIndex(smbConf: string): boolean {
  return smbConf.split("\n").some((l) => INCLUDE_RE.test(l));
}

/**
 * Samba reads an include as if the file's text stood there (lib/param/loadparm.c handle_include):
 * after the index's last [share], parameters that follow the include line land in that share
 * (testparm: "Global parameter ... found in service section!"). So the line must be followed only
 * by a section header, comments or the end of the file. "missing", "misplaced" or undefined (fine).
 */
export function includeProblem(smbConf: string): "missing" | "misplaced" | undefined {
  const lines = smbConf.split("\n");
  const at = lines.findIndex((l) => INCLUDE_RE.test(l));
  if (at < 0) return "missing";
  const next = lines.slice(at + 1).find((l) => l.trim() && !/^\s*[#;]/.test(l));
  return next === undefined || /^\s*\[/.test(next) ? undefined : "misplaced";
}

/** The share files the index includes. */
export function indexIncludes(index: string | undefined): string[] {
  const out: string[] = [];
  for (const l of (index ?? "").split("\n")) {
    const m = /^\s*include\s*=\s*(\S.*?)\s*$/i.exec(l);
    if (m) out.push(m[1]!);
  }
  return out;
}
