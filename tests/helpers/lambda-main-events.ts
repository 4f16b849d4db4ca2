import { readFileSync } from "node:fs";
import { ecsHookEvent, lifecycleHookEvent, loadEvent, releaseAlarmEvent } from "../fixtures/events";

/**
 * The event each Lambda exists for, as it arrives in prod (dev for the
 * schedule): what a cold start's first invocation really does. `service` is
 * where the canary hook's listeners point (a local stand-in).
 */
export function mainEvent(
  handler: string,
  service: string,
): { event: unknown; environment: (env: Record<string, string>) => Record<string, string> } | undefined {
  const same = () => ({});
  switch (handler) {
    case "functions/notify.handler":
    case "functions/rollback.handler":
      return { event: releaseAlarmEvent("prod"), environment: same };
    case "functions/canary-hook.handler":
      return {
        event: lifecycleHookEvent(),
        // Both listeners on the stand-in; warm-up retries a few milliseconds apart instead of seconds.
        environment: (env) => ({
          TEST_URL: service,
          PRODUCTION_URL: service,
          CANARY_SETTINGS: JSON.stringify({ ...JSON.parse(env.CANARY_SETTINGS ?? "{}"), warmup: { retries: 0, minDelayMs: 10 } }),
        }),
      };
    case "functions/ecs-hook.handler":
      return {
        // After the test traffic shift: the smoke checks and the 200 + 200 comparison, as in prod with ecs.
        event: ecsHookEvent("POST_TEST_TRAFFIC_SHIFT"),
        environment: (env) => ({
          TEST_URL: service,
          PRODUCTION_URL: service,
          CANARY_SETTINGS: JSON.stringify({ ...JSON.parse(env.CANARY_SETTINGS ?? "{}"), warmup: { retries: 0, minDelayMs: 10 } }),
        }),
      };
    case "functions/canary-watch.handler":
      return { event: releaseStart(), environment: same };
    case "functions/schedule.handler":
      return { event: { action: "check" }, environment: same };
    case "functions/release.onEvent":
      return { event: releaseUpdate(), environment: same };
    default:
      return undefined;
  }
}

/** CodeDeploy's state change for the start of a prod release. */
export function releaseStart() {
  const start = loadEvent("codedeploy-deployment-state-change");
  start.detail = {
    ...start.detail,
    application: "prod-hands-off-ops-Service",
    deploymentGroup: "prod-hands-off-ops-Service",
    state: "START",
  };
  return start;
}

/** CloudFormation's update of Custom::Release: `sst deploy` ships a new task definition. */
export function releaseUpdate() {
  return JSON.parse(readFileSync(new URL("../fixtures/events/cloudformation-custom-resource-update.json", import.meta.url), "utf8"));
}
