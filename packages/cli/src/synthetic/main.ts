/**
 * npm run synthetic -- --url <base url>
 *
 * The stage's synthetic user (synthetics/flow.js, the very file its
 * CloudWatch Synthetics canary runs) against any URL: /health, the page, and
 * a poll created, voted on and read back. One line per step with its time;
 * exits 1 naming the step that failed, 2 on a usage error.
 */
import { createRequire } from "node:module";
import { parseArgs } from "node:util";

const USAGE = "usage: npm run synthetic -- --url <base url, e.g. https://dev.example.com>";

interface Flow {
  runFlow(baseUrl: string, options: { step: (name: string, run: () => Promise<void>) => Promise<void> }): Promise<void>;
}
const { runFlow } = createRequire(import.meta.url)("../../../../synthetics/flow.js") as Flow;

async function main(): Promise<number> {
  let url: URL;
  try {
    const { values } = parseArgs({ options: { url: { type: "string" } }, strict: true });
    if (!values.url) throw new Error("--url is required");
    url = new URL(values.url);
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  try {
    await runFlow(url.toString(), {
      step: async (name, run) => {
        const started = performance.now();
        await run();
        console.log(`✓ ${name} (${Math.round(performance.now() - started)} ms)`);
      },
    });
  } catch (error) {
    console.log(`✗ ${(error as Error).message}`);
    console.log(`The synthetic user failed on ${url.origin}.`);
    return 1;
  }
  console.log(`The synthetic user got through on ${url.origin}.`);
  return 0;
}

process.exitCode = await main();
