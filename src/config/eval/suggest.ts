// "Did you mean ...?" hints: the closest candidate by edit distance, when it is close enough.

export function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] as number;
}

/**
 * The best candidate within a distance proportional to the name's length (at least `minLimit`),
 * if any. The one edit-distance suggester of the code base.
 */
export function suggest(name: string, candidates: Iterable<string>, minLimit = 2): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  const limit = Math.max(minLimit, Math.floor(name.length / 3));
  for (const c of candidates) {
    const d = levenshtein(name.toLowerCase(), c.toLowerCase());
    if (d < bestDist && d <= limit) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}

/** ` Did you mean "x"?` or the empty string. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const s = suggest(name, candidates);
  return s === undefined ? "" : ` Did you mean "${s}"?`;
}
