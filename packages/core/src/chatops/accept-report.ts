import type { AcceptResult } from "./accept";

/** What the log and the metrics say of one answer to Slack. */
export interface AcceptReport {
  level: "info" | "warn" | "error";
  message: string;
  metric: "ClicksAccepted" | "ClicksRefused" | "ClicksFailed";
  details: Record<string, unknown>;
}

/**
 * The endpoint's answer as the log and the metrics tell it: a refusal is a warning (a caller or a presser turned
 * away), a click not handed on an error (the presser got an error status), an ignored request (nothing to do)
 * neither logged nor counted.
 */
export function acceptReport(result: AcceptResult): AcceptReport | undefined {
  const { status, reason, userId, action } = result;
  if (result.outcome === "refused")
    return { level: "warn", message: "Click refused", metric: "ClicksRefused", details: { status, reason, userId, action } };
  if (result.outcome === "failed")
    return { level: "error", message: "Click not handed on", metric: "ClicksFailed", details: { status, reason, userId, action } };
  if (result.outcome === "accepted")
    return { level: "info", message: "Click accepted", metric: "ClicksAccepted", details: { userId, action } };
  return undefined;
}
