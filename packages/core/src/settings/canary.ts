import * as z from "../zod";

const CheckKind = z.enum(["smoke", "compare"]);
const checksPerHook = z.array(CheckKind).check(z.refine((kinds) => new Set(kinds).size === kinds.length, "lists a check twice"));
const apiPath = z.string().check(z.regex(/^\/[^\s]*$/, "must be a path starting with /"));

/** RFC 9110's token: what a header's name may be. */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * A header's value: written out, or read from Secrets Manager when the check runs (a token for an authenticated
 * endpoint), never put in the template or a log. `key` picks a field of a JSON secret; `prefix` goes before the
 * value ("Bearer ").
 */
export const SmokeHeaderValueSchema = z.union([
  z
    .string()
    .check(z.maxLength(4096))
    .check(z.regex(/^[^\r\n]*$/, "must be one line")),
  z.strictObject({
    // By name: the grant is on the name's ARN (arn:…:secret:<name>-??????), which an ARN here would never match.
    secret: z
      .string()
      .check(z.minLength(1))
      .check(z.maxLength(512))
      .check(z.refine((name) => !name.startsWith("arn:"), "must be the secret's name, not its ARN")),
    key: z.optional(z.string().check(z.minLength(1))),
    prefix: z._default(
      z
        .string()
        .check(z.maxLength(64))
        .check(z.regex(/^[^\r\n]*$/, "must be one line")),
      "",
    ),
  }),
]);
export type SmokeHeaderValue = z.infer<typeof SmokeHeaderValueSchema>;
export type SecretHeader = Exclude<SmokeHeaderValue, string>;

/** Request headers by name, none by default. */
const SmokeHeadersSchema = z._default(
  z.record(z.string(), SmokeHeaderValueSchema).check(
    z.superRefine((headers, context) => {
      for (const name of Object.keys(headers))
        if (!HEADER_NAME.test(name))
          context.issues.push({ code: "custom", input: name, path: [name], message: "must be an HTTP header name (RFC 9110 token)" });
    }),
  ),
  {},
);

export const SmokeCheckSchema = z.strictObject({
  name: z.string().check(z.minLength(1)).check(z.maxLength(60)),
  method: z.enum(["GET", "HEAD", "POST"]),
  path: apiPath,
  body: z.nullable(z.string().check(z.maxLength(10_000))),
  expectStatus: z.number().check(z.int()).check(z.gte(100)).check(z.lte(599)),
  /** A regular expression the response body must match, or null. */
  bodyMatch: z.nullable(z.string()),
  latencyBudgetMs: z.number().check(z.int()).check(z.positive()).check(z.lte(60_000)),
  /** Request headers, e.g. `{"authorization": {"secret": "prod/smoke-token", "prefix": "Bearer "}}`. */
  headers: SmokeHeadersSchema,
});
export type SmokeCheck = z.infer<typeof SmokeCheckSchema>;

export const CanarySettingsSchema = z.strictObject({
  /** Which checks run at which CodeDeploy lifecycle hook; a hook with none is not wired into releases. */
  hooks: z.strictObject({
    BeforeInstall: z.array(CheckKind).check(z.maxLength(0, "no check can reach the new tasks before test traffic is allowed")),
    AfterInstall: z.array(CheckKind).check(z.maxLength(0, "no check can reach the new tasks before test traffic is allowed")),
    AfterAllowTestTraffic: checksPerHook,
    BeforeAllowTraffic: checksPerHook,
    // After traffic has moved, both listeners reach the new version: there is nothing left to compare with.
    AfterAllowTraffic: z
      .array(z.literal("smoke", { error: "only smoke checks: after AllowTraffic there is no current version to compare with" }))
      .check(z.maxLength(1)),
  }),
  smoke: z.array(SmokeCheckSchema).check(z.minLength(1)),
  /**
   * What answers 200 once the stage can serve (a woken stage, before its smoke checks): the voting app's /ready,
   * which also reaches the database; a stage's own public service's health path (services.*.health.path).
   */
  readyPath: z._default(apiPath, "/ready"),
  /** Retries of a failing smoke check while the new tasks warm up, with exponential backoff. */
  warmup: z.strictObject({
    retries: z.number().check(z.int()).check(z.gte(0)).check(z.lte(10)),
    minDelayMs: z.number().check(z.int()).check(z.gte(10)).check(z.lte(30_000)),
  }),
  /** The same bounded sample sent to the new version (test listener) and the current one (production listener). */
  comparison: z.strictObject({
    path: apiPath,
    /** Sent with every request of the sample, as a smoke check's (an authenticated path needs its token). */
    headers: SmokeHeadersSchema,
    requests: z.number().check(z.int()).check(z.gte(20)).check(z.lte(2000)),
    /**
     * Requests sent to both versions first and not counted: a task that has just started compiles its code paths
     * (and the database driver's) on its first requests, which would otherwise count against the new version's
     * p95 while the current one is long warm.
     */
    warmupRequests: z._default(z.number().check(z.int()).check(z.gte(0)).check(z.lte(500)), 20),
    concurrency: z.number().check(z.int()).check(z.gte(1)).check(z.lte(50)),
    timeoutMs: z.number().check(z.int()).check(z.positive()).check(z.lte(30_000)),
    /** Significance level of both tests. */
    alpha: z.number().check(z.gt(0)).check(z.lte(0.2)),
    /** A regression must also exceed these margins: error rate (absolute) and p95 latency (percent). */
    maxErrorRateIncrease: z.number().check(z.gte(0)).check(z.lte(1)),
    maxP95IncreasePercent: z.number().check(z.gte(0)).check(z.lte(1000)),
  }),
  /**
   * The approval gate: once the hook's checks pass, it posts their evidence in the release's thread with Approve
   * and Reject, and the release waits for a person (Slack actions) until the deadline, then takes `onDeadline`.
   * It works once Slack is connected (chatops.teamId); until then the hook reports its checks' verdict as usual.
   */
  approval: z.strictObject({
    enabled: z.boolean(),
    /** The hook that waits: the one whose checks are the evidence, or the last before production traffic moves. */
    hook: z.enum(["AfterAllowTestTraffic", "BeforeAllowTraffic"]),
    /** Well under CodeDeploy's one-hour limit for a hook, which the checks' own minutes also count against. */
    deadlineMinutes: z.number().check(z.int()).check(z.gte(5)).check(z.lte(45)),
    /** What is reported when nobody answers in time. */
    onDeadline: z.enum(["Failed", "Succeeded"]),
  }),
  /** Seconds kept back from the Lambda deadline to report the verdict. */
  reserveSeconds: z.number().check(z.int()).check(z.gte(2)).check(z.lte(60)),
  /**
   * While a canary release shifts traffic: compare the two target groups' load balancer metrics and stop the
   * release (with rollback) on a regression, using the comparison's significance level and margins.
   */
  watch: z.strictObject({
    enabled: z.boolean(),
    /**
     * How often the metrics are read while the release runs. The service's per-revision counts come in 10-s
     * periods (the load balancer's in minutes): every 5 s, a new period is read 2.5 s after it is there, on average.
     */
    pollSeconds: z.number().check(z.int()).check(z.gte(2)).check(z.lte(60)),
    /** The trailing window compared, in whole minutes (the load balancer's metrics have one-minute periods). */
    windowMinutes: z.number().check(z.int()).check(z.gte(1)).check(z.lte(10)),
    /** Fewer requests than this on either side in the window: no verdict yet. */
    minRequests: z.number().check(z.int()).check(z.gte(1)).check(z.lte(100_000)),
  }),
});
export type CanarySettings = z.infer<typeof CanarySettingsSchema>;
