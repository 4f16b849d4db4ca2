/**
 * A stage name that looks like a protected one but is not it: `prd`,
 * `production`, `prod-eu`, `stagin`. Any stage not named gets dev-shaped
 * settings (one NAT gateway, no deletion protection, asleep at night), so a
 * typo would deploy an unprotected "production". Such a name is refused unless
 * the settings file declares it.
 */
const PROTECTED = ["prod", "staging"] as const;
const ALIASES: Record<string, (typeof PROTECTED)[number]> = { production: "prod", prd: "prod", stage: "staging", stg: "staging" };
/** Preview stages are named pr-<number> (the deploy workflow): close to "prod" by letters, never meant as it. */
const PREVIEW = /^pr-\d+$/;

export function lookAlikeOf(stage: string): (typeof PROTECTED)[number] | null {
  if ((PROTECTED as readonly string[]).includes(stage) || PREVIEW.test(stage)) return null;
  const alias = ALIASES[stage];
  if (alias) return alias;
  for (const name of PROTECTED) {
    if (stage.startsWith(`${name}-`) || stage.startsWith(name)) return name;
    if (editDistance(stage, name) <= 2) return name;
  }
  return null;
}

/** Levenshtein distance with adjacent transpositions (the typo "pord" is one edit). */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}
