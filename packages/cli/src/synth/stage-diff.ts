/** A setting whose value is not the same in every compared stage. */
export interface SettingDifference {
  path: string;
  values: Record<string, string>;
}

/**
 * The settings that differ between stages, as dotted paths (e.g.
 * `database.multiAz`) with each stage's value rendered as text. Fields that
 * are the same everywhere, and the stage name itself, are left out.
 */
export function settingsDifferences(settingsByStage: Record<string, object>): SettingDifference[] {
  const flattened = Object.fromEntries(Object.entries(settingsByStage).map(([stage, settings]) => [stage, flatten(settings)]));
  const paths = [...new Set(Object.values(flattened).flatMap((values) => Object.keys(values)))].filter((p) => p !== "stage");
  const differences: SettingDifference[] = [];
  for (const path of paths) {
    const values = Object.fromEntries(Object.entries(flattened).map(([stage, settings]) => [stage, settings[path] ?? "—"]));
    if (new Set(Object.values(values)).size > 1) differences.push({ path, values });
  }
  return differences;
}

function flatten(value: unknown, prefix = ""): Record<string, string> {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0 && prefix) return { [prefix]: "{}" };
    return Object.assign({}, ...entries.map(([key, inner]) => flatten(inner, prefix ? `${prefix}.${key}` : key)));
  }
  return { [prefix]: render(value) };
}

function render(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? "[]" : value.map(render).join(",");
  if (value === null) return "none";
  return String(value);
}
