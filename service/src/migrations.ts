import { Umzug } from "umzug";
import type { Database } from "./db.js";

type Tx = Pick<Database, "query">;

/** The schema's history, oldest first. Never edit a migration that has shipped: add one. */
const MIGRATIONS: { name: string; up: (db: Tx) => Promise<unknown> }[] = [
  {
    name: "0001-polls-options-votes",
    up: async (db) => {
      await db.query(`CREATE TABLE polls (
        id uuid PRIMARY KEY,
        question text NOT NULL CHECK (char_length(question) BETWEEN 1 AND 200),
        created_at timestamptz NOT NULL DEFAULT now())`);
      await db.query(`CREATE TABLE poll_options (
        id uuid PRIMARY KEY,
        poll_id uuid NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
        position smallint NOT NULL,
        text text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 100),
        UNIQUE (poll_id, position))`);
      await db.query(`CREATE TABLE votes (
        id bigserial PRIMARY KEY,
        poll_id uuid NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
        option_id uuid NOT NULL REFERENCES poll_options (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now())`);
      await db.query("CREATE INDEX votes_by_poll_option ON votes (poll_id, option_id)");
    },
  },
  {
    // The Idempotency-Key of each vote that sent one, per poll: a retry finds its first outcome here.
    name: "0002-vote-requests",
    up: async (db) => {
      await db.query(`CREATE TABLE vote_requests (
        poll_id uuid NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
        idempotency_key text NOT NULL CHECK (char_length(idempotency_key) BETWEEN 1 AND 255),
        option_id uuid NOT NULL REFERENCES poll_options (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (poll_id, idempotency_key))`);
    },
  },
];

// Any fixed number: the advisory lock that keeps two tasks starting together from migrating at once.
const MIGRATION_LOCK = 727_001;

/** Applies the migrations not applied yet, in one transaction, under an advisory lock. Returns their names. */
export async function migrate(db: Database): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await tx.query("CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
    const umzug = new Umzug<Tx>({
      migrations: MIGRATIONS.map(({ name, up }) => ({ name, up: ({ context }) => up(context) })),
      context: tx,
      logger: undefined,
      storage: {
        executed: async ({ context }) =>
          (await context.query<{ name: string }>("SELECT name FROM schema_migrations ORDER BY name")).rows.map((r) => r.name),
        logMigration: async ({ name, context }) => {
          await context.query("INSERT INTO schema_migrations (name) VALUES ($1)", [name]);
        },
        unlogMigration: async ({ name, context }) => {
          await context.query("DELETE FROM schema_migrations WHERE name = $1", [name]);
        },
      },
    });
    return (await umzug.up()).map((m) => m.name);
  });
}
