// Disk sizes as Proxmox writes and reads them (JSONSchema parse_size / format_size; pct resize).

const UNIT: Record<string, number> = { K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** `8G` -> bytes; a bare number is bytes; `iB` suffixes are accepted. undefined when malformed. */
export function parseDiskSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(?:([KMGT])(?:iB)?)?$/.exec(text);
  if (!m) return undefined;
  return Math.floor(Number(m[1]) * (m[2] ? UNIT[m[2]]! : 1));
}

/** Largest exact unit, like Proxmox's format_size: 8589934592 -> "8G", 536870912 -> "512M". */
export function formatSize(bytes: number): string {
  const kb = Math.floor(bytes / 1024);
  if (kb * 1024 !== bytes) return String(bytes);
  const mb = Math.floor(kb / 1024);
  if (mb * 1024 !== kb) return `${kb}K`;
  const gb = Math.floor(mb / 1024);
  if (gb * 1024 !== mb) return `${mb}M`;
  const tb = Math.floor(gb / 1024);
  if (tb * 1024 !== gb) return `${gb}G`;
  return `${tb}T`;
}

/** `pct resize` size argument: `+2G` grows relative to now; no unit means bytes. */
export function parseResizeArg(text: string): { relative: boolean; bytes: number } | undefined {
  const m = /^(\+)?(\d+(?:\.\d+)?)([KMGT])?$/.exec(text);
  if (!m) return undefined;
  return { relative: m[1] === "+", bytes: Math.floor(Number(m[2]) * (m[3] ? UNIT[m[3]]! : 1)) };
}
