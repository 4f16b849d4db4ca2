import { createServer } from "node:http";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningService, startService } from "../helpers/processes";
import { chromiumBinary, requirePeers } from "../peers/required";

/** Debian's Chromium, headless, with nothing that would reach for the network; Playwright gives it a new empty profile. */
async function launchChromium(): Promise<Browser> {
  // Debian's package by default; GitHub's Ubuntu runners bring Google Chrome instead (CHROMIUM_PATH, see .github/workflows/ci.yml).
  requirePeers("Chromium");
  return chromium.launch({
    executablePath: chromiumBinary(),
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

describe("the voting page in a browser", () => {
  let service: RunningService;
  let browser: Browser;

  beforeAll(async () => {
    service = await startService({ LOG_LEVEL: "warn" });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    service?.child.kill("SIGTERM");
  });

  /** Opens the page and submits the new-poll form as a person would. */
  async function submitPoll(question: string, options: string) {
    const page = await browser.newPage();
    await page.goto(service.url);
    await page.getByLabel("Question").fill(question);
    await page.getByLabel("Options, one per line").fill(options);
    await page.getByRole("button", { name: "Create poll" }).click();
    return page;
  }

  it("creates a poll, votes and shows the live result", async () => {
    const page = await submitPoll("Best season?", "Spring\nSummer\nAutumn\n");

    await expect.poll(() => page.locator("#question").textContent()).toBe("Best season?");
    expect(new URL(page.url()).searchParams.get("poll")).toMatch(/^[0-9a-f-]{36}$/);
    await page.getByLabel("Summer").check();
    await page.getByRole("button", { name: "Vote" }).click();

    await expect.poll(() => page.locator("#total").textContent()).toBe("(1 vote)");
    const results = await page.locator(".result").evaluateAll((rows) => rows.map((row) => row.textContent));
    expect(results).toEqual(["Spring0 (0%)", "Summer1 (100%)", "Autumn0 (0%)"]);
  });

  it("shows the server's reason when a poll is refused", async () => {
    const page = await submitPoll("Only one option?", "Alone");
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/^Invalid request: .*options.*2/);
  });
});

/**
 * AWS WAF's human check, as the page meets it (stacks/Firewall.ts): a write
 * without a token is answered 405 with `x-amzn-waf-action: captcha`; the
 * page at `/?human=1` is where the firewall shows its puzzle, and solving it
 * sets the `aws-waf-token` cookie. A home-made stand-in (no peer implements
 * WAF's CAPTCHA): the puzzle counts as solved when the page is loaded there.
 */
function humanCheckInFrontOf(target: string) {
  const seen: string[] = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://stand-in");
    const token = /(?:^|; )aws-waf-token=solved/.test(req.headers.cookie ?? "");
    seen.push(`${req.method} ${url.pathname}${url.search}${token ? " (token)" : ""}`);
    if (req.method === "POST" && url.pathname.startsWith("/api/") && !token) {
      res.writeHead(405, { "x-amzn-waf-action": "captcha", "content-type": "text/html" }).end("<html>CAPTCHA</html>");
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== "host" && k !== "content-length")) as Record<
      string,
      string
    >;
    const answer = await fetch(new URL(url.pathname + url.search, target), {
      method: req.method,
      headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    const solved = req.method === "GET" && url.pathname === "/" && url.searchParams.get("human") === "1";
    res.writeHead(answer.status, {
      ...Object.fromEntries(answer.headers),
      ...(solved ? { "set-cookie": "aws-waf-token=solved; Path=/" } : {}),
    });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  return { server, seen };
}

describe("the voting page behind the firewall's human check", () => {
  let service: RunningService;
  let browser: Browser;
  let front: ReturnType<typeof humanCheckInFrontOf>;
  let url: string;

  beforeAll(async () => {
    service = await startService({ LOG_LEVEL: "warn" });
    browser = await launchChromium();
    front = humanCheckInFrontOf(service.url);
    await new Promise<void>((resolve) => front.server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(front.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await browser?.close();
    front?.server.close();
    service?.child.kill("SIGTERM");
  });

  it("takes the person through the check and sends their poll and their vote once each, with the token", async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.getByLabel("Question").fill("Tea or coffee?");
    await page.getByLabel("Options, one per line").fill("Tea\nCoffee\n");
    await page.getByRole("button", { name: "Create poll" }).click();
    await expect.poll(() => page.locator("#question").textContent()).toBe("Tea or coffee?");
    expect(new URL(page.url()).searchParams.has("human")).toBe(false);
    await page.getByLabel("Coffee").check();
    await page.getByRole("button", { name: "Vote" }).click();
    await expect.poll(() => page.locator("#total").textContent()).toBe("(1 vote)");

    const writes = front.seen.filter((line) => line.startsWith("POST"));
    expect(writes.map((w) => w.replace(/[0-9a-f-]{36}/, "<poll>"))).toEqual([
      "POST /api/polls",
      "POST /api/polls (token)",
      "POST /api/polls/<poll>/votes (token)",
    ]);
    expect(front.seen).toContain("GET /?human=1");
  });
});
