// Seeded mutations for fuzz tests: text (deletes a few characters, inserts one of `pieces`, or
// duplicates a run of up to `maxCopy` characters, 1-3 times) and bytes (also invalid UTF-8).

export function mutateText(src: string, random: () => number, pieces: readonly string[], maxCopy: number): string {
  const pick = (n: number) => Math.floor(random() * n);
  let out = src;
  for (let step = 1 + pick(3); step > 0; step--) {
    const at = pick(out.length + 1);
    switch (pick(3)) {
      case 0:
        out = out.slice(0, at) + out.slice(at + 1 + pick(6));
        break;
      case 1:
        out = out.slice(0, at) + (pieces[pick(pieces.length)] as string) + out.slice(at);
        break;
      default: {
        const len = 1 + pick(maxCopy);
        out = out.slice(0, at + len) + out.slice(at, at + len) + out.slice(at + len);
      }
    }
  }
  return out;
}

/** Pieces of syntax (HCL and YAML) that byte mutations insert. */
export const MUTATION_TOKENS = ["{", "}", "[", "]", "(", ")", '"', "${", "%{", "~", "=", ":", ",", "\n", "<<EOT\n", "EOT", "\\", "...", "*", "&a", "*a", "- ", "\t", "é", "😀"];

/**
 * Byte-level mutation for front-end fuzzing: 1-4 steps of truncation, deletion, duplication,
 * a syntax token, random bytes or invalid UTF-8, driven by a seeded PRNG.
 */
export function mutateBytes(bytes: Buffer, rnd: () => number): Buffer {
  const pick = (n: number) => Math.floor(rnd() * n);
  let out = bytes;
  const steps = 1 + pick(4);
  for (let i = 0; i < steps; i++) {
    const at = pick(out.length + 1);
    switch (pick(6)) {
      case 0:
        out = out.subarray(0, at);
        break;
      case 1: {
        const len = 1 + pick(12);
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + len)]);
        break;
      }
      case 2: {
        const len = 1 + pick(20);
        out = Buffer.concat([out.subarray(0, at + len), out.subarray(at, at + len), out.subarray(at + len)]);
        break;
      }
      case 3:
        out = Buffer.concat([out.subarray(0, at), Buffer.from(MUTATION_TOKENS[pick(MUTATION_TOKENS.length)] as string), out.subarray(at)]);
        break;
      case 4:
        out = Buffer.concat([out.subarray(0, at), Buffer.from(Array.from({ length: 1 + pick(4) }, () => pick(256))), out.subarray(at)]);
        break;
      default:
        // Invalid UTF-8: a lone continuation byte or a truncated multi-byte sequence.
        out = Buffer.concat([out.subarray(0, at), Buffer.from([pick(2) ? 0x80 : 0xe2, 0x82]), out.subarray(at)]);
    }
  }
  return out;
}
