/**
 * The synthetic user of a stage, as CloudWatch Synthetics runs it every few
 * minutes from outside the VPC: /health, the voting page, and one API flow
 * (create a poll, vote, read the result). Plain CommonJS with no dependency,
 * because the canary runtime loads this file as it is; `npm run synthetic`
 * runs the very same steps against any URL, locally.
 *
 * Each step fails with what it saw, so the canary's report (and the alarm's
 * message) names the step: "vote: status 500, expected 201".
 */
const TIMEOUT_MS = 10_000;

/** The steps, in order; each gets what the steps before it learned. */
function steps(baseUrl, fetchImpl) {
  const call = async (method, path, body, headers = {}) => {
    const response = await fetchImpl(new URL(path, baseUrl), {
      method,
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    return { status: response.status, type: response.headers.get("content-type") ?? "", text: await response.text() };
  };
  const expectStatus = (seen, status) => {
    if (seen.status !== status) throw new Error(`status ${seen.status}, expected ${status}: ${seen.text.slice(0, 200)}`);
  };
  const json = (seen) => {
    try {
      return JSON.parse(seen.text);
    } catch {
      throw new Error(`the answer is not JSON: ${seen.text.slice(0, 200)}`);
    }
  };
  return [
    {
      name: "health",
      run: async () => {
        const seen = await call("GET", "/health");
        expectStatus(seen, 200);
        if (seen.text.trim() !== "UP") throw new Error(`answered "${seen.text.slice(0, 50)}", expected "UP"`);
      },
    },
    {
      name: "voting page",
      run: async () => {
        const seen = await call("GET", "/");
        expectStatus(seen, 200);
        if (!seen.type.startsWith("text/html") || !seen.text.includes("<html")) throw new Error(`not the page: ${seen.type}`);
      },
    },
    {
      name: "create a poll",
      run: async (state) => {
        const seen = await call("POST", "/api/polls", {
          question: `Synthetic check ${new Date().toISOString()}`,
          options: ["yes", "no"],
        });
        expectStatus(seen, 201);
        const poll = json(seen);
        if (!poll.id || !Array.isArray(poll.options) || poll.options.length !== 2) throw new Error("the new poll has no id or options");
        state.poll = poll;
      },
    },
    {
      name: "vote",
      run: async (state) => {
        const option = state.poll.options[0];
        const key = `synthetic-${state.poll.id}`;
        const seen = await call("POST", `/api/polls/${state.poll.id}/votes`, { optionId: option.id }, { "idempotency-key": key });
        expectStatus(seen, 201);
        state.voted = option.id;
      },
    },
    {
      name: "read the result",
      run: async (state) => {
        const seen = await call("GET", `/api/polls/${state.poll.id}/results`);
        expectStatus(seen, 200);
        const counted = json(seen).results?.find((r) => r.optionId === state.voted)?.votes;
        if (counted !== 1) throw new Error(`the vote is not counted (votes: ${counted})`);
      },
    },
  ];
}

/**
 * Runs the steps through `step(name, fn)`: Synthetics' executeStep in the
 * canary (it times and reports each step), a plain runner locally. The first
 * failing step ends the run with its name in the error.
 */
async function runFlow(baseUrl, { step, fetchImpl = fetch }) {
  const state = {};
  for (const { name, run } of steps(baseUrl, fetchImpl)) {
    await step(name, async () => {
      try {
        await run(state);
      } catch (error) {
        throw new Error(`${name}: ${error.message}`);
      }
    });
  }
}

/** The canary's entry point (runtime syn-nodejs-puppeteer): the stage's public URL comes in BASE_URL. */
async function handler() {
  // Only the canary runtime has this module; requiring it here keeps the file runnable anywhere else.
  const synthetics = require("Synthetics");
  return runFlow(process.env.BASE_URL, { step: (name, fn) => synthetics.executeStep(name, fn) });
}

module.exports = { steps, runFlow, handler };
