// Terraform's version constraint syntax for catalog modules: comma-separated `=`, `!=`, `>`,
// `>=`, `<`, `<=` and `~>` (pessimistic: `~> 1.2` allows 1.x from 1.2, `~> 1.2.3` allows 1.2.x
// from 1.2.3), each against a version of up to three numeric parts (hashicorp/go-version).

export type Version = [number, number, number];

const VERSION = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/;
const PART = /^\s*(=|!=|>=|<=|>|<|~>)?\s*(\S+)\s*$/;

export function parseVersion(text: string): { version: Version; parts: number } | undefined {
  const m = VERSION.exec(text.trim());
  if (!m) return undefined;
  const parts = m.slice(1).filter((x) => x !== undefined).length;
  return { version: [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)], parts };
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return 0;
}

type Check = (v: Version) => boolean;

/** The constraint as a predicate, or the reason it does not parse. */
export function parseConstraint(text: string): { test: Check } | { error: string } {
  const checks: Check[] = [];
  for (const piece of text.split(",")) {
    const m = PART.exec(piece);
    const target = m && parseVersion(m[2] as string);
    if (!m || !target) return { error: `"${piece.trim()}" is not a version constraint` };
    const op = m[1] ?? "=";
    const t = target.version;
    switch (op) {
      case "=":
        checks.push((v) => compare(v, t) === 0);
        break;
      case "!=":
        checks.push((v) => compare(v, t) !== 0);
        break;
      case ">":
        checks.push((v) => compare(v, t) > 0);
        break;
      case ">=":
        checks.push((v) => compare(v, t) >= 0);
        break;
      case "<":
        checks.push((v) => compare(v, t) < 0);
        break;
      case "<=":
        checks.push((v) => compare(v, t) <= 0);
        break;
      case "~>": {
        // The last given part may grow; the ones before it are fixed (go-version's pessimistic operator).
        const fixed = Math.max(1, target.parts - 1);
        const upper: Version = [...t];
        upper[fixed - 1] = (upper[fixed - 1] as number) + 1;
        for (let i = fixed; i < 3; i++) upper[i] = 0;
        checks.push((v) => compare(v, t) >= 0 && compare(v, upper) < 0);
        break;
      }
    }
  }
  return { test: (v) => checks.every((c) => c(v)) };
}

/** Whether `version` satisfies `constraint`; an error string when either does not parse. */
export function versionAllowed(constraint: string, version: string): boolean | { error: string } {
  const c = parseConstraint(constraint);
  if ("error" in c) return c;
  const v = parseVersion(version);
  if (!v) return { error: `the catalog's version "${version}" is not a version number` };
  return c.test(v.version);
}
