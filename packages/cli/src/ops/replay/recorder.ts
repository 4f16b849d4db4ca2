/**
 * What a replayed handler did, in order: each AWS call its real adapter made
 * (written by the recording clients, replay/recording.ts, and the recording
 * fetch, replay/http.ts: service, operation, what it says), the HTTP
 * requests of a canary hook. Repeats of an AWS call in a row are counted,
 * not repeated; HTTP requests are counted per request and answer wherever
 * they come (a comparison alternates hundreds of requests between two
 * versions).
 */
export class Recorder {
  readonly #lines: { text: string; times: number }[] = [];

  aws(service: string, operation: string, detail = ""): void {
    this.#push(`AWS  ${service} ${operation}${detail ? `  ${detail}` : ""}`);
  }

  http(method: string, url: string, answer: string): void {
    const text = `HTTP ${method} ${url} → ${answer}`;
    const seen = this.#lines.find((line) => line.text === text);
    if (seen) seen.times++;
    else this.#lines.push({ text, times: 1 });
  }

  lines(): string[] {
    return this.#lines.map(({ text, times }) => (times > 1 ? `${text}  (×${times})` : text));
  }

  #push(text: string): void {
    const last = this.#lines.at(-1);
    if (last?.text === text) last.times++;
    else this.#lines.push({ text, times: 1 });
  }
}
