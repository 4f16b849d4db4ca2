import { normalize } from "@hands-off-ops/core/notify/normalize";
import { automationEntry } from "@hands-off-ops/core/notify/sources/automation";
import { describe, expect, it } from "vitest";
import { backToOk, deploymentEvent, loadEvent, releaseAlarmEvent, stoppedTask } from "../../fixtures/events";
import { PROD_CONTEXT } from "./context";
import { messageOf } from "./message-of";

describe("alarm state changes", () => {
  it("pages for an alarm the stage marks critical, claims no action it does not know of, and carries the runbook", () => {
    const message = messageOf(releaseAlarmEvent());
    expect(message.severity).toBe("critical");
    expect(message.title).toBe("Alb5xxRate is in ALARM");
    // The notifier does not know what the automation did: the rollback function reports that itself.
    expect(message.actionsTaken).toEqual([]);
    expect(message.facts).toContainEqual({
      label: "Release guard",
      value: "CodeDeploy's deployment group watches this alarm; what the rollback function decides follows in this incident.",
    });
    expect(message.nextStep).toMatch(/^The rollback function's message says what the automation did/);
    expect(message.incident).toEqual({ role: "event", key: "alarm:prod-hands-off-ops-Alb5xxRate", state: "ALARM", lasting: true });
  });

  it("is a warning without automatic action for an alarm nobody marked critical", () => {
    const message = messageOf(loadEvent("cloudwatch-alarm-single-metric"));
    expect(message.severity).toBe("warning");
    expect(message.actionsTaken).toEqual([]);
    expect(message.facts).toContainEqual({ label: "Threshold", value: "50" });
    expect(message.facts).toContainEqual({ label: "Recent values", value: "99.502" });
  });

  it("is resolved, with no graph and no next step, when the alarm goes back to OK", () => {
    const message = messageOf(backToOk(releaseAlarmEvent(), "ok-1", "2019-10-02T17:19:40Z"));
    expect(message.severity).toBe("resolved");
    expect(message.title).toBe("Alb5xxRate is back to OK");
    expect(message.graph).toBeNull();
    expect(message.nextStep).toBeNull();
    expect(message.facts).toContainEqual({ label: "State", value: "ALARM → OK" });
  });

  it("dates an OK's episode from its previousState, the time the alarm went into ALARM, not from the OK", () => {
    // backToOk swaps the sample's states: the OK's previousState is the sample's ALARM, 2019-10-02T17:04:40.989+0000.
    const message = messageOf(backToOk(releaseAlarmEvent(), "ok-1", "2019-10-02T17:19:40Z"));
    expect(message.incident).toEqual({
      role: "event",
      lasting: true,
      key: "alarm:prod-hands-off-ops-Alb5xxRate",
      state: "OK",
      since: "2019-10-02T17:04:40.989Z",
    });
    expect(message.facts).toContainEqual({ label: "ALARM began", value: "2019-10-02 19:04:40 CEST (17:04:40 UTC)" });
    expect(message.facts).toContainEqual({ label: "Since", value: "2019-10-02 19:19:40 CEST (17:19:40 UTC)" });
  });

  it("gives no episode start to an ALARM, nor to an OK that did not follow an ALARM", () => {
    const alarm = messageOf(releaseAlarmEvent());
    expect(alarm.incident).toEqual({ role: "event", key: "alarm:prod-hands-off-ops-Alb5xxRate", state: "ALARM", lasting: true });
    const fromNoData = backToOk(releaseAlarmEvent(), "ok-2", "2019-10-02T17:19:40Z");
    fromNoData.detail.previousState.value = "INSUFFICIENT_DATA";
    expect(messageOf(fromNoData).incident).not.toHaveProperty("since");
    expect(messageOf(fromNoData).facts.map((f) => f.label)).not.toContain("ALARM began");
    const undated = backToOk(releaseAlarmEvent(), "ok-3", "2019-10-02T17:19:40Z");
    delete undated.detail.previousState.timestamp;
    expect(messageOf(undated).incident).not.toHaveProperty("since");
  });

  it("draws the alarm's metrics with its threshold, expressions included", () => {
    const single = messageOf(loadEvent("cloudwatch-alarm-single-metric")).graph;
    expect(single?.metrics).toEqual([
      [
        "AWS/EC2",
        "CPUUtilization",
        "InstanceId",
        "i-12345678901234567",
        { id: "30b6c6b2-a864-43a2-4877-c09a1afc3b87", visible: true, stat: "Average", period: 300 },
      ],
    ]);
    expect(single?.annotations?.horizontal).toEqual([{ value: 50, label: "threshold" }]);
    const math = messageOf(loadEvent("cloudwatch-alarm-metric-math")).graph;
    expect(math?.metrics[0]).toEqual([{ id: "e1", visible: true, label: "Total Network Traffic", expression: "SUM(METRICS())" }]);
    expect(math?.metrics[1]?.at(-1)).toMatchObject({ id: "m1", visible: false });
  });

  it("names the alarms that triggered a composite alarm and has no graph to draw", () => {
    const message = messageOf(loadEvent("cloudwatch-alarm-composite"));
    expect(message.facts).toContainEqual({ label: "Triggered by", value: "ServerCpuTooHigh" });
    expect(message.facts).toContainEqual({ label: "Rule", value: "ALARM(ServerCpuTooHigh) OR ALARM(TotalNetworkTrafficTooHigh)" });
    expect(message.graph).toBeNull();
  });
});

describe("CodeDeploy releases form one thread per deployment", () => {
  it.each([
    ["START", "info", "start"],
    ["READY", "info", "reply"],
    ["SUCCESS", "info", "outcome"],
    ["FAILURE", "critical", "outcome"],
    ["STOP", "warning", "outcome"],
  ] as const)("%s is %s, the thread's %s", (state, severity, role) => {
    const message = messageOf(deploymentEvent(state, "d-ABC123"));
    expect(message.severity).toBe(severity);
    expect(message.thread).toEqual({ deploymentId: "d-ABC123", role, state });
    expect(message.links[0]?.url).toContain("/codedeploy/deployments/d-ABC123");
  });

  it("rejects a deployment id that is not one, with the field named", () => {
    const message = messageOf(deploymentEvent("START", "not-an-id"));
    expect(message.source.kind).toBe("unrecognised");
    expect(message.rejection).toMatch(/deploymentId: must be a CodeDeploy deployment id/);
  });
});

describe("stopped ECS tasks", () => {
  it.each([
    ["outOfMemory", "critical", "A task was killed: out of memory"],
    ["crashed", "warning", "A task crashed (exit code 1)"],
    ["loadBalancerHealth", "warning", "A task failed its load balancer health checks"],
    ["containerHealth", "warning", "A task failed its container health check"],
    ["failedToStart", "critical", "A task could not start"],
  ] as const)("%s → %s: %s", (stop, severity, title) => {
    const message = messageOf(stoppedTask(stop));
    expect(message.severity).toBe(severity);
    expect(message.title).toBe(title);
    expect(message.links.map((l) => l.label)).toEqual(["Task logs", "Stopped task", "ECS service"]);
  });

  it.each(["outOfMemory", "crashed", "loadBalancerHealth", "containerHealth"] as const)(
    "%s: says ECS's scheduler will try to start a replacement, never that it started one (it may have no capacity)",
    (stop) => {
      const message = messageOf(stoppedTask(stop));
      const told = [message.summary, ...message.actionsTaken].join(" ");
      expect(told).not.toMatch(/starts a replacement|replaced the task|replaces stopped tasks/);
      expect(message.summary).toMatch(/ECS's scheduler will try to start a replacement\.$/);
      expect(message.actionsTaken).toEqual([
        "ECS stopped the task; its scheduler will try to start a replacement to keep the service at its desired count.",
      ]);
    },
  );

  it("names a worker's task as the worker's, links its own ECS service and no log stream of the public service's group", () => {
    // ECS sets group to service:<name> for a task a service started (ECS API Reference, Task: group).
    const event = stoppedTask("crashed");
    Object.assign(event.detail, { group: "service:prod-hands-off-ops-Service-WorkerQueue-1A2B3C" });
    event.detail.containers[0].name = "queue";
    const message = messageOf(event);
    expect(message.title).toBe("queue: A task crashed (exit code 1)");
    expect(message.facts[0]).toEqual({ label: "Service", value: "queue (ECS service prod-hands-off-ops-Service-WorkerQueue-1A2B3C)" });
    expect(message.links.map((l) => l.label)).toEqual(["Stopped task", "ECS service"]);
    expect(message.links[1]?.url).toContain("prod-hands-off-ops-Service-WorkerQueue-1A2B3C");
    // The public service's own task, named by the same group, reads as before.
    Object.assign(event.detail, { group: `service:${PROD_CONTEXT.serviceName}` });
    expect(messageOf(event).title).toBe("A task crashed (exit code 1)");
  });

  it("makes a crash loop of one revision one incident", () => {
    const first = messageOf(stoppedTask("crashed", "event-1"));
    const second = messageOf(stoppedTask("crashed", "event-2"));
    expect(first.incident?.key).toBe("task:sample-fargate:1:crashed");
    expect(second.incident).toEqual(first.incident);
  });

  it("stays silent for running tasks and routine stops (scale-in, deployments), saying why", () => {
    expect(normalize(loadEvent("ecs-task-state-change"), PROD_CONTEXT)).toEqual({
      kind: "ignored",
      reason: "task is RUNNING, not stopped",
    });
    expect(normalize(stoppedTask("scaledIn"), PROD_CONTEXT)).toMatchObject({
      kind: "ignored",
      reason: expect.stringMatching(/^routine stop: Scaling activity/),
    });
  });
});

describe("operator shells (npm run ops -- shell)", () => {
  const shellTask = (lastStatus: string, startedBy?: string) => {
    const event = loadEvent("ecs-task-state-change");
    return {
      ...event,
      detail: { ...event.detail, group: "family:prod-hands-off-ops-Service-shell", lastStatus, ...(startedBy ? { startedBy } : {}) },
    };
  };

  it("tells on-call that a shell opened, who opened it and how to end it", () => {
    const message = messageOf(shellTask("RUNNING", "ops-shell:alice"));
    expect(message).toMatchObject({ severity: "warning", title: "Operator shell opened on prod" });
    expect(message.facts).toEqual([
      { label: "Opened by", value: "alice" },
      { label: "Task", value: "c13b4cb40f1f4fe4a2971f76ae5a47ad" },
    ]);
    expect(message.nextStep).toBe(
      "If nobody on the team opened it, end it now: aws ecs stop-task --cluster FargateCluster --task c13b4cb40f1f4fe4a2971f76ae5a47ad",
    );
  });

  it("says when the shell was started some other way, and when it ended; ignores the steps between", () => {
    expect(messageOf(shellTask("RUNNING")).facts[0]?.value).toBe(
      "not recorded (started without npm run ops -- shell; CloudTrail's RunTask names the caller)",
    );
    expect(messageOf(shellTask("STOPPED", "ops-shell:alice"))).toMatchObject({ severity: "info", title: "Operator shell on prod ended" });
    expect(normalize(shellTask("PROVISIONING"), PROD_CONTEXT)).toEqual({ kind: "ignored", reason: "operator shell task is PROVISIONING" });
  });
});

describe("ECS service actions", () => {
  it("is critical for an ERROR, with ECS's reason", () => {
    const message = messageOf(loadEvent("ecs-service-action-task-placement-failure"));
    expect(message.severity).toBe("critical");
    expect(message.title).toBe("ECS cannot place the service's tasks");
    expect(message.facts).toContainEqual({ label: "Reason", value: "RESOURCE:FARGATE" });
  });

  it("is a warning for a WARN, and a steady state an end that belongs to no incident of its own", () => {
    expect(messageOf(loadEvent("ecs-service-action-task-start-impaired")).severity).toBe("warning");
    const steady = messageOf(loadEvent("ecs-service-action-steady-state"));
    // The handler makes it a step of the service's open incident, or ignores it (functions/notify.ts).
    expect(steady).toMatchObject({ severity: "resolved", title: "ECS reports the service steady again", incident: null });
    const otherInfo = loadEvent("ecs-service-action-steady-state");
    otherInfo.detail.eventName = "SERVICE_DESIRED_COUNT_UPDATED";
    expect(normalize(otherInfo, PROD_CONTEXT).kind).toBe("ignored");
  });

  it("still reports an event name it does not know, in ECS's words", () => {
    const event = loadEvent("ecs-service-action-task-placement-failure");
    event.detail.eventName = "SERVICE_SOMETHING_NEW";
    expect(messageOf(event).title).toBe("ECS service event SERVICE_SOMETHING_NEW");
  });
});

describe("the automation's own notices", () => {
  it("keep the sender's words and thread", () => {
    const message = messageOf(loadEvent("automation-action"));
    expect(message.title).toBe("Rolling back release d-7K2Q9ZB1C to prod-hands-off-ops-Service-app:41");
    expect(message.thread).toEqual({ deploymentId: "d-7K2Q9ZB1C", role: "reply" });
    expect(message.facts[0]).toEqual({ label: "Automation", value: "rollback" });
  });

  it("say 'would have' in dry-run", () => {
    const event = loadEvent("automation-action");
    event.detail.dryRun = true;
    const message = messageOf(event);
    expect(message.title).toBe("[dry-run] Rolling back release d-7K2Q9ZB1C to prod-hands-off-ops-Service-app:41");
    expect(message.actionsTaken).toEqual([
      "Would have: Started rollback deployment d-3HV8N2M4X back to task definition prod-hands-off-ops-Service-app:41 (in progress).",
    ]);
  });

  it("refuse a notice meant for another stage", () => {
    const event = loadEvent("automation-action");
    event.detail.stage = "dev";
    expect(messageOf(event).rejection).toBe('automation notice is for stage "dev", not "prod"');
  });

  it("are built for PutEvents with the schema's defaults, and an invalid notice is refused before sending", () => {
    const entry = automationEntry({
      stage: "dev",
      actor: "schedule",
      severity: "info",
      title: "Stage dev is asleep",
      summary: "Scaled to zero.",
    });
    expect(entry.Source).toBe("hands-off-ops");
    expect(JSON.parse(entry.Detail)).toMatchObject({ facts: [], dryRun: false, thread: null });
    expect(() => automationEntry({ stage: "dev", actor: "x", severity: "fatal" as "info", title: "t", summary: "s" })).toThrow();
  });
});

describe("events nobody can read are shown, never dropped", () => {
  it.each([
    ["a string", "hello"],
    ["null", null],
    ["an array", [1, 2]],
    ["an envelope without detail-type", { id: "x", source: "aws.ecs", time: "2020-01-01T00:00:00Z", region: "eu-central-1" }],
  ])("%s becomes a warning naming the reason", (_name, event) => {
    const message = messageOf(event);
    expect(message.severity).toBe("warning");
    expect(message.source.kind).toBe("unrecognised");
    expect(message.rejection).toMatch(/not an EventBridge event/);
    expect(message.excerpt).toBeTruthy();
  });

  it("names a source it has no reader for", () => {
    const event = { ...loadEvent("ecs-task-state-change"), source: "aws.health", "detail-type": "AWS Health Event" };
    expect(messageOf(event).rejection).toBe('no reader for source "aws.health"');
  });

  it("cuts the excerpt of a huge event", () => {
    const event = { ...loadEvent("ecs-task-state-change"), source: "aws.unknown", detail: { blob: "x".repeat(100_000) } };
    const { excerpt } = messageOf(event);
    expect(excerpt?.length).toBeLessThan(1600);
    expect(excerpt).toMatch(/more characters\)$/);
  });
});
