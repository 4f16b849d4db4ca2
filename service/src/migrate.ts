/** `npm run migrate`: applies pending schema migrations to the configured database, then exits. */
import { loadConfig } from "./config.js";
import { openDatabase } from "./db.js";
import { migrate } from "./migrations.js";

const db = await openDatabase(loadConfig().database);
try {
  const applied = await migrate(db);
  console.log(applied.length ? `Applied: ${applied.join(", ")}` : "The schema is up to date.");
} finally {
  await db.close();
}
