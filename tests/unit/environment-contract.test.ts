import type { NotifyVariables } from "@hands-off-ops/core/notify/environment";
import { readNotifyEnvironment } from "@hands-off-ops/core/notify/environment";
import type { ReleasesVariables } from "@hands-off-ops/core/rollback/environment";
import { readReleaseGroup, readRollbackEnvironment } from "@hands-off-ops/core/rollback/environment";
import { describe, expect, it } from "vitest";
import { stageSettings } from "../../stacks/config";
import { notifyVariables, releasesVariables, rollbackVariables } from "../../stacks/lambda-environment";

/**
 * A function's environment is named once, in the schema its reader parses (core's <area>/environment.ts); the stacks'
 * writers are typed by it (VariablesOf). The @ts-expect-error lines are the test that the type bites: were a
 * misspelt, missing or unread variable to compile, `npm run typecheck` would fail on the unused directive.
 */

const app = { stage: "prod", name: "hands-off-ops" };
const refs = {
  topicArn: "arn:aws:sns:eu-central-1:123456789012:prod-on-call",
  tableName: "prod-hands-off-ops-state",
  slackSecretId: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:prod-slack",
  dashboardName: "prod-hands-off-ops",
  clusterName: "prod-cluster",
  serviceName: "prod-service",
  logGroupName: "/ecs/prod",
  workers: [],
};

describe("the environment contract", () => {
  it("what the stacks write, the function reads (with Lambda's own AWS_REGION)", () => {
    const written = notifyVariables(app, stageSettings("prod"), refs);
    const read = readNotifyEnvironment({ ...written, AWS_REGION: "eu-central-1" });
    expect(read.topicArn).toBe(refs.topicArn);
    expect(read.context.releaseAlarms.length).toBeGreaterThan(0);
  });

  it("names every variable once: a misspelt, a missing or an unread one does not compile", () => {
    const written: NotifyVariables = notifyVariables(app, stageSettings("prod"), refs);
    // @ts-expect-error STAGE_KINDS is not a variable the notify function reads.
    const misspelt: NotifyVariables = { ...written, STAGE_KINDS: "production" };
    const { ON_CALL_TOPIC_ARN: _topic, ...rest } = written;
    // @ts-expect-error ON_CALL_TOPIC_ARN is required by the notify function's schema.
    const missing: NotifyVariables = rest;
    // @ts-expect-error AWS_REGION is Lambda's own: no stack writes it.
    const lambdas: NotifyVariables = { ...written, AWS_REGION: "eu-central-1" };
    expect([misspelt, missing, lambdas].every((variables) => typeof variables === "object")).toBe(true);
  });

  it("a controller's variables are one shape or the other", () => {
    const ecs = releasesVariables(stageSettings("prod"), {
      controller: "ecs",
      serviceArn: "arn:aws:ecs:eu-central-1:123456789012:service/c/s",
    });
    expect(readReleaseGroup(ecs, "rollback function")).toMatchObject({ controller: "ecs", cluster: "c", service: "s" });
    // @ts-expect-error APPLICATION belongs to CodeDeploy's shape, not ECS's.
    const mixed: ReleasesVariables = { RELEASE_CONTROLLER: "ecs", SERVICE_ARN: "arn", APPLICATION: "app" };
    expect(mixed).toBeDefined();
  });

  it("the workers and their own alarms: one variable, written once, read alike by the notifier and the rollback", () => {
    const settings = stageSettings("prod");
    const workers = [{ name: "queue-reader", ecsService: "prod-hands-off-ops-Service-WorkerQueueReaderService-AbC" }];
    const expected = [
      {
        name: "queue-reader",
        ecsService: workers[0]?.ecsService,
        // The names ECS's deployment alarms of the worker watch (stacks/workers.ts).
        alarms: ["prod-hands-off-ops-WorkerQueueReaderCpu", "prod-hands-off-ops-WorkerQueueReaderMemory"],
      },
    ];
    const notify = readNotifyEnvironment({ ...notifyVariables(app, settings, { ...refs, workers }), AWS_REGION: "eu-central-1" });
    expect(notify.context.workers).toEqual(expected);
    const rollback = readRollbackEnvironment(
      rollbackVariables(app, settings, {
        tableName: refs.tableName,
        releases: { controller: "ecs", serviceArn: "arn:aws:ecs:eu-central-1:123456789012:service/c/s" },
        workers,
      }),
    );
    expect(rollback.policy.workers).toEqual(expected);
    // A stage without workers writes no variable, and both read none.
    const none = notifyVariables(app, settings, refs);
    expect("WORKERS" in none).toBe(false);
    expect(readNotifyEnvironment({ ...none, AWS_REGION: "eu-central-1" }).context.workers).toEqual([]);
    expect(() => readNotifyEnvironment({ ...none, AWS_REGION: "eu-central-1", WORKERS: '[{"name":"w"}]' })).toThrow(/WORKERS/);
  });
});
