// Diagnostics: the one way user-facing problems travel through pmxform.
// A diagnostic says what is wrong (summary), why and how to fix it (detail), and where (subject).

/** A position in a source file: 1-based line and column (columns count UTF-16 code units), 0-based byte offset. */
export interface Pos {
  line: number;
  column: number;
  offset: number;
}

/** A half-open source range [start, end) in one file. */
export interface Range {
  file: string;
  start: Pos;
  end: Pos;
}

export type Severity = "error" | "warning";

export interface Diagnostic {
  severity: Severity;
  summary: string;
  /** Longer explanation; should end with what the user can do about it. */
  detail?: string;
  /** Where the problem is, when it comes from a file. */
  subject?: Range;
  /** Wider context, e.g. the enclosing block, used for the "in resource ..." line. */
  context?: Range;
  /** The resource address involved, when there is one (e.g. lxc_container.web). */
  address?: string;
}

export function error(summary: string, detail?: string, subject?: Range, address?: string): Diagnostic {
  const d: Diagnostic = { severity: "error", summary };
  if (detail !== undefined) d.detail = detail;
  if (subject !== undefined) d.subject = subject;
  if (address !== undefined) d.address = address;
  return d;
}

export function warning(summary: string, detail?: string, subject?: Range, address?: string): Diagnostic {
  const d = error(summary, detail, subject, address);
  d.severity = "warning";
  return d;
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === "error");
}

/**
 * Thrown only to carry diagnostics out of deep code to a command boundary, which renders them.
 * Anything else thrown is a bug.
 */
export class DiagnosticsError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.summary).join("; "));
    this.name = "DiagnosticsError";
  }
}

/** Diagnostics in reading order: by file, line, column; those without a location last. */
export function sortDiagnostics(diags: readonly Diagnostic[]): Diagnostic[] {
  return [...diags].sort((a, b) => {
    if (!a.subject || !b.subject) return a.subject ? -1 : b.subject ? 1 : 0;
    if (a.subject.file !== b.subject.file) return a.subject.file < b.subject.file ? -1 : 1;
    return a.subject.start.line - b.subject.start.line || a.subject.start.column - b.subject.start.column;
  });
}
