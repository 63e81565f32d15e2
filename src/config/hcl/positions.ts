// Turns tree-sitter positions into pmxform Pos values. web-tree-sitter parses JS strings as
// UTF-16, so its indexes are UTF-16 code units; Pos wants 1-based line/column (UTF-16) and a
// 0-based UTF-8 byte offset, which differ from the index on non-ASCII text.
import type { Pos, Range } from "../../diag/diagnostic.js";
import { IndexedRange, type PositionSource } from "../../diag/indexed-range.js";

/** Maps an index into the parsed text to a position in the user's file. */
export type PosMap = PositionSource;

/** A range with its positions computed now (diagnostics, ranges that get spread or edited). */
export function rangeOf(map: PosMap, start: number, end: number): Range {
  return { file: map.file, start: map.pos(start), end: map.pos(end) };
}

/** A syntax node's range: positions computed only if something reads them. */
export function nodeRange(map: PosMap, start: number, end: number): Range {
  return new IndexedRange(map, start, end);
}

/** Positions in a whole text, optionally shifted (for text embedded in a larger file). */
export class TextPosMap implements PosMap {
  /** Index of each line's first character; typed arrays: a 3 MB file has 150,000 lines, and growing an array by push cost 20 ms of it. */
  private readonly lineStarts: Uint32Array;
  /** UTF-8 byte offset of each line's start (the same array as lineStarts for ASCII text). */
  private readonly lineByteStarts: Uint32Array | Float64Array;
  private readonly ascii: boolean;
  private lastLine = 0;

  constructor(
    readonly file: string,
    private readonly text: string,
    private readonly base: Pos = { line: 1, column: 1, offset: 0 },
  ) {
    this.ascii = !/[^\x00-\x7f]/.test(text);
    let lines = 1;
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lines++;
    const starts = new Uint32Array(lines);
    const byteStarts = this.ascii ? starts : new Float64Array(lines);
    let line = 1;
    let bytes = 0;
    let last = 0;
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) {
      if (!this.ascii) bytes += Buffer.byteLength(text.slice(last, i + 1));
      last = i + 1;
      starts[line] = last;
      if (!this.ascii) byteStarts[line] = bytes;
      line++;
    }
    this.lineStarts = starts;
    this.lineByteStarts = byteStarts;
  }

  /** Number of lines as editors count them (a trailing newline opens an empty last line). */
  get lineCount(): number {
    return this.lineStarts.length;
  }

  pos(index: number): Pos {
    const i = Math.max(0, Math.min(index, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    // Requests come roughly in text order: try the line of the previous one before searching.
    const hint = this.lastLine;
    if ((this.lineStarts[hint] ?? 0) <= i && (hint === hi || (this.lineStarts[hint + 1] ?? 0) > i)) lo = hi = hint;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= i) lo = mid;
      else hi = mid - 1;
    }
    this.lastLine = lo;
    const lineStart = this.lineStarts[lo] ?? 0;
    const byteInLine = this.ascii ? i - lineStart : Buffer.byteLength(this.text.slice(lineStart, i));
    const offset = this.base.offset + (this.lineByteStarts[lo] ?? 0) + byteInLine;
    if (lo === 0) return { line: this.base.line, column: this.base.column + (i - lineStart), offset };
    return { line: this.base.line + lo, column: 1 + (i - lineStart), offset };
  }
}

/** Positions inside a wrapper text (e.g. `x = <expr>`) mapped back onto the embedded original. */
export class ShiftedPosMap implements PosMap {
  constructor(
    private readonly inner: PosMap,
    /** Index in the wrapper text where the embedded text starts. */
    private readonly prefixLength: number,
    /** Length of the embedded text, so positions in the wrapper's suffix clamp to its end. */
    private readonly innerLength: number,
  ) {}

  get file(): string {
    return this.inner.file;
  }

  pos(index: number): Pos {
    return this.inner.pos(Math.max(0, Math.min(index - this.prefixLength, this.innerLength)));
  }
}
