import { DatabaseUnavailable } from "./database-unavailable.js";

export interface RotatingPassword {
  /** pg's `password` option: the cached password, read again first when a rejection has marked it stale. */
  password(): Promise<string>;
  /** The server refused the password (28P01): RDS has rotated it, so the next connection reads the secret again. */
  rejected(): void;
}

export interface RotatingPasswordOptions {
  /**
   * At most one read again per this interval. A burst of refused connections (a pool refilling after a rotation)
   * then costs one GetSecretValue, and while the database has the new password but the secret still holds the old
   * one (a rotation between its setSecret and finishSecret steps), the service asks once per interval, not per connect.
   */
  minReadIntervalMs?: number;
  now?: () => number;
  onReadFailed?: (error: unknown) => void;
}

/** ECS puts PGPASSWORD in the environment only when a task starts: this reads the rotating one from its secret. */
export function rotatingPassword(read: () => Promise<string>, options: RotatingPasswordOptions = {}): RotatingPassword {
  const { minReadIntervalMs = 5_000, now = Date.now, onReadFailed = () => {} } = options;
  let cached: string | undefined;
  let stale = false;
  // The first rejection after a quiet spell reads at once: the next connection already gets the new password.
  let lastReadAgainAt = Number.NEGATIVE_INFINITY;
  let lastFailure: { error: DatabaseUnavailable; at: number } | undefined;
  let reading: Promise<string> | undefined;

  const readNow = () => {
    // Concurrent connects share one read.
    reading ??= read()
      .then((password) => {
        cached = password;
        stale = false;
        lastFailure = undefined;
        return password;
      })
      .catch((error: unknown) => {
        onReadFailed(error);
        // Secrets Manager unreachable: the password we had may still be the right one; without one, a 503.
        if (cached !== undefined) return cached;
        const reason = error instanceof Error ? error.message : String(error);
        lastFailure = { error: new DatabaseUnavailable(new Error(`database password not readable: ${reason}`)), at: now() };
        throw lastFailure.error;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };

  return {
    password: async () => {
      if (reading) return reading;
      if (cached === undefined) {
        if (lastFailure && now() - lastFailure.at < minReadIntervalMs) throw lastFailure.error;
        return readNow();
      }
      if (stale && now() - lastReadAgainAt >= minReadIntervalMs) {
        lastReadAgainAt = now();
        return readNow();
      }
      return cached;
    },
    rejected: () => {
      stale = true;
    },
  };
}
