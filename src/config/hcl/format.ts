// `pmxform fmt`'s layout engine: rewrites HCL text into the canonical layout of hclwrite's
// format (Terraform's `fmt`) — indentation from bracket nesting, `=` aligned within runs of
// single-line attributes, trailing comments aligned, no trailing blanks, one newline at EOF —
// while every string, heredoc and comment is copied byte for byte. It works on a light token
// stream, not on the parse tree, so it never drops anything the parser does not model; the
// caller parses first and formats only input without syntax errors.

/** One lexical piece of a line; strings, heredocs and comments are atoms that may span lines. */
interface Token {
  kind: "open" | "close" | "eq" | "comment" | "atom" | "text";
  text: string;
  /** Whether whitespace stood before this token in the input (kept where no rule decides). */
  spaced: boolean;
}

type Line = Token[];

const OPEN = new Set(["{", "[", "("]);
const CLOSE = new Set(["}", "]", ")"]);
/** Characters that end a run of plain text: brackets, `=` and what may start a string, comment, heredoc or `!=`/`>=`. */
const SPECIAL = new Set([...'{}[]()="#/<>!']);

/** Scans a quoted string from its opening quote, across `${ … }` / `%{ … }` holding nested strings. */
function quotedEnd(src: string, start: number): number {
  let i = start + 1;
  while (i < src.length) {
    const c = src[i];
    if (c === "\\") i += 2;
    else if (c === '"') return i + 1;
    else if ((c === "$" || c === "%") && src[i + 1] === "{") i = templateEnd(src, i + 2);
    else if (c === "\n")
      return i; // unterminated: the parser reports it; stop at the line end
    else i++;
  }
  return i;
}

/** Scans to the `}` closing a template interpolation or directive. */
function templateEnd(src: string, start: number): number {
  let depth = 1;
  let i = start;
  while (i < src.length && depth > 0) {
    const c = src[i];
    if (c === '"') i = quotedEnd(src, i);
    else {
      if (c === "{") depth++;
      else if (c === "}") depth--;
      i++;
    }
  }
  return i;
}

/** `<<EOF` / `<<-EOF` through the line holding only the end marker (that line's newline excluded). */
function heredocEnd(src: string, start: number): number | undefined {
  const m = /^<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/.exec(src.slice(start, start + 200));
  if (!m) return undefined;
  let i = start + m[0].length;
  while (i < src.length) {
    const nl = src.indexOf("\n", i);
    const lineEnd = nl === -1 ? src.length : nl;
    if (src.slice(i, lineEnd).trim() === m[1]) return lineEnd;
    i = lineEnd + 1;
  }
  return src.length;
}

/** Splits the source into lines of tokens; newlines inside atoms do not split. */
function lex(src: string): Line[] {
  const lines: Line[] = [[]];
  let spaced = false;
  let i = 0;
  const push = (kind: Token["kind"], end: number) => {
    (lines[lines.length - 1] as Line).push({ kind, text: src.slice(i, end), spaced });
    spaced = false;
    i = end;
  };
  while (i < src.length) {
    const c = src[i] as string;
    const next = src[i + 1];
    if (c === "\n") {
      lines.push([]);
      spaced = false;
      i++;
    } else if (c === " " || c === "\t" || c === "\r") {
      spaced = true;
      i++;
    } else if (c === "#" || (c === "/" && next === "/")) {
      const nl = src.indexOf("\n", i);
      const end = nl === -1 ? src.length : nl;
      push("comment", i + src.slice(i, end).trimEnd().length);
    } else if (c === "/" && next === "*") {
      const end = src.indexOf("*/", i + 2);
      push("comment", end === -1 ? src.length : end + 2);
    } else if (c === '"') {
      push("atom", quotedEnd(src, i));
    } else if (c === "<" && next === "<" && heredocEnd(src, i) !== undefined) {
      push("atom", heredocEnd(src, i) as number);
    } else if (OPEN.has(c)) {
      push("open", i + 1);
    } else if (CLOSE.has(c)) {
      push("close", i + 1);
    } else if (c === "=" && next !== "=" && next !== ">") {
      push("eq", i + 1);
    } else {
      // Everything else (names, numbers, operators, commas) runs up to the next blank or special.
      let j = i + 1;
      if ("=!<>".includes(c) && (next === "=" || (c === "=" && next === ">"))) j = i + 2;
      else while (j < src.length && !/\s/.test(src[j] as string) && !SPECIAL.has(src[j] as string) && !OPEN.has(src[j] as string) && !CLOSE.has(src[j] as string)) j++;
      push("text", j);
    }
  }
  return lines;
}

function bracketChange(t: Token): number {
  return t.kind === "open" ? 1 : t.kind === "close" ? -1 : 0;
}

/** hclwrite's spacing: braces padded (`{ a = 1 }`, but `{}`), other brackets hug, `=` spaced. */
function spaceBetween(a: Token, b: Token): boolean {
  if (a.text === "{" && b.text === "}") return false;
  if (a.text === "{" || b.text === "}") return true;
  if (a.kind === "open" || b.kind === "close") return false;
  if (a.kind === "eq" || b.kind === "eq" || b.kind === "comment") return true;
  if (b.text === "{") return true;
  return b.spaced;
}

function render(tokens: readonly Token[]): string {
  let out = "";
  tokens.forEach((t, k) => {
    if (k > 0 && spaceBetween(tokens[k - 1] as Token, t)) out += " ";
    out += t.text;
  });
  return out;
}

/** A line split into hclwrite's cells: what comes before the assignment, the assignment, a trailing comment. */
interface Cells {
  indent: number;
  lead: Token[];
  assign: Token[] | undefined;
  comment: Token | undefined;
}

function cellsOf(line: Line): Omit<Cells, "indent"> {
  let lead = [...line];
  let comment: Token | undefined;
  if (lead.length > 1 && lead[lead.length - 1]?.kind === "comment") comment = lead.pop();
  let assign: Token[] | undefined;
  const eq = lead.findIndex((t, k) => k > 0 && t.kind === "eq");
  // Only a whole single-line expression joins an alignment run; `x = {` opens a multi-line one.
  if (eq > 0 && lead.slice(eq).reduce((n, t) => n + bracketChange(t), 0) === 0) {
    assign = lead.slice(eq);
    lead = lead.slice(0, eq);
  }
  return { lead, assign, comment };
}

/** hclwrite's indent stack: a line opening brackets indents what follows by one level, however many it opens. */
function indents(lines: readonly Line[]): number[] {
  const stack: number[] = [];
  return lines.map((line) => {
    const net = line.reduce((n, t) => n + bracketChange(t), 0);
    if (net > 0) {
      const level = stack.length;
      stack.push(net);
      return level;
    }
    let closed = -net;
    while (closed > 0 && stack.length > 0) {
      const top = stack[stack.length - 1] as number;
      if (closed >= top) {
        closed -= top;
        stack.pop();
      } else {
        stack[stack.length - 1] = top - closed;
        closed = 0;
      }
    }
    return stack.length;
  });
}

/** Drops blank lines at the file's ends and repeated blank lines; puts one blank line after each top-level block. */
function tidyBlankLines(lines: Line[], levels: number[]): { lines: Line[]; levels: number[] } {
  const outLines: Line[] = [];
  const outLevels: number[] = [];
  lines.forEach((line, k) => {
    const blank = line.length === 0;
    const prev = outLines[outLines.length - 1];
    if (blank && (prev === undefined || prev.length === 0)) return;
    const prevLevel = outLevels[outLevels.length - 1];
    const closedTopBlock = prev !== undefined && prevLevel === 0 && prev.length === 1 && prev[0]?.text === "}";
    if (!blank && closedTopBlock) {
      outLines.push([]);
      outLevels.push(0);
    }
    outLines.push(line);
    outLevels.push(levels[k] as number);
  });
  while (outLines.length > 0 && (outLines[outLines.length - 1] as Line).length === 0) {
    outLines.pop();
    outLevels.pop();
  }
  return { lines: outLines, levels: outLevels };
}

/** Spaces to put before a cell so that it starts one column past the widest line of its run of consecutive lines. */
function alignRuns(has: readonly boolean[], widths: readonly number[]): number[] {
  const pads = has.map(() => 1);
  let start = 0;
  for (let k = 0; k <= has.length; k++) {
    if (k < has.length && has[k]) continue;
    const widest = Math.max(0, ...widths.slice(start, k));
    for (let r = start; r < k; r++) pads[r] = widest - (widths[r] as number) + 1;
    start = k + 1;
  }
  return pads;
}

/** Formats HCL source text; the result of formatting it again is the same text. */
export function formatHcl(source: string): string {
  const lexed = lex(source.replace(/^\uFEFF/, ""));
  const { lines, levels } = tidyBlankLines(lexed, indents(lexed));
  const cells: Cells[] = lines.map((line, k) => ({ indent: 2 * (levels[k] as number), ...cellsOf(line) }));
  const leads = cells.map((c) => (c.lead.length === 0 ? "" : " ".repeat(c.indent) + render(c.lead)));
  const assignPads = alignRuns(
    cells.map((c) => c.assign !== undefined),
    leads.map(lastLineWidth),
  );
  const bodies = cells.map((c, k) => (leads[k] as string) + (c.assign ? " ".repeat(assignPads[k] as number) + render(c.assign) : ""));
  const commentPads = alignRuns(
    cells.map((c) => c.comment !== undefined),
    bodies.map(lastLineWidth),
  );
  const text = cells.map((c, k) => (bodies[k] as string) + (c.comment ? " ".repeat(commentPads[k] as number) + c.comment.text : "")).join("\n");
  return text.length === 0 ? "" : text + "\n";
}

/** Width of the last physical line of a cell (a heredoc or multi-line string ends on a later line). */
function lastLineWidth(text: string): number {
  return text.length - (text.lastIndexOf("\n") + 1);
}
