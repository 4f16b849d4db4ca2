/**
 * "2019-10-02 19:04:40 CEST (17:04:40 UTC)": the stage's local time, which on-call lives in, with UTC beside
 * (which AWS's consoles and logs show). In a UTC stage, UTC alone.
 */
export function formatTime(value: string, timeZone = "UTC"): string {
  const date = parseTime(value);
  if (!date) return value;
  const utc = date.toISOString().slice(0, 19).replace("T", " ");
  if (timeZone === "UTC") return `${utc} UTC`;
  const { parts, zone } = local(date, timeZone);
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${zone} (${utc.slice(11)} UTC)`;
}

export interface Clock {
  /** "2019-10-02": the day in the stage's zone. */
  date: string;
  /** "19:04" in the stage's zone. */
  local: string;
  /** The zone's abbreviation then ("CEST"), or "UTC" in a UTC stage. */
  zone: string;
  /** "17:04" */
  utc: string;
}

/**
 * A time of day for a line that already has its date (an incident's step, an alarm's history): its hour and
 * minute in the stage's zone and in UTC, so the line can write them side by side. Null when it is no time.
 */
export function clockOf(value: string, timeZone = "UTC"): Clock | null {
  const date = parseTime(value);
  if (!date) return null;
  const iso = date.toISOString();
  const utc = iso.slice(11, 16);
  if (timeZone === "UTC") return { date: iso.slice(0, 10), local: utc, zone: "UTC", utc };
  const { parts, zone } = local(date, timeZone);
  return { date: `${parts.year}-${parts.month}-${parts.day}`, local: `${parts.hour}:${parts.minute}`, zone: zone ?? "", utc };
}

/**
 * "19:10 CEST (17:10 UTC)": a time of day for a short answer (a button's refusal, a keep-awake), in the stage's
 * zone with UTC beside; in a UTC stage "17:10 UTC". A time on another day than `today` (in the stage's zone) leads
 * with its date: "2019-10-01 19:10 CEST (17:10 UTC)". The text itself when it is no time.
 */
export function formatClock(value: string, timeZone = "UTC", today?: Date): string {
  const clock = clockOf(value, timeZone);
  if (!clock) return value;
  const day = today && clockOf(today.toISOString(), timeZone)?.date !== clock.date ? `${clock.date} ` : "";
  return clock.zone === "UTC" ? `${day}${clock.utc} UTC` : `${day}${clock.local} ${clock.zone} (${clock.utc} UTC)`;
}

/** ISO 8601, including CloudWatch's "+0000" offsets (no colon), which not every parser reads. */
export function parseTime(value: string): Date | null {
  const date = new Date(value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  return Number.isNaN(date.getTime()) ? null : date;
}

function local(date: Date, timeZone: string): { parts: Record<string, string>; zone: string | undefined } {
  const parts = localParts(date, timeZone, "en-GB");
  // Each locale abbreviates its own region's zones (en-GB: CET, BST; en-US: EST, PST) and writes GMT±n for others.
  const zone = parts.timeZoneName?.startsWith("GMT") ? (localParts(date, timeZone, "en-US").timeZoneName ?? "") : parts.timeZoneName;
  return { parts, zone };
}

/** Building a formatter costs far more than using one: one per locale and zone, kept for the function's life. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function localParts(date: Date, timeZone: string, locale: string): Record<string, string> {
  const key = `${locale} ${timeZone}`;
  let format = formatters.get(key);
  if (!format) {
    format = newFormatter(locale, timeZone);
    formatters.set(key, format);
  }
  return Object.fromEntries(format.formatToParts(date).map((part) => [part.type, part.value]));
}

function newFormatter(locale: string, timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  });
}
