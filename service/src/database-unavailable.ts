/**
 * A request failed because the database cannot answer right now (restart, failover, a frozen or overloaded server),
 * not because of the request: the service answers 503 with Retry-After, and the client may try again.
 */
export class DatabaseUnavailable extends Error {
  override name = "DatabaseUnavailable";
  constructor(cause: unknown) {
    super(`database unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

// SQLSTATE classes and codes that mean "the server or the connection", never "this request": connection exceptions
// (08), operator intervention (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now, 57014 a
// statement timeout), insufficient resources (53), and 28P01: the password was refused, which after RDS rotated it is
// the service's stale credential, never the request's fault (the password is read again; the client may retry).
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0[1-3]$|57014$|28P01$)/;
const UNAVAILABLE_SOCKET = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);
// node-postgres reports its own timeouts and broken connections without a code.
const UNAVAILABLE_DRIVER_MESSAGE =
  /timeout exceeded when trying to connect|Connection terminated|Query read timeout|not queryable|connection timeout/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailable) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_SOCKET.has(code))) return true;
  return typeof code !== "string" && UNAVAILABLE_DRIVER_MESSAGE.test(error.message);
}
