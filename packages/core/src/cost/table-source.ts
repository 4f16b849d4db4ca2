import type { PriceTable } from "./price-table";

/** EU_WEST_1 for eu-west-1: the name a region's table is exported under. */
export const tableConstant = (region: string) => region.toUpperCase().replaceAll("-", "_");

/** The TypeScript module of a region's table, as `npm run prices` writes it to prices/<region>.ts. */
export function tableModule(table: PriceTable): string {
  const { region, currency, source, checked, ...figures } = table;
  const lines = Object.entries(figures).map(([key, value]) => `  ${key}: ${literal(value)},`);
  return [
    `import type { PriceTable } from "../price-table";`,
    "",
    `// Written by \`npm run prices -- --region ${region}\` from AWS's Price List offer files; run it again to refresh.`,
    `export const ${tableConstant(region)}: PriceTable = {`,
    `  region: ${JSON.stringify(region)},`,
    `  currency: ${JSON.stringify(currency)},`,
    `  source: ${JSON.stringify(source)},`,
    `  // The offer files' publicationDate (the oldest of them).`,
    `  checked: ${JSON.stringify(checked)},`,
    ...lines,
    "};",
    "",
  ].join("\n");
}

function literal(value: unknown): string {
  if (typeof value === "number") return String(value);
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([key, v]) => `${/^[a-zA-Z_]\w*$/.test(key) ? key : JSON.stringify(key)}: ${literal(v)}`,
  );
  return `{ ${entries.join(", ")} }`;
}

const TABLES = /export const PRICE_TABLES: Readonly<Record<string, PriceTable>> = \{([^}]*)\};/;

/** prices/index.ts with the region's table imported and in PRICE_TABLES (unchanged when it already is). */
export function registerTable(indexSource: string, region: string): string {
  const match = TABLES.exec(indexSource);
  if (!match?.[1])
    throw new Error("prices/index.ts: no `export const PRICE_TABLES: Readonly<Record<string, PriceTable>> = { … };` to add to");
  const entries = new Map([...match[1].matchAll(/"([a-z0-9-]+)":\s*([A-Z0-9_]+)/g)].map((m) => [m[1] ?? "", m[2] ?? ""]));
  if (entries.has(region)) return indexSource;
  entries.set(region, tableConstant(region));
  const sorted = [...entries].sort(([a], [b]) => a.localeCompare(b));
  const oneLine = `export const PRICE_TABLES: Readonly<Record<string, PriceTable>> = { ${sorted.map(([r, c]) => `"${r}": ${c}`).join(", ")} };`;
  const map =
    oneLine.length <= 140
      ? oneLine
      : `export const PRICE_TABLES: Readonly<Record<string, PriceTable>> = {\n${sorted.map(([r, c]) => `  "${r}": ${c},`).join("\n")}\n};`;
  const withMap = indexSource.replace(TABLES, map);
  // Imports of the tables, one per line, kept in the order of their file names.
  const imports = withMap.split("\n").filter((line) => /^import \{ [A-Z0-9_]+ \} from "\.\/[a-z0-9-]+";$/.test(line));
  const last = imports.at(-1);
  if (!last) throw new Error("prices/index.ts: no table import to add to");
  const all = [...imports, `import { ${tableConstant(region)} } from "./${region}";`].sort((a, b) =>
    (a.split('"./')[1] ?? "").localeCompare(b.split('"./')[1] ?? ""),
  );
  const rest = withMap.split("\n").filter((line) => !imports.includes(line));
  const at = rest.findIndex((line) => line.startsWith("import type { PriceTable }"));
  rest.splice(at + 1, 0, ...all);
  return rest.join("\n");
}
