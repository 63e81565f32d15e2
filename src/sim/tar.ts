// A tiny in-process tar reader (ustar, pax `path`/`linkpath`, GNU long names): enough to look
// inside OCI layout archives and image layers without spawning tar.

export interface TarEntry {
  name: string;
  /** '0' file, '2' symlink, '5' directory, ... */
  type: string;
  linkname: string;
  data: Buffer;
}

function str(buf: Buffer, off: number, len: number): string {
  const raw = buf.subarray(off, off + len);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul === -1 ? raw.length : nul).toString("utf8");
}

function octal(buf: Buffer, off: number, len: number): number {
  const s = str(buf, off, len).trim();
  return s ? parseInt(s, 8) : 0;
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp === -1) break;
    const len = Number(data.subarray(i, sp).toString());
    if (!len) break;
    const rec = data.subarray(sp + 1, i + len - 1).toString("utf8");
    const eq = rec.indexOf("=");
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

export function readTar(buf: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let off = 0;
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  while (off + 512 <= buf.length) {
    const header = buf.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156]!) || "0";
    const data = buf.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === "x") {
      pax = { ...pax, ...parsePax(data) };
      continue;
    }
    if (type === "g") continue;
    if (type === "L") {
      longName = str(data, 0, data.length);
      continue;
    }
    if (type === "K") {
      longLink = str(data, 0, data.length);
      continue;
    }
    const magic = str(header, 257, 6);
    const prefix = magic.startsWith("ustar") ? str(header, 345, 155) : "";
    let name = str(header, 0, 100);
    if (prefix) name = `${prefix}/${name}`;
    entries.push({
      name: pax["path"] ?? longName ?? name,
      type: type === "\0" ? "0" : type,
      linkname: pax["linkpath"] ?? longLink ?? str(header, 157, 100),
      data,
    });
    pax = {};
    longName = undefined;
    longLink = undefined;
  }
  return entries;
}
