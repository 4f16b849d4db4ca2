import { randomUUID } from "node:crypto";
import type { Database } from "./db.js";

export interface Poll {
  id: string;
  question: string;
  options: { id: string; text: string }[];
}

export interface Results extends Poll {
  results: { optionId: string; text: string; votes: number }[];
  total: number;
}

export async function createPoll(db: Database, question: string, options: string[]): Promise<Poll> {
  const poll: Poll = { id: randomUUID(), question, options: options.map((text) => ({ id: randomUUID(), text })) };
  await db.transaction(async (tx) => {
    await tx.query("INSERT INTO polls (id, question) VALUES ($1, $2)", [poll.id, question]);
    for (const [position, option] of poll.options.entries()) {
      await tx.query("INSERT INTO poll_options (id, poll_id, position, text) VALUES ($1, $2, $3, $4)", [
        option.id,
        poll.id,
        position,
        option.text,
      ]);
    }
  });
  return poll;
}

export type VoteOutcome = "counted" | "unknown-poll" | "unknown-option";

/** Counts one vote, if the option belongs to the poll. */
export async function castVote(db: Database, pollId: string, optionId: string): Promise<VoteOutcome> {
  const inserted = await db.query(
    `INSERT INTO votes (poll_id, option_id)
       SELECT poll_id, id FROM poll_options WHERE poll_id = $1 AND id = $2
     RETURNING id`,
    [pollId, optionId],
  );
  if (inserted.rows.length > 0) return "counted";
  const poll = await db.query("SELECT 1 FROM polls WHERE id = $1", [pollId]);
  return poll.rows.length > 0 ? "unknown-option" : "unknown-poll";
}

export async function pollResults(db: Database, pollId: string): Promise<Results | undefined> {
  const { rows } = await db.query<{ question: string; option_id: string; text: string; votes: string | number }>(
    `SELECT p.question, o.id AS option_id, o.text, count(v.id) AS votes
       FROM polls p
       JOIN poll_options o ON o.poll_id = p.id
       LEFT JOIN votes v ON v.option_id = o.id
      WHERE p.id = $1
      GROUP BY p.question, o.id, o.text, o.position
      ORDER BY o.position`,
    [pollId],
  );
  const [first] = rows;
  if (!first) return undefined;
  const results = rows.map((r) => ({ optionId: r.option_id, text: r.text, votes: Number(r.votes) }));
  return {
    id: pollId,
    question: first.question,
    options: results.map((r) => ({ id: r.optionId, text: r.text })),
    results,
    total: results.reduce((sum, r) => sum + r.votes, 0),
  };
}
