// The HCL front end: parses files and standalone expressions synchronously into the generic
// Body / Expr model with diagnostics. Well-formed input takes the hand-written fast path; anything
// else goes through tree-sitter, whose wasm runtime and grammar are loaded (async) only then.
import { createRequire } from "node:module";
import type { Node, Parser, Tree } from "web-tree-sitter";
import type { Diagnostic } from "../../diag/diagnostic.js";
import type { Expr } from "../ast.js";
import type { File } from "../body.js";
import { convertBody, makeContext } from "./convert.js";
import { syntaxErrors } from "./errors.js";
import { convertTemplateSpan } from "./template.js";
import { ShiftedPosMap, TextPosMap, rangeOf } from "./positions.js";
import { fastParseExpression, fastParseFileOrStop, fastParseTemplate } from "./fast-parser.js";
import { unterminatedStringAt } from "./unterminated.js";
import { error } from "../../diag/diagnostic.js";
import type { PosMap } from "./positions.js";
import { MAX_EXPR_DEPTH, TooDeep, bodyTooDeep, exprTooDeep, tooDeepExprDiagnostic } from "../depth.js";

let parser: Parser | undefined;
let loading: Promise<Parser> | undefined;

/** Loads the wasm runtime and grammar; cheap after the first call. */
export async function initHcl(): Promise<void> {
  if (parser) return;
  loading ??= (async () => {
    const require = createRequire(import.meta.url);
    const { Language, Parser } = await import("web-tree-sitter");
    await Parser.init();
    const language = await Language.load(require.resolve("@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-hcl.wasm"));
    const p = new Parser();
    p.setLanguage(language);
    parser = p;
    return p;
  })();
  await loading;
}

/** Whether tree-sitter has been loaded in this process (it is loaded only for input that needs it). */
export function hclParserLoaded(): boolean {
  return parser !== undefined;
}

/** A synchronous parse met input only tree-sitter handles before initHcl() ran: see withHcl. */
export class HclParserNotLoaded extends Error {
  constructor() {
    super("initHcl() must complete before this input can be parsed");
  }
}

function ready(): Parser {
  if (!parser) throw new HclParserNotLoaded();
  return parser;
}

/**
 * Runs a synchronous parse (of a file, or anything that parses HCL inside); when the input needs
 * tree-sitter and it is not loaded yet, loads it and runs the parse again. Parses are pure, so
 * the retry sees the same input. Most configurations never load tree-sitter (~40 ms and ~35 MB).
 */
export async function withHcl<T>(parse: () => T): Promise<T> {
  if (parser) return parse();
  try {
    return parse();
  } catch (e) {
    if (!(e instanceof HclParserNotLoaded)) throw e;
  }
  await initHcl();
  return parse();
}

function withTree<T>(text: string, use: (tree: Tree) => T): T {
  const tree = ready().parse(text);
  if (!tree) throw new Error("tree-sitter returned no tree");
  try {
    // tree-sitter itself parses any depth; the error walker and converters recurse per node.
    const deep = treeTooDeep(tree);
    if (deep !== undefined) throw new TooDeep(deep);
    return use(tree);
  } finally {
    tree.delete();
  }
}

/**
 * tree-sitter nodes per expression level: `expression > expr_term > collection_value > tuple`
 * and the like, measured at most 6 (conditional and template chains); blocks take two per level.
 */
const TREE_NODES_PER_LEVEL = 8;

/** Start offset of the first node nested deeper than the converters may recurse, walked without recursion. */
function treeTooDeep(tree: Tree): number | undefined {
  const cursor = tree.walk();
  try {
    const limit = MAX_EXPR_DEPTH * TREE_NODES_PER_LEVEL;
    let depth = 0;
    for (;;) {
      if (depth > limit) return cursor.startIndex;
      if (cursor.gotoFirstChild()) {
        depth++;
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return undefined;
        depth--;
      }
    }
  } finally {
    cursor.delete();
  }
}

/** Runs a parse; recursion past MAX_EXPR_DEPTH anywhere in it becomes one diagnostic at `map`'s offset. */
function guarded<T>(map: PosMap, parse: () => T, tooDeep: (d: Diagnostic) => T, shift = 0): T {
  try {
    return parse();
  } catch (e) {
    if (!(e instanceof TooDeep)) throw e;
    const at = Math.max(0, e.offset - shift);
    return tooDeep(tooDeepExprDiagnostic(rangeOf(map, at, at + 1)));
  }
}

/** A parsed expression whose tree is deeper than the evaluator and reference walker may go is refused. */
function checkedExpr(r: { expr?: Expr; diagnostics: Diagnostic[] }): { expr?: Expr; diagnostics: Diagnostic[] } {
  const deep = r.expr && exprTooDeep(r.expr);
  return deep ? { diagnostics: [...r.diagnostics, tooDeepExprDiagnostic(deep)] } : r;
}

export interface HclFileResult {
  file: File;
  diagnostics: Diagnostic[];
}

/**
 * tree-sitter's error recovery costs up to ~300 bytes of memory per input byte and seconds per
 * megabyte (a 4 MB non-HCL file took 60 s and 1.3 GB, 7 MB aborted its wasm heap). Text the fast
 * parser accepts never gets here; of the rest, an unclosed string (the worst case) is found by a
 * linear scan, and files over MAX_TREE_SITTER_BYTES get one diagnostic where the fast parser
 * stopped instead of tree-sitter's full list.
 */
export const MAX_TREE_SITTER_BYTES = 256 * 1024;
const SCAN_UNTERMINATED_FROM = 64 * 1024;

function tooCostlyForTreeSitter(source: string, stoppedAt: number, map: PosMap): Diagnostic | undefined {
  if (source.length < SCAN_UNTERMINATED_FROM) return undefined;
  const open = unterminatedStringAt(source);
  if (open !== undefined) {
    const at = map.pos(open);
    return error("Unterminated string", `The string that starts at line ${at.line}, column ${at.column} has no closing quote on its line. Add the missing '"'.`, rangeOf(map, open, open + 1));
  }
  if (source.length <= MAX_TREE_SITTER_BYTES) return undefined;
  return error(
    "Invalid configuration syntax",
    `This file cannot be read from here on. It is larger than ${MAX_TREE_SITTER_BYTES / 1024} KB, so pmxform reports only the first place it cannot read instead of a full list of syntax errors (which would cost gigabytes of memory). Check that the file is HCL, fix the syntax here (or save it with LF line ends if it uses CRLF), or split it into smaller files.`,
    rangeOf(map, stoppedAt, Math.min(source.length, stoppedAt + 1)),
  );
}

/** A string value over MAX_TREE_SITTER_BYTES whose template or expression the fast parser refused. */
function tooLargeToDiagnose(text: string, map: PosMap): Diagnostic {
  return error(
    "Invalid expression",
    `This value is larger than ${MAX_TREE_SITTER_BYTES / 1024} KB and its template or expression cannot be read; pmxform does not diagnose values this large in detail. Check its \${ } and %{ } sequences, or move the text into a file read with file().`,
    rangeOf(map, 0, Math.min(text.length, 1)),
  );
}

export function parseHclFileSync(path: string, source: string): HclFileResult {
  const map = new TextPosMap(path, source);
  const empty = (d: Diagnostic): HclFileResult => ({ file: { path, source, body: { attributes: [], blocks: [], range: rangeOf(map, 0, source.length) } }, diagnostics: [d] });
  const result = guarded(
    map,
    () => {
      const fast = fastParseFileOrStop(source, map);
      if (typeof fast !== "number") return { file: { path, source, body: fast }, diagnostics: [] };
      const refused = tooCostlyForTreeSitter(source, fast, map);
      if (refused) return empty(refused);
      return parseHclFileWithTreeSitter(path, source, map);
    },
    empty,
  );
  const deep = bodyTooDeep(result.file.body);
  return deep ? empty(tooDeepExprDiagnostic(deep)) : result;
}

/** The tree-sitter path: any input, with error recovery and the syntax error messages. */
export function parseHclFileWithTreeSitter(path: string, source: string, map = new TextPosMap(path, source)): HclFileResult {
  const diagnostics: Diagnostic[] = [];
  const body = withTree(source, (tree) => {
    const root = tree.rootNode;
    if (root.hasError) diagnostics.push(...syntaxErrors(root, map, source));
    const ctx = makeContext(source, map, diagnostics);
    // Layout rules only make sense on a tree without recovery guesses in it.
    ctx.checkLayout = !root.hasError;
    const bodyNode = root.type === "config_file" ? root.children.find((c) => c.type === "body") : undefined;
    if (root.type === "config_file" && root.children.some((c) => c.type === "object")) {
      diagnostics.push({
        severity: "error",
        summary: "Argument or block definition required",
        detail: "A configuration file holds arguments and blocks, not a bare object. Remove the surrounding braces.",
        subject: rangeOf(map, root.startIndex, Math.min(root.endIndex, root.startIndex + 1)),
      });
    }
    return convertBody(bodyNode, rangeOf(map, 0, source.length), ctx);
  });
  body.range = rangeOf(map, 0, source.length);
  return { file: { path, source, body }, diagnostics: dedupe(diagnostics) };
}

/** The error walker and the converter can both notice one bad escape; say it once. */
function dedupe(diags: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diags.filter((d) => {
    const key = `${d.summary}@${d.subject?.start.line}:${d.subject?.start.column}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export async function parseHclFile(path: string, source: string): Promise<HclFileResult> {
  await initHcl();
  return parseHclFileSync(path, source);
}

const EXPR_PREFIX = "__pmx_expr = ";

/** Parses text that `map` places in the user's file (index 0 of text = map.pos(0)). */
export function parseExpressionWithMap(text: string, map: PosMap): { expr?: Expr; diagnostics: Diagnostic[] } {
  return fastThenTreeSitter(text, map, fastParseExpression, parseExpressionWithTreeSitter, EXPR_PREFIX.length);
}

/**
 * The fast path, else tree-sitter (unless the text is too large for it to diagnose), both under
 * the depth guard. `wrapperLength` is how much text the tree-sitter path puts before the user's,
 * so that a too-deep error inside it still points into the user's file.
 */
function fastThenTreeSitter(
  text: string,
  map: PosMap,
  fastParse: (text: string, map: PosMap) => Expr | undefined,
  treeSitterParse: (text: string, map: PosMap) => { expr?: Expr; diagnostics: Diagnostic[] },
  wrapperLength: number,
): { expr?: Expr; diagnostics: Diagnostic[] } {
  const asDiagnostics = (d: Diagnostic): { diagnostics: Diagnostic[] } => ({ diagnostics: [d] });
  return guarded(
    map,
    () => {
      const fast = fastParse(text, map);
      if (!fast && text.length > MAX_TREE_SITTER_BYTES) return { diagnostics: [tooLargeToDiagnose(text, map)] };
      return checkedExpr(fast ? { expr: fast, diagnostics: [] } : guarded(map, () => treeSitterParse(text, map), asDiagnostics, wrapperLength));
    },
    asDiagnostics,
  );
}

export function parseExpressionWithTreeSitter(text: string, map: PosMap): { expr?: Expr; diagnostics: Diagnostic[] } {
  const wrapped = `${EXPR_PREFIX}${text}\n`;
  const shifted = new ShiftedPosMap(map, EXPR_PREFIX.length, text.length);
  const diagnostics: Diagnostic[] = [];
  const expr = withTree(wrapped, (tree) => {
    const root = tree.rootNode;
    if (root.hasError) diagnostics.push(...syntaxErrors(root, shifted, wrapped));
    const ctx = makeContext(wrapped, shifted, diagnostics);
    const attrs = root.children.find((c) => c.type === "body")?.children.filter((c) => c.type === "attribute") ?? [];
    const first = attrs[0];
    const valueNode: Node | undefined = first?.children.find((c) => c.type === "expression");
    if (attrs.length !== 1 || !valueNode || valueNode.startIndex !== EXPR_PREFIX.length) {
      if (diagnostics.length === 0) {
        diagnostics.push({
          severity: "error",
          summary: "Invalid expression",
          detail: "Expected exactly one expression. Check for text after the expression or a missing operator.",
          subject: rangeOf(shifted, 0, wrapped.length),
        });
      }
      return undefined;
    }
    if (valueNode.endIndex < wrapped.length - 1 && diagnostics.length === 0) {
      diagnostics.push({
        severity: "error",
        summary: "Extra characters after expression",
        detail: "An expression was parsed, but more text follows it. Remove the extra text.",
        subject: rangeOf(shifted, valueNode.endIndex, wrapped.length - 1),
      });
    }
    return ctx.expr(valueNode);
  });
  return expr ? { expr, diagnostics } : { diagnostics };
}

export function parseHclExpressionSync(text: string, file: string, startLine = 1, startColumn = 1, startOffset = 0): { expr?: Expr; diagnostics: Diagnostic[] } {
  return parseExpressionWithMap(text, new TextPosMap(file, text, { line: startLine, column: startColumn, offset: startOffset }));
}

export async function parseHclExpression(text: string, file: string, startLine = 1, startColumn = 1, startOffset = 0): Promise<{ expr?: Expr; diagnostics: Diagnostic[] }> {
  await initHcl();
  return parseHclExpressionSync(text, file, startLine, startColumn, startOffset);
}

/** Parses a template's content (as if inside a heredoc: no backslash escapes) into an expression. */
export function parseTemplateWithMap(text: string, map: PosMap): { expr?: Expr; diagnostics: Diagnostic[] } {
  return fastThenTreeSitter(text, map, fastParseTemplate, parseTemplateWithTreeSitter, heredocWrapper(text).prefix.length);
}

/** The heredoc that carries a template through tree-sitter: its marker must not occur in the text. */
function heredocWrapper(text: string): { marker: string; prefix: string } {
  let marker = "__PMX";
  while (text.includes(marker)) marker += "X";
  return { marker, prefix: `${EXPR_PREFIX}<<${marker}\n` };
}

export function parseTemplateWithTreeSitter(text: string, map: PosMap): { expr?: Expr; diagnostics: Diagnostic[] } {
  const { marker, prefix } = heredocWrapper(text);
  const wrapped = `${prefix}${text}\n${marker}\n`;
  const shifted = new ShiftedPosMap(map, prefix.length, text.length);
  const diagnostics: Diagnostic[] = [];
  const expr = withTree(wrapped, (tree) => {
    const root = tree.rootNode;
    if (root.hasError) diagnostics.push(...syntaxErrors(root, shifted, wrapped));
    const ctx = makeContext(wrapped, shifted, diagnostics);
    const attr = root.children.find((c) => c.type === "body")?.children.find((c) => c.type === "attribute");
    const heredoc = attr?.children.find((c) => c.type === "expression")?.children[0]?.children[0];
    if (!heredoc || heredoc.type !== "heredoc_template") return undefined;
    // The wrapper's newline before the closing marker is not part of the user's string.
    return convertTemplateSpan(
      {
        children: heredoc.children,
        contentStart: prefix.length,
        contentEnd: prefix.length + text.length,
        quoted: false,
        flush: false,
        range: rangeOf(shifted, prefix.length, prefix.length + text.length),
      },
      ctx,
    );
  });
  // An unclosed sequence makes tree-sitter fail on the wrapper itself, whose text means nothing to
  // the user: say what is unclosed, where it opens.
  if (diagnostics.some((d) => (d.detail ?? "").includes(EXPR_PREFIX.trim()) || (d.detail ?? "").includes(marker))) {
    const open = unclosedTemplateSequence(text);
    const at = open?.index ?? 0;
    const what = open?.kind === "directive" ? `The template directive "${open.opener}" is not closed` : open ? `The "${open.opener}" here is not closed` : "The template cannot be parsed";
    const fix =
      open?.kind === "directive"
        ? `Add the matching "%{ end${open.keyword} }"`
        : open
          ? 'Add the closing "}", or write "$${" / "%%{" for a literal "${" / "%{"'
          : "Check its interpolations and directives";
    diagnostics.splice(0, diagnostics.length, { severity: "error", summary: "Invalid template", detail: `${what}. ${fix}.`, subject: rangeOf(map, at, at + (open?.opener.length ?? 0)) });
  }
  return expr ? { expr, diagnostics } : { diagnostics };
}

/**
 * The first `${`/`%{` of a template without its closing brace, else the first `%{ if }` / `%{ for }`
 * without its end directive. Quoted strings inside a sequence may hold braces; `$${` and `%%{`
 * are literal text.
 */
export function unclosedTemplateSequence(text: string): { index: number; opener: string; kind: "sequence" | "directive"; keyword?: string } | undefined {
  const blocks: { index: number; opener: string; keyword: string }[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if ((c === "$" || c === "%") && text[i + 1] === c && text[i + 2] === "{") {
      i += 2;
      continue;
    }
    if ((c !== "$" && c !== "%") || text[i + 1] !== "{") continue;
    let depth = 0;
    let quoted = false;
    let end = -1;
    for (let j = i + 1; j < text.length; j++) {
      const d = text[j];
      if (quoted) {
        if (d === "\\") j++;
        else if (d === '"') quoted = false;
      } else if (d === '"') quoted = true;
      else if (d === "{") depth++;
      else if (d === "}" && --depth === 0) {
        end = j;
        break;
      }
    }
    if (end < 0) return { index: i, opener: `${c}{`, kind: "sequence" };
    if (c === "%") {
      const word = /^%\{~?\s*(\w+)/.exec(text.slice(i, end))?.[1];
      if (word === "if" || word === "for")
        blocks.push({
          index: i,
          opener: text
            .slice(i, end + 1)
            .replace(/\s+/g, " ")
            .slice(0, 40),
          keyword: word,
        });
      else if (word === "endif" || word === "endfor") blocks.pop();
    }
    i = end;
  }
  const last = blocks.at(-1);
  return last ? { ...last, kind: "directive" } : undefined;
}
