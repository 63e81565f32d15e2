// Ranges that keep two text indexes and compute line/column/offset only when read. A parsed
// configuration holds one range per syntax node (about 95 per resource, 475,000 for 5,000
// resources) and almost none is ever read: a plain Range costs three objects, this one one.
import type { Pos, Range } from "./diagnostic.js";

/** Where an index of parsed text lies in the user's file (see config/hcl/positions.ts). */
export interface PositionSource {
  readonly file: string;
  pos(index: number): Pos;
}

/**
 * A Range whose `start` and `end` are computed from `source` on each read. It behaves as a plain
 * Range for every reader; only spreading it (`{ ...range }`) loses the positions, so code that
 * derives a range from another goes through `IndexedRange.span` or `extend`. JSON sees a plain Range.
 */
export class IndexedRange implements Range {
  readonly file: string;
  readonly #source: PositionSource;
  readonly #start: number;
  readonly #end: number;

  constructor(source: PositionSource, start: number, end: number) {
    this.file = source.file;
    this.#source = source;
    this.#start = start;
    this.#end = end;
  }

  get start(): Pos {
    return this.#source.pos(this.#start);
  }

  get end(): Pos {
    return this.#source.pos(this.#end);
  }

  /** The range from the start of `from` to index `end` of the text `source` maps. */
  static extend(from: Range, source: PositionSource, end: number): Range {
    if (from instanceof IndexedRange && from.#source === source) return new IndexedRange(source, from.#start, end);
    return { file: from.file, start: from.start, end: source.pos(end) };
  }

  /** The range from the start of `a` to the end of `b` (the same file). */
  static span(a: Range, b: Range): Range {
    if (a instanceof IndexedRange && b instanceof IndexedRange && a.#source === b.#source) return new IndexedRange(a.#source, a.#start, b.#end);
    return { file: a.file, start: a.start, end: b.end };
  }

  toJSON(): Range {
    return plainRange(this);
  }
}

/** A copy with plain position objects (for comparing, printing or spreading). */
export function plainRange(r: Range): Range {
  return { file: r.file, start: r.start, end: r.end };
}
