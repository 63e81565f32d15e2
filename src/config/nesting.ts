// Refuses configuration nested deeper than MAX_NESTING before any parser sees it: the parsers,
// decoder and evaluator recurse per level, and 10,000 brackets would otherwise overflow the stack.
// A rough scan (strings, comments and heredocs skipped) is enough: real configs stay far below.

/** Levels of brackets, blocks or indentation a configuration file may nest. */
export const MAX_NESTING = 200;

/** Offset where the nesting first exceeds the limit, or undefined. */
export function tooDeepAt(source: string, yaml: boolean, limit = MAX_NESTING): number | undefined {
  return yaml ? yamlTooDeep(source, limit) : hclTooDeep(source, limit);
}

const enum C {
  Quote = 34,
  Dollar = 36,
  Percent = 37,
  LParen = 40,
  RParen = 41,
  Star = 42,
  Slash = 47,
  Less = 60,
  LBracket = 91,
  Backslash = 92,
  RBracket = 93,
  LBrace = 123,
  RBrace = 125,
  Hash = 35,
  Apostrophe = 39,
  Minus = 45,
}
/** What an open level of the scan is: code (brackets count), a quoted string, a ${ } inside one. */
const enum Mode {
  Code,
  String,
  Template,
}

function hclTooDeep(s: string, limit: number): number | undefined {
  // Char codes and a numeric stack: this scan reads every character of every configuration file.
  const stack: Mode[] = [Mode.Code];
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (stack[stack.length - 1] === Mode.String) {
      if (ch === C.Backslash) i++;
      else if (ch === C.Quote) stack.pop();
      else if ((ch === C.Dollar || ch === C.Percent) && s.charCodeAt(i + 1) === C.LBrace) {
        stack.push(Mode.Template);
        i++;
        if (++depth > limit) return i;
      }
      continue;
    }
    const next = s.charCodeAt(i + 1);
    if (ch === C.Quote) stack.push(Mode.String);
    else if (ch === C.Hash || (ch === C.Slash && next === C.Slash)) i = endOfLine(s, i) - 1;
    else if (ch === C.Slash && next === C.Star) i = Math.max(i + 1, s.indexOf("*/", i + 2) < 0 ? s.length : s.indexOf("*/", i + 2) + 1);
    else if (ch === C.Less && next === C.Less) i = skipHeredoc(s, i);
    else if (ch === C.LBrace || ch === C.LBracket || ch === C.LParen) {
      stack.push(Mode.Code);
      if (++depth > limit) return i;
    } else if (ch === C.RBrace || ch === C.RBracket || ch === C.RParen) {
      if (stack.length > 1) {
        stack.pop();
        depth--;
      }
    }
  }
  return undefined;
}

function endOfLine(s: string, i: number): number {
  const nl = s.indexOf("\n", i);
  return nl < 0 ? s.length : nl;
}

/** Skips `<<EOF ... EOF` / `<<-EOF`; returns the offset of the closing marker's line end. */
function skipHeredoc(s: string, i: number): number {
  const m = /^<<-?([A-Za-z_][\w-]*)[ \t]*\r?\n/.exec(s.slice(i, i + 200));
  if (!m) return i + 1;
  let at = i + m[0].length;
  while (at < s.length) {
    const end = endOfLine(s, at);
    if (s.slice(at, end).trim() === m[1]) return end;
    at = end + 1;
  }
  return s.length;
}

function yamlTooDeep(s: string, limit: number): number | undefined {
  const indents: number[] = [];
  let flow = 0; // open flow brackets, which may span lines
  let lineStart = 0;
  // Indexes into the whole text, no per-line copies: this scan reads every line of every YAML file.
  const content = /\S/g;
  while (lineStart < s.length) {
    const end = endOfLine(s, lineStart);
    content.lastIndex = lineStart;
    const found = content.exec(s);
    const first = found && found.index < end ? found.index : -1;
    if (first >= 0 && s.charCodeAt(first) !== C.Hash) {
      const indent = first - lineStart;
      let depth = flow;
      if (flow === 0) {
        while (indents.length && indents[indents.length - 1]! >= indent) indents.pop();
        indents.push(indent);
        // "- - - x" nests one level per dash.
        let dashes = 0;
        for (let j = first; s.charCodeAt(j) === C.Minus && isBlank(s.charCodeAt(j + 1));) {
          dashes++;
          j += 2;
          while (isBlank(s.charCodeAt(j))) j++;
        }
        depth = indents.length + dashes;
        if (depth > limit) return first;
      } else depth += indents.length;
      let quote = 0;
      for (let i = first; i < end; i++) {
        const ch = s.charCodeAt(i);
        if (quote) {
          if (ch === quote) quote = 0;
          else if (ch === C.Backslash && quote === C.Quote) i++;
        } else if (ch === C.Quote || ch === C.Apostrophe) quote = ch;
        else if (ch === C.Hash && (i === lineStart || /\s/.test(s[i - 1]!))) break;
        else if (ch === C.LBracket || ch === C.LBrace) {
          flow++;
          if (++depth > limit) return i;
        } else if ((ch === C.RBracket || ch === C.RBrace) && flow > 0) {
          flow--;
          depth--;
        }
      }
    }
    lineStart = end + 1;
  }
  return undefined;
}

const isBlank = (c: number): boolean => c === 32 || c === 9;
