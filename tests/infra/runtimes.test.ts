import { describe, expect, it } from "vitest";
import { stageTemplates, synthesizedStages } from "./stage-templates";

/**
 * Every runtime a stage deploys, checked against the date AWS stops supporting it: a deprecated Lambda runtime soon
 * cannot be used to create or update a function, and a deprecated Synthetics runtime cannot create a canary.
 *
 * Lambda: "Supported runtimes", AWS Lambda Developer Guide (docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html).
 * Synthetics: a Synthetics runtime is deprecated once any of its parts is (CloudWatch User Guide, "Runtime versions
 * support policy"); its Lambda runtime from "Runtime versions using Node.js and Puppeteer".
 */
const LAMBDA_DEPRECATION: Record<string, string> = {
  "nodejs24.x": "2028-04-30",
  "nodejs22.x": "2027-04-30",
  "nodejs20.x": "2026-04-30",
  "python3.13": "2029-06-30",
  "python3.12": "2028-10-31",
  "python3.10": "2026-10-31",
};
/**
 * Serverless Application Repository apps CDK deploys, whose function runtime is the app version's, not ours:
 * SecretsManagerRDSPostgreSQLRotationSingleUser 1.1.618 (aws-cdk-lib 2.224's rotation) runs python3.10
 * (https://github.com/aws/aws-cdk/pull/35528, https://github.com/aws/aws-cdk/issues/37462).
 */
const SERVERLESS_APP_RUNTIME: Record<string, string> = {
  "SecretsManagerRDSPostgreSQLRotationSingleUser@1.1.618": "python3.10",
};
const SYNTHETICS_LAMBDA_RUNTIME: Record<string, string> = {
  "syn-nodejs-puppeteer-13.0": "nodejs22.x",
  "syn-nodejs-puppeteer-11.0": "nodejs20.x",
};
/** Time left to move before a runtime's date: Lambda writes 180 days ahead, CloudWatch Synthetics 60. */
const NOTICE_DAYS = 90;
const DAY_MS = 86_400_000;

type Resource = { Type: string; Properties?: Record<string, unknown> };

function runtimesOf(stage: string) {
  return stageTemplates(stage)
    .allJson()
    .flatMap(({ name, template }) =>
      Object.entries((template.Resources ?? {}) as Record<string, Resource>).flatMap(([id, r]) => {
        if (r.Type === "AWS::Lambda::Function" && typeof r.Properties?.Runtime === "string")
          return [{ where: `${name}/${id}`, runtime: r.Properties.Runtime }];
        if (r.Type === "AWS::Synthetics::Canary") {
          const version = r.Properties?.RuntimeVersion as string;
          return [{ where: `${name}/${id} (${version})`, runtime: SYNTHETICS_LAMBDA_RUNTIME[version] ?? `unknown: ${version}` }];
        }
        if (r.Type === "AWS::Serverless::Application") {
          const app = serverlessApp(template, r);
          return [{ where: `${name}/${id} (${app})`, runtime: SERVERLESS_APP_RUNTIME[app] ?? `unknown: ${app}` }];
        }
        return [];
      }),
    );
}

/** "name@version" of a SAR app, through the Mappings CDK writes its location into. */
function serverlessApp(template: Record<string, unknown>, resource: Resource): string {
  const mappings = (template.Mappings ?? {}) as Record<string, Record<string, Record<string, string>>>;
  const location = resource.Properties?.Location as Record<string, unknown>;
  const value = (field: "ApplicationId" | "SemanticVersion") => {
    const found = location[field];
    if (typeof found === "string") return found;
    const [mapping, , key] = (found as { "Fn::FindInMap": [string, unknown, string] })["Fn::FindInMap"];
    return mappings[mapping]?.aws?.[key] ?? "?";
  };
  return `${value("ApplicationId").split("/").pop()}@${value("SemanticVersion")}`;
}

describe.each(synthesizedStages())("the runtimes of %s", (stage) => {
  it(`are supported by AWS for at least ${NOTICE_DAYS} more days`, () => {
    const runtimes = runtimesOf(stage);
    expect(runtimes.length).toBeGreaterThan(0);
    const dueSoon = runtimes.flatMap(({ where, runtime }) => {
      const date = LAMBDA_DEPRECATION[runtime];
      if (!date) return [`${where}: ${runtime} is not in the table; add its date from the Lambda Developer Guide`];
      const daysLeft = Math.floor((Date.parse(date) - Date.now()) / DAY_MS);
      return daysLeft < NOTICE_DAYS ? [`${where}: ${runtime} is deprecated on ${date} (${daysLeft} days)`] : [];
    });
    expect(dueSoon).toEqual([]);
  });
});
