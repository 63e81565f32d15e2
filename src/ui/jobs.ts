// The web view's long-running work (a plan, an apply): one at a time, each with its output lines
// kept for pages opened later and pushed to Server-Sent-Events subscribers as they arrive.
import type { ChildProcess } from "node:child_process";

export type JobKind = "plan" | "apply";

export interface JobLine {
  /** "progress": a refresh step of the plan (sent as its own SSE event, shown apart from the log). */
  stream: "stdout" | "stderr" | "info" | "progress";
  text: string;
}

export interface JobResult {
  ok: boolean;
  code: number;
  message: string;
  /** Where the page goes when the job is over. */
  next: string;
}

export type JobEvent = { type: "line"; line: JobLine } | { type: "done"; result: JobResult };

export class Job {
  readonly lines: JobLine[] = [];
  result?: JobResult;
  /** The CLI child doing the work, and when it has exited (shutdown waits for it). */
  child?: { process: ChildProcess; exited: Promise<unknown> };
  private readonly listeners = new Set<(e: JobEvent) => void>();

  constructor(
    readonly id: string,
    readonly kind: JobKind,
  ) {}

  push(stream: JobLine["stream"], text: string): void {
    const line = { stream, text };
    this.lines.push(line);
    for (const l of this.listeners) l({ type: "line", line });
  }

  finish(result: JobResult): void {
    this.result = result;
    for (const l of this.listeners) l({ type: "done", result });
    this.listeners.clear();
  }

  /** Replays what happened so far, then follows; returns the unsubscribe function. */
  follow(listener: (e: JobEvent) => void): () => void {
    for (const line of this.lines) listener({ type: "line", line });
    if (this.result) {
      listener({ type: "done", result: this.result });
      return () => {};
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export class JobBoard {
  private readonly jobs = new Map<string, Job>();
  private seq = 0;
  private running?: Job;

  /** A new job, or undefined while another one runs (two applies must never race, and a plan during an apply would wait on the lock anyway). */
  start(kind: JobKind): Job | undefined {
    if (this.running && !this.running.result) return undefined;
    const job = new Job(`${kind}-${++this.seq}`, kind);
    this.jobs.set(job.id, job);
    this.running = job;
    return job;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  active(): Job | undefined {
    return this.running && !this.running.result ? this.running : undefined;
  }
}
