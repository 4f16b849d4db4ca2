import { runSimulation } from "@cloud-copilot/iam-simulate";
import { describe, expect, it } from "vitest";
import { type StageTemplates, TemplateResolver } from "./deployed/template-arns";
import { deployedStage } from "./stage-templates";

/**
 * Who may publish to each SNS topic, decided by an IAM policy simulator (@cloud-copilot/iam-simulate) from the topic
 * policy as synthesized. A topic policy replaces SNS's default one, so every AWS service that publishes to a topic
 * needs its own Allow there (SNS Developer Guide, "Example cases for Amazon SNS access control"); publishers found
 * in the templates: CloudWatch alarms whose actions name the topic.
 */
const ACCOUNT = "111111111111";
const OTHER_ACCOUNT = "999999999999";
type Json = unknown;

/** Replaces every CloudFormation expression and placeholder in `value` by the string AWS would see once deployed. */
function resolveDeep(resolver: TemplateResolver, stack: string, value: Json): Json {
  // A literal holds the synth's placeholder account where the deploy writes the real one.
  if (typeof value === "string") return resolver.resolve(stack, value);
  if (Array.isArray(value)) return value.map((item) => resolveDeep(resolver, stack, item));
  if (value && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === "Ref" || keys[0]?.startsWith("Fn::"))) return resolver.resolve(stack, value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveDeep(resolver, stack, v)]));
  }
  return value;
}

type Resource = { Type: string; Properties?: Record<string, Json> };

function topicsAndAlarms(stage: StageTemplates) {
  const resolver = new TemplateResolver(stage);
  /** The resources of a type, with the properties named resolved (an alarm's dimensions need not be). */
  const each = (type: string, keys: string[]) =>
    stage.stacks.flatMap(({ name, template }) =>
      Object.entries((template.Resources ?? {}) as Record<string, Resource>)
        .filter(([, r]) => r.Type === type)
        .map(([, r]) => ({
          stack: name,
          properties: Object.fromEntries(keys.map((key) => [key, resolveDeep(resolver, name, r.Properties?.[key])])),
        })),
    );
  const policies = each("AWS::SNS::TopicPolicy", ["Topics", "PolicyDocument"]).flatMap(({ properties }) =>
    (properties.Topics as string[]).map((topic) => ({ topic, document: properties.PolicyDocument })),
  );
  const alarms = each("AWS::CloudWatch::Alarm", ["AlarmName", "AlarmActions", "OKActions"]).map(({ properties }) => ({
    name: properties.AlarmName as string,
    targets: [...((properties.AlarmActions as string[]) ?? []), ...((properties.OKActions as string[]) ?? [])],
  }));
  return { policies, alarms };
}

async function publishAs(
  service: string,
  topic: string,
  document: Json,
  context: Record<string, string>,
): Promise<"Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied"> {
  const result = await runSimulation(
    {
      request: {
        principal: service,
        action: "sns:Publish",
        resource: { resource: topic, accountId: ACCOUNT },
        contextVariables: { "aws:SecureTransport": "true", ...context },
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: document,
    },
    {},
  );
  if (result.resultType === "error") throw new Error(JSON.stringify(result.errors));
  return result.overallResult as "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";
}

describe.each(["dev", "prod"])("topic policies of %s", (stageName) => {
  const stage = deployedStage(stageName, ACCOUNT);
  const { policies, alarms } = topicsAndAlarms(stage);
  const alarmArn = (name: string, account = ACCOUNT) => `arn:aws:cloudwatch:${stage.region}:${account}:alarm:${name}`;
  const publishing = alarms.flatMap((alarm) =>
    alarm.targets.filter((target) => target.startsWith("arn:aws:sns:")).map((topic) => ({ alarm: alarm.name, topic })),
  );

  it("has alarms that publish to a topic (the watcher's own alarms)", () => {
    expect(publishing.length).toBeGreaterThanOrEqual(2);
  });

  it("lets each alarm that names a topic publish to it, as CloudWatch does, over TLS", async () => {
    for (const { alarm, topic } of publishing) {
      const policy = policies.find((p) => p.topic === topic);
      const decision = policy
        ? await publishAs("cloudwatch.amazonaws.com", topic, policy.document, {
            "aws:SourceArn": alarmArn(alarm),
            "aws:SourceAccount": ACCOUNT,
          })
        : "Allowed"; // no topic policy: SNS's default lets the account's own alarms publish
      expect({ alarm, decision }).toEqual({ alarm, decision: "Allowed" });
    }
  });

  it("refuses another account's alarm, another stage's alarm, and plain HTTP", async () => {
    for (const { topic, document } of policies) {
      const otherStage = alarmArn(`${stageName === "dev" ? "staging" : "dev"}-hands-off-ops-NotifyFailing`);
      expect(
        await publishAs("cloudwatch.amazonaws.com", topic, document, {
          "aws:SourceArn": alarmArn(`${stageName}-hands-off-ops-NotifyFailing`, OTHER_ACCOUNT),
          "aws:SourceAccount": OTHER_ACCOUNT,
        }),
      ).not.toBe("Allowed");
      expect(
        await publishAs("cloudwatch.amazonaws.com", topic, document, { "aws:SourceArn": otherStage, "aws:SourceAccount": ACCOUNT }),
      ).not.toBe("Allowed");
      expect(
        await publishAs("cloudwatch.amazonaws.com", topic, document, {
          "aws:SourceArn": alarmArn(`${stageName}-hands-off-ops-NotifyFailing`),
          "aws:SourceAccount": ACCOUNT,
          "aws:SecureTransport": "false",
        }),
      ).toBe("ExplicitlyDenied");
    }
  });
});
