import { describe, expect, it } from "vitest";
import { stageTemplates, synthesizedStages } from "./stage-templates";

/**
 * What `sst remove` leaves behind, read from the templates: CloudFormation deletes a stack's resources except those
 * whose DeletionPolicy is Retain (or RetainExceptOnCreate), and those stay under the name they had (CloudFormation
 * User Guide, "DeletionPolicy attribute"). A retained resource with a name that is the same at every create makes the
 * next create of that stage fail: the name is taken ("already exists").
 */
type Resource = { Type: string; DeletionPolicy?: string; Properties?: Record<string, unknown> };
const RETAINED = new Set(["Retain", "RetainExceptOnCreate"]);

/** The resources a removal leaves behind, per stack. */
function leftBehind(stage: string) {
  return stageTemplates(stage)
    .allJson()
    .flatMap(({ name, template }) =>
      Object.entries((template.Resources ?? {}) as Record<string, Resource>)
        .filter(([, r]) => RETAINED.has(r.DeletionPolicy ?? "Delete"))
        .map(([id, r]) => ({ stack: name, id, type: r.Type, properties: r.Properties ?? {} })),
    );
}

/** Whether a name in a template comes out the same at every create: a literal, or built only of literals and parameters. */
function sameAtEveryCreate(value: unknown): boolean {
  if (typeof value === "string") return true;
  const text = JSON.stringify(value);
  // A Ref or GetAtt of a resource gives a name CloudFormation generates anew; AWS::StackId is new at every create.
  return !/"AWS::StackId"|"Fn::GetAtt"|"Ref":"(?!AWS::)[A-Za-z0-9]+"/.test(text);
}

// The name properties of the resource types whose names are unique per account and region (log groups, schedule
// groups, tables, topics, queues, functions, keys' aliases, secrets, roles, buckets).
const NAME_PROPERTIES = [
  "LogGroupName",
  "Name",
  "TableName",
  "TopicName",
  "QueueName",
  "FunctionName",
  "AliasName",
  "RoleName",
  "BucketName",
];

const nonProduction = synthesizedStages().filter((stage) => /^(dev|staging|pr-\d+)\b/.test(stage));

describe.each(nonProduction)("a removal of %s", (stage) => {
  it("leaves nothing behind but task definition revisions (free, and their family can be registered again)", () => {
    expect(leftBehind(stage).filter((r) => r.type !== "AWS::ECS::TaskDefinition")).toEqual([]);
  });
});

describe.each(synthesizedStages())("the buckets of %s", (stage) => {
  // "CloudFormation can't delete an S3 bucket that contains objects" (CloudFormation User Guide, DeletionPolicy):
  // a bucket the stack deletes must be emptied first, by aws-cdk-lib's auto-delete custom resource.
  it("are emptied before CloudFormation deletes them", () => {
    const undeletable = stageTemplates(stage)
      .allJson()
      .flatMap(({ name, template }) => {
        const resources = Object.entries((template.Resources ?? {}) as Record<string, Resource>);
        const emptied = new Set(
          resources
            .filter(([, r]) => r.Type === "Custom::S3AutoDeleteObjects")
            .map(([, r]) => (r.Properties?.BucketName as { Ref?: string } | undefined)?.Ref),
        );
        return resources
          .filter(([id, r]) => r.Type === "AWS::S3::Bucket" && !RETAINED.has(r.DeletionPolicy ?? "Delete") && !emptied.has(id))
          .map(([id]) => `${name}/${id}`);
      });
    expect(undeletable).toEqual([]);
  });
});

describe.each(synthesizedStages().filter((stage) => stage.startsWith("prod")))("a removal of %s", (stage) => {
  it("keeps its logs and keys, none under a name the next create of the stage would take again", () => {
    const retained = leftBehind(stage);
    expect(retained.map((r) => r.type)).toContain("AWS::Logs::LogGroup");
    const blocking = retained.flatMap((r) =>
      NAME_PROPERTIES.filter((key) => key in r.properties && sameAtEveryCreate(r.properties[key])).map(
        (key) => `${r.stack}/${r.id} (${r.type}) ${key}=${JSON.stringify(r.properties[key])}`,
      ),
    );
    expect(blocking).toEqual([]);
  });
});
