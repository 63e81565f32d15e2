// Proxmox's description encoding (PVE::Tools encode_text / decode_text): URI-escaping of every
// byte outside the printable set, except that spaces stay literal. Works on UTF-8 bytes.

function isPlainByte(b: number): boolean {
  return (b >= 0x20 && b <= 0x24) || (b >= 0x26 && b <= 0x39) || (b >= 0x3b && b <= 0x7e);
}

export function encodeText(text: string): string {
  let out = "";
  for (const b of Buffer.from(text, "utf8")) {
    out += isPlainByte(b) ? String.fromCharCode(b) : "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

// Perl's uri_unescape decodes any %XX and leaves everything else (including lone '%') alone;
// decodeURIComponent would throw on those, so decode at byte level instead.
export function decodeText(text: string): string {
  const src = Buffer.from(text, "utf8");
  const out: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b === 0x25 && i + 2 < src.length + 0 && isHex(src[i + 1]) && isHex(src[i + 2])) {
      out.push(parseInt(String.fromCharCode(src[i + 1]!, src[i + 2]!), 16));
      i += 2;
    } else {
      out.push(b);
    }
  }
  return Buffer.from(out).toString("utf8");
}

function isHex(b: number | undefined): boolean {
  return b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66));
}

/** Perl's default `sort`: by byte value of the UTF-8 encoding. */
export function perlCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
