// A linear scan for the one syntax error that makes tree-sitter's recovery cost hundreds of bytes
// of memory per input byte: a quoted string left open (10 MB after a lone `"` took 1.9 GB and
// 17 s). Quoted strings end on their line in HCL (only `${ }` inside them may span lines), so the
// first line end (or the end of the text) met inside one is the error, reported at the opening quote.

const QUOTE = 34,
  DOLLAR = 36,
  PERCENT = 37,
  LBRACE = 123,
  RBRACE = 125,
  BACKSLASH = 92,
  NEWLINE = 10,
  HASH = 35,
  SLASH = 47,
  STAR = 42,
  LESS = 60;

/** Offset of the opening quote of the first string with no closing quote on its line, if any. */
export function unterminatedStringAt(s: string): number | undefined {
  // Each open level: -1 for code (inside `${ }` or brackets), else the offset of a string's quote.
  const stack: number[] = [-1];
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    const top = stack[stack.length - 1]!;
    if (top >= 0) {
      if (ch === BACKSLASH) i++;
      else if (ch === QUOTE) stack.pop();
      else if (ch === NEWLINE) return top;
      else if ((ch === DOLLAR || ch === PERCENT) && s.charCodeAt(i + 1) === LBRACE) {
        if (s.charCodeAt(i - 1) === ch) continue; // $${ and %%{ are literal text
        stack.push(-1);
        i++;
      }
      continue;
    }
    const next = s.charCodeAt(i + 1);
    if (ch === QUOTE) stack.push(i);
    else if (ch === HASH || (ch === SLASH && next === SLASH)) {
      const nl = s.indexOf("\n", i);
      i = nl < 0 ? s.length : nl;
    } else if (ch === SLASH && next === STAR) {
      const end = s.indexOf("*/", i + 2);
      i = end < 0 ? s.length : end + 1;
    } else if (ch === LESS && next === LESS) i = skipHeredoc(s, i);
    else if (ch === LBRACE) stack.push(-1);
    else if (ch === RBRACE && stack.length > 1) stack.pop();
  }
  // The text ended inside a string: the innermost open one is the unclosed one.
  for (let k = stack.length - 1; k >= 0; k--) if (stack[k]! >= 0) return stack[k];
  return undefined;
}

/** Past `<<EOF ... EOF` / `<<-EOF` (their text may hold quotes); returns the closing line's end. */
function skipHeredoc(s: string, i: number): number {
  const m = /^<<-?([A-Za-z_][\w-]*)[ \t]*\r?\n/.exec(s.slice(i, i + 200));
  if (!m) return i + 1;
  let at = i + m[0].length;
  while (at < s.length) {
    let end = s.indexOf("\n", at);
    if (end < 0) end = s.length;
    if (s.slice(at, end).trim() === m[1]) return end;
    at = end + 1;
  }
  return s.length;
}
