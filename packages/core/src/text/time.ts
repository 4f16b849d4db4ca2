/**
 * "2019-10-02 19:04:40 CEST (17:04:40 UTC)": the stage's local time, which on-call lives in, with UTC beside
 * (which AWS's consoles and logs show). In a UTC stage, UTC alone.
 */
export function formatTime(value: string, timeZone = "UTC"): string {
  const normalized = value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  const date = new Date(normalized);
  if (Number.isNaN(date.getTime())) return value;
  const utc = date.toISOString().slice(0, 19).replace("T", " ");
  if (timeZone === "UTC") return `${utc} UTC`;
  const parts = localParts(date, timeZone, "en-GB");
  // Each locale abbreviates its own region's zones (en-GB: CET, BST; en-US: EST, PST) and writes GMT±n for others.
  const zone = parts.timeZoneName?.startsWith("GMT") ? (localParts(date, timeZone, "en-US").timeZoneName ?? "") : parts.timeZoneName;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${zone} (${utc.slice(11)} UTC)`;
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
