// Text mutation for differential fuzz tests: deletes a few characters, inserts one of `pieces`,
// or duplicates a run of up to `maxCopy` characters, 1-3 times, driven by a seeded PRNG.

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
