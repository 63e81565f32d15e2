// ZFS size arguments as OpenZFS reads them (lib/libzfs/libzfs_util.c zfs_nicestrtonum and
// str2shift): "1.5G", "512K", "1TiB", "100" (bytes). Shared by the zfs_dataset provider (to compare
// configured sizes with what `zfs get -Hp` prints) and the simulated zfs tool. Pure.

/** A refusal, worded as libzfs's aux text ("bad numeric value '...'"). */
export class PropError extends Error {}

const ENDS = "BKMGTPEZ";

/** libzfs_util.c str2shift: "K", "KB", "KiB" (any case) -> 10; "BB" and "BiB" are refused. */
function str2shift(buf: string): number {
  if (buf === "") return 0;
  const i = ENDS.indexOf(buf[0]!.toUpperCase());
  if (i < 0) throw new PropError(`invalid numeric suffix '${buf}'`);
  const tail = buf.slice(1).toUpperCase();
  if (tail === "" || (buf[0]!.toUpperCase() !== "B" && (tail === "B" || tail === "IB"))) return 10 * i;
  throw new PropError(`invalid numeric suffix '${buf}'`);
}

/** libzfs_util.c zfs_nicestrtonum: "1.5G" -> bytes; errors as its aux texts. */
export function niceStrToNum(value: string): number {
  if (!/^[0-9.]/.test(value)) throw new PropError(`bad numeric value '${value}'`);
  const int = /^[0-9]*/.exec(value)![0];
  let rest = value.slice(int.length);
  if (rest.startsWith(".")) {
    // strtod then str2shift on what follows the number
    const f = /^[0-9]*\.?[0-9]*(?:[eE][-+]?[0-9]+)?/.exec(value)![0];
    rest = value.slice(f.length);
    const v = Math.floor(Number(f) * 2 ** str2shift(rest));
    if (!Number.isFinite(v) || v > Number.MAX_SAFE_INTEGER) throw new PropError("numeric value is too large");
    return v;
  }
  const shift = str2shift(rest);
  const v = Number(int) * 2 ** shift;
  if (shift >= 64 || v > Number.MAX_SAFE_INTEGER) throw new PropError("numeric value is too large");
  return v;
}
