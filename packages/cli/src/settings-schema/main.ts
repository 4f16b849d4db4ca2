/**
 * npm run settings:schema [-- --check]: writes ops.settings.schema.json from the zod schemas of the stage settings
 * (--check: exits 1, writing nothing, when the committed file is not what the schemas give).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SETTINGS_SCHEMA_FILE, settingsJsonSchemaText } from "./json-schema";

const file = path.resolve(SETTINGS_SCHEMA_FILE);
const text = settingsJsonSchemaText();
if (process.argv.includes("--check")) {
  const current = existsSync(file) ? readFileSync(file, "utf8") : "";
  if (current !== text) {
    console.error(`${SETTINGS_SCHEMA_FILE} is not what the settings' schemas give: run npm run settings:schema and commit it.`);
    process.exit(1);
  }
  console.log(`${SETTINGS_SCHEMA_FILE} is up to date.`);
} else {
  writeFileSync(file, text);
  console.log(`Wrote ${SETTINGS_SCHEMA_FILE}.`);
}
