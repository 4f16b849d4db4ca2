/**
 * Text a person typed, made into what the database stores and compares: Unicode NFC, trimmed. Done before the
 * schema checks lengths and duplicates, so that "  " is empty and "a" and " a" are the same option.
 */
export type NormalisedText = { ok: true; text: string } | { ok: false; problem: string };

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function normaliseText(value: string): NormalisedText {
  // PostgreSQL text cannot hold NUL; a lone surrogate is not a character UTF-8 can carry.
  if (value.includes("\u0000")) return { ok: false, problem: "contains a NUL character" };
  if (LONE_SURROGATE.test(value)) return { ok: false, problem: "contains an unpaired UTF-16 surrogate" };
  return { ok: true, text: value.normalize("NFC").trim() };
}

/** The canonical form PostgreSQL's uuid type accepts and prints: 8-4-4-4-12 hex digits (no braces, no urn:uuid:). */
export const CANONICAL_UUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/** Printable ASCII, as the IETF Idempotency-Key draft's examples use; long enough for a UUID or a ULID with a prefix. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7E]{1,255}$/;
