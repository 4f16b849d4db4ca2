/**
 * Slack's Web API client, for the adapters to load at their first call. @slack/web-api is CommonJS, and esbuild
 * (0.18, SST's) gives a CommonJS package loaded with `import()` only a default export; loaded through this ES module,
 * its names survive the bundle (tests/infra/bundles-call-aws.test.ts posts through the bundled client).
 */
export { LogLevel, WebClient } from "@slack/web-api";
