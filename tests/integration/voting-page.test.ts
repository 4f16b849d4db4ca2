import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumBinary, requirePeers } from "../peers/required";
import { type RunningService, startService } from "./processes";

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
