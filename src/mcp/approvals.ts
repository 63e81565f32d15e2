// Saved plans the MCP server makes (.pmxform/plans/<id>.plan) and the approvals a person gives
// them (.pmxform/approvals/<id>.json, written only by `pmxform approve`): names, hashes, records.
// An approval holds the sha256 of the plan file's bytes, so it approves exactly that file.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { atomicWrite } from "../state/store.js";

export const PLANS_DIR = ".pmxform/plans";
export const APPROVALS_DIR = ".pmxform/approvals";
const PLAN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export interface Approval {
  plan_id: string;
  plan_hash: string;
  user: string;
  time: string;
}

export function isPlanId(s: string): boolean {
  return PLAN_ID.test(s) && !s.includes("..");
}

/** A new plan id: sortable by time, unguessable enough that two agents never collide. */
export function newPlanId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "")}-${randomBytes(4).toString("hex")}`;
}

export function planPath(dir: string, id: string): string {
  return join(resolve(dir), PLANS_DIR, `${id}.plan`);
}

/** `pmxform approve ARG`: a plan id of .pmxform/plans, else a plan file (its id is its name less .plan). */
export function resolvePlanArg(dir: string, arg: string): { id: string; path: string } {
  if (isPlanId(arg) && existsSync(planPath(dir, arg))) return { id: arg, path: planPath(dir, arg) };
  const path = resolve(dir, arg);
  return { id: basename(path).replace(/\.plan$/, ""), path };
}

export function sha256OfFile(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

export function sha256OfBytes(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function approvalPath(dir: string, id: string): string {
  return join(resolve(dir), APPROVALS_DIR, `${id}.json`);
}

export async function writeApproval(dir: string, a: Approval): Promise<string> {
  const path = approvalPath(dir, a.plan_id);
  mkdirSync(join(resolve(dir), APPROVALS_DIR), { recursive: true, mode: 0o700 });
  await atomicWrite(path, JSON.stringify(a, null, 2) + "\n", 0o600, "the approval");
  return path;
}

/**
 * The approval of plan `id`, or undefined when there is none (or it is not an approval of this
 * id). Only a regular file in a real approvals directory counts: `pmxform approve` never writes
 * through a symbolic link, so one there was planted, and may point where the approver never looked.
 */
export function readApproval(dir: string, id: string): Approval | undefined {
  if (!isPlanId(id)) return undefined;
  const path = approvalPath(dir, id);
  try {
    if (!lstatSync(join(resolve(dir), APPROVALS_DIR)).isDirectory() || !lstatSync(path).isFile()) return undefined;
    const a = JSON.parse(readFileSync(path, "utf8")) as Partial<Approval>;
    const wellFormed = typeof a.plan_id === "string" && typeof a.plan_hash === "string" && typeof a.user === "string" && typeof a.time === "string";
    // The record names the plan it approves: one copied under another id approves nothing.
    return wellFormed && a.plan_id === id ? (a as Approval) : undefined;
  } catch {
    return undefined;
  }
}

/** Spends an approval once its plan was applied: it is single-use, a replay finds none. */
export function consumeApproval(dir: string, id: string): void {
  if (isPlanId(id)) rmSync(approvalPath(dir, id), { force: true });
}
