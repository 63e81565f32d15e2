// Where a JSON text stops being JSON, for diagnostics on state files: Node's JSON.parse says
// what it met but (before V8 12) not where, and a user fixing a damaged state needs the line.
// A strict RFC 8259 scanner; it only locates, JSON.parse stays the parser.
import type { Range } from "../diag/diagnostic.js";
import { TextPosMap, rangeOf } from "../config/hcl/positions.js";

/** Unwinds the scan to where the text stopped being JSON (never leaves this file). */
class Stop extends Error {
  constructor(readonly at: number) {
    super(`invalid JSON at ${at}`);
  }
}

/** The offset of the first character that makes `text` invalid JSON (text.length when it ends early), or undefined when it is valid. */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  const expect = (c: string) => {
    if (text[i] !== c) throw new Stop(i);
    i++;
  };
  const literal = (word: string) => {
    for (const c of word) expect(c);
  };
  const digits = () => {
    const from = i;
    while (text[i]! >= "0" && text[i]! <= "9") i++;
    if (i === from) throw new Stop(i);
  };
  const number = () => {
    if (text[i] === "-") i++;
    if (text[i] === "0") i++;
    else digits();
    if (text[i] === ".") {
      i++;
      digits();
    }
    if (text[i] === "e" || text[i] === "E") {
      i++;
      if (text[i] === "+" || text[i] === "-") i++;
      digits();
    }
  };
  const string = () => {
    expect('"');
    for (;;) {
      if (i >= text.length) throw new Stop(i);
      const c = text.charCodeAt(i);
      if (c === 0x22) return void i++;
      if (c < 0x20) throw new Stop(i);
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) throw new Stop(i);
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else throw new Stop(i);
      } else i++;
    }
  };
  // Iterative over nesting: a hostile state may nest deeper than the stack allows.
  const stack: ("{" | "[")[] = [];
  const value = (): void => {
    for (;;) {
      ws();
      const c = text[i];
      if (c === "{" || c === "[") {
        i++;
        ws();
        if (text[i] === (c === "{" ? "}" : "]")) return void i++;
        stack.push(c);
        if (c === "{") {
          string();
          ws();
          expect(":");
        }
        continue; // the first member's value
      }
      if (c === '"') return string();
      if (c === "t") return literal("true");
      if (c === "f") return literal("false");
      if (c === "n") return literal("null");
      if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return number();
      throw new Stop(i);
    }
  };
  try {
    value();
    for (;;) {
      ws();
      const open = stack.at(-1);
      if (!open) break;
      if (text[i] === ",") {
        i++;
        ws();
        if (open === "{") {
          string();
          ws();
          expect(":");
        }
        value();
      } else {
        expect(open === "{" ? "}" : "]");
        stack.pop();
      }
    }
    if (i < text.length) throw new Stop(i);
    return undefined;
  } catch (e) {
    if (e instanceof Stop) return Math.min(e.at, text.length);
    throw e;
  }
}

/** The one-character range where `text` (the content of `file`) stops being JSON, or undefined when it is valid. */
export function jsonErrorRange(file: string, text: string): Range | undefined {
  const at = jsonErrorOffset(text);
  if (at === undefined) return undefined;
  return rangeOf(new TextPosMap(file, text), at, Math.min(at + 1, text.length));
}
