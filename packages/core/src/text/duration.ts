/**
 * A duration as a person reads it at 3 a.m.: "45 s", "12 min", "2 h 5 min",
 * "3 days 4 h", "62 days". Two units at most, the larger first; never
 * "3751808 min".
 */
export function humanDuration(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  const plural = days === 1 ? "day" : "days";
  return days < 7 && hours % 24 ? `${days} ${plural} ${hours % 24} h` : `${days} ${plural}`;
}
