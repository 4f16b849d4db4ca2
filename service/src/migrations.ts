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
  {
    // Each option's vote count, kept by PostgreSQL in the transaction of every statement that adds or removes votes, so
    // that results read one row per option however many votes a poll has. A trigger rather than the service's code:
    // during a blue/green release the old tasks keep voting, and their votes are counted too. Statement-level with
    // transition tables, so that a bulk insert updates each option once. The lock keeps every vote out between the
    // backfill and the trigger (0.2 s per million votes measured here; votes wait meanwhile, reads go on).
    name: "0003-option-vote-counts",
    up: async (db) => {
      await db.query("LOCK TABLE votes IN SHARE ROW EXCLUSIVE MODE");
      await db.query("ALTER TABLE poll_options ADD COLUMN votes bigint NOT NULL DEFAULT 0 CHECK (votes >= 0)");
      await db.query(`CREATE FUNCTION count_option_votes() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP IN ('DELETE', 'UPDATE') THEN
            UPDATE poll_options o SET votes = o.votes - c.n
              FROM (SELECT option_id, count(*) AS n FROM removed_votes GROUP BY option_id) c WHERE o.id = c.option_id;
          END IF;
          IF TG_OP IN ('INSERT', 'UPDATE') THEN
            UPDATE poll_options o SET votes = o.votes + c.n
              FROM (SELECT option_id, count(*) AS n FROM added_votes GROUP BY option_id) c WHERE o.id = c.option_id;
          END IF;
          RETURN NULL;
        END $$`);
      await db.query(`CREATE TRIGGER votes_counted_on_insert AFTER INSERT ON votes
        REFERENCING NEW TABLE AS added_votes FOR EACH STATEMENT EXECUTE FUNCTION count_option_votes()`);
      await db.query(`CREATE TRIGGER votes_counted_on_delete AFTER DELETE ON votes
        REFERENCING OLD TABLE AS removed_votes FOR EACH STATEMENT EXECUTE FUNCTION count_option_votes()`);
      await db.query(`CREATE TRIGGER votes_counted_on_update AFTER UPDATE ON votes
        REFERENCING OLD TABLE AS removed_votes NEW TABLE AS added_votes FOR EACH STATEMENT EXECUTE FUNCTION count_option_votes()`);
      // TRUNCATE fires no row triggers: a table emptied that way would need its counts zeroed by hand.
      await db.query(`UPDATE poll_options o SET votes = c.n
        FROM (SELECT option_id, count(*) AS n FROM votes GROUP BY option_id) c WHERE o.id = c.option_id`);
    },
  },
];

// Any fixed number: the advisory lock that keeps two tasks starting together from migrating at once.
const MIGRATION_LOCK = 727_001;

/**
 * Applies the migrations not applied yet, in one transaction, under an advisory lock. Returns their names. `to` stops
 * after the named one (tests of a later migration's backfill start from the schema before it).
 */
export async function migrate(db: Database, to?: string): Promise<string[]> {
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
    return (await umzug.up(to ? { to } : {})).map((m) => m.name);
  });
}
