// Positions inside a YAML scalar's value mapped onto the file. Exact when the value appears
// verbatim in the source (plain or quoted without escapes); otherwise approximate but always
// inside the scalar, which is what diagnostics need.
import type { Pos } from "../../diag/diagnostic.js";
import type { PosMap } from "../hcl/positions.js";

export class ScalarPosMap implements PosMap {
  private readonly exact: boolean;
  private readonly contentStart: number;

  constructor(
    private readonly fileMap: PosMap,
    source: string,
    value: string,
    /** [start, end) of the scalar token in the file. */
    private readonly start: number,
    private readonly end: number,
  ) {
    const raw = source.slice(start, end);
    const quoted = raw.startsWith('"') || raw.startsWith("'");
    this.contentStart = quoted ? start + 1 : start;
    this.exact = source.slice(this.contentStart, this.contentStart + value.length) === value;
  }

  get file(): string {
    return this.fileMap.file;
  }

  pos(index: number): Pos {
    const at = this.contentStart + index;
    return this.fileMap.pos(this.exact ? at : Math.min(Math.max(at, this.start), this.end));
  }
}
