import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { HOOK_TIMEOUT_SECONDS } from "@hands-off-ops/core/settings/deploy-access";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULT_REGION } from "../../stacks/config";
import { type MotoServer, startMotoServer } from "../peers/moto-server";
import { bootstrapAccount } from "./deploy-drill/bootstrap";
import { type IamRequest, iamRequestsOf } from "./deploy-drill/iam-requests";
import { type RecordedCall, startRecordingProxy } from "./deploy-drill/recording-proxy";
import { type RolePolicies, rolePolicies } from "./iam/role-policies";
import { deployedStage, stageTemplates } from "./stage-templates";

/**
 * The deploy drill: SST v2's own deploy and remove code (node_modules/sst/stacks/deploy.js, remove.js, the app
 * metadata of its CLI commands) run against moto on loopback through a recording proxy, with fake credentials of
 * the caller, the GitHub deploy role's session. Every request the caller's credentials signed is then put to IAM's
 * policy evaluation (@cloud-copilot/iam-simulate) with the deploy role's policies as synthesized: all allowed.
 * Requests signed with the credentials of a role the toolkit assumed (the bootstrap's deploy and publishing roles)
 * are those roles' business, not the deploy role's.
 */
const ACCOUNT = "123456789012"; // moto's
const CALLER_KEY = "AKIADRILLCALLER00001";
const APP = "hands-off-ops";
const RUNNER = path.resolve(import.meta.dirname, "deploy-drill/run-sst.ts");
const ROOT = path.resolve(import.meta.dirname, "../..");

interface Drill {
  outcome: Record<string, { ok?: unknown; error?: string }>;
  calls: RecordedCall[];
}

/** One drill per kind of account: a preview in the non-production one, prod in its own. */
const DRILLS = [
  { stage: "pr-1", access: "github-access (non-prod)", role: "hands-off-ops-deploy-preview" },
  { stage: "prod", access: "github-access (prod)", role: "hands-off-ops-deploy-prod" },
] as const;

let moto: MotoServer;
const drills = new Map<string, Drill>();
const workdirs: string[] = [];

beforeAll(async () => {
  moto = await startMotoServer();
  await bootstrapAccount(moto.endpoint, DEFAULT_REGION, ACCOUNT);
  for (const { stage } of DRILLS) {
    const proxy = await startRecordingProxy(moto.endpoint);
    const workdir = mkdtempSync(path.join(tmpdir(), `deploy-drill-${stage}-`));
    workdirs.push(workdir);
    try {
      const { stdout } = await promisify(execFile)("npx", ["tsx", RUNNER, stage, APP, DEFAULT_REGION, ACCOUNT, workdir], {
        cwd: ROOT,
        timeout: 150_000,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          PATH: process.env.PATH,
          HOME: workdir,
          CI: "true",
          AWS_ENDPOINT_URL: proxy.endpoint,
          AWS_REGION: DEFAULT_REGION,
          AWS_ACCESS_KEY_ID: CALLER_KEY,
          AWS_SECRET_ACCESS_KEY: "drill",
        },
      });
      const line = stdout.split("\n").find((l) => l.startsWith("DRILL-OUTCOME "));
      if (!line) throw new Error(`the drill of ${stage} printed no outcome:\n${stdout.slice(-2000)}`);
      drills.set(stage, { outcome: JSON.parse(line.slice("DRILL-OUTCOME ".length)), calls: [...proxy.calls] });
    } finally {
      await proxy.stop();
    }
  }
}, 400_000);

afterAll(async () => {
  await moto?.stop();
  for (const dir of workdirs) rmSync(dir, { recursive: true, force: true });
});

const drill = (stage: string) => {
  const found = drills.get(stage);
  if (!found) throw new Error(`no drill of ${stage}`);
  return found;
};
const place = { partition: "aws", region: DEFAULT_REGION, account: ACCOUNT };
const callerRequests = (stage: string) =>
  drill(stage)
    .calls.filter((call) => call.accessKeyId === CALLER_KEY)
    .flatMap((call) => iamRequestsOf(call, place));

function deployRole(access: string, roleName: string): RolePolicies {
  const templates = stageTemplates(access).json("GitHubAccess").Resources as Record<
    string,
    { Type: string; Properties: { RoleName?: string } }
  >;
  const [logicalId] = Object.entries(templates).find(([, r]) => r.Type === "AWS::IAM::Role" && r.Properties.RoleName === roleName) ?? [];
  const role = rolePolicies(deployedStage(access, ACCOUNT)).find((r) => r.role === logicalId);
  if (!role) throw new Error(`${access} has no role ${roleName}`);
  return role;
}

async function decide(role: RolePolicies, request: Pick<IamRequest, "action" | "resource" | "context">) {
  const result = await runSimulation(
    {
      request: {
        principal: role.roleArn,
        action: request.action,
        resource: { resource: request.resource, accountId: ACCOUNT },
        contextVariables: request.context,
      },
      identityPolicies: [{ name: role.role, policy: { Version: "2012-10-17", Statement: role.statements.map((s) => s.statement) } }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === "error") throw new Error(`${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

describe.each(DRILLS)("the deploy drill of $stage (SST v2's deploy and remove on moto)", ({ stage, access, role }) => {
  it("creates, updates and removes the stage's stack, and reads and writes SST's app metadata", () => {
    const { outcome } = drill(stage);
    // The CDK toolkit's retry strategy, as installed and unpatched, takes the calls of SST's SDK (run-sst.ts).
    expect(outcome.retryNeedsScope).toBe(false);
    expect(outcome.identity).toEqual({ ok: ACCOUNT });
    for (const [name, status] of [
      ["deploy", "CREATE_COMPLETE"],
      ["redeploy", "UPDATE_COMPLETE"],
      ["remove", "DELETE_COMPLETE"],
    ] as const)
      expect(outcome[name], name).toEqual({ ok: [{ status, errors: {} }] });
    expect(outcome.saveAppMetadata).toEqual({ ok: null });
    expect(outcome.clearAppMetadata).toEqual({ ok: null });
  });

  it("sends the stack operations with the caller's own credentials, passing the bootstrap's execution role", () => {
    const actions = new Set(callerRequests(stage).map((r) => r.action));
    for (const action of [
      "cloudformation:DescribeStacks",
      "cloudformation:CreateStack",
      "cloudformation:UpdateStack",
      "cloudformation:DeleteStack",
      "cloudformation:DescribeStackEvents",
      "iam:PassRole",
      "sts:AssumeRole",
      "s3:PutObject",
      "s3:DeleteObject",
    ])
      expect(actions, action).toContain(action);
    const passed = callerRequests(stage).filter((r) => r.action === "iam:PassRole");
    expect(new Set(passed.map((r) => r.resource))).toEqual(
      new Set([`arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${DEFAULT_REGION}`]),
    );
  });

  it("uploads assets only with the file-publishing role's credentials, never the caller's", () => {
    const uploads = drill(stage).calls.filter(
      (c) => c.service === "s3" && c.method === "PUT" && c.path.startsWith("/cdk-hnb659fds-assets-"),
    );
    expect(uploads.length).toBeGreaterThan(0);
    for (const upload of uploads) expect(upload.accessKeyId).not.toBe(CALLER_KEY);
    const assumed = callerRequests(stage)
      .filter((r) => r.action === "sts:AssumeRole")
      .map((r) => r.resource);
    expect(assumed).toContain(`arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-file-publishing-role-${ACCOUNT}-${DEFAULT_REGION}`);
  });

  it(`every request the caller signed is allowed to ${role}`, async () => {
    const policies = deployRole(access, role);
    const requests = callerRequests(stage);
    expect(requests.length).toBeGreaterThan(15);
    const denied: string[] = [];
    for (const request of requests) {
      const decision = await decide(policies, request);
      if (decision !== "Allowed") denied.push(`${decision}: ${request.action} on ${request.resource} (${request.call})`);
    }
    expect(denied).toEqual([]);
  });
});

describe("what the drill's requests may not do elsewhere", () => {
  const preview = () => deployRole("github-access (non-prod)", "hands-off-ops-deploy-preview");
  const swapStage = (request: IamRequest, to: string): IamRequest => ({
    ...request,
    resource: request.resource.replace(":stack/pr-1-", `:stack/${to}-`),
  });

  it("a preview's role cannot create, update or delete another stage's stacks", async () => {
    const changes = callerRequests("pr-1").filter((r) => /cloudformation:(Create|Update|Delete)Stack/.test(r.action));
    expect(changes.length).toBeGreaterThanOrEqual(3);
    for (const request of changes)
      for (const other of ["dev", "staging"])
        expect(await decide(preview(), swapStage(request, other)), `${request.action} ${other}`).toBe("ImplicitlyDenied");
  });

  it("passes the execution role to CloudFormation only, and creates stacks only through it", async () => {
    const [pass] = callerRequests("pr-1").filter((r) => r.action === "iam:PassRole");
    if (!pass) throw new Error("no PassRole recorded");
    expect(await decide(preview(), pass)).toBe("Allowed");
    expect(await decide(preview(), { ...pass, context: { "iam:PassedToService": "lambda.amazonaws.com" } })).toBe("ImplicitlyDenied");
    const [create] = callerRequests("pr-1").filter((r) => r.action === "cloudformation:CreateStack");
    if (!create) throw new Error("no CreateStack recorded");
    // Without RoleARN CloudFormation would act with the caller's own permissions: refused.
    expect(await decide(preview(), { ...create, context: {} })).toBe("ImplicitlyDenied");
  });
});

describe("the app's own image asset", () => {
  it("is pushed through the bootstrap's image-publishing role, which the deploy role may assume", async () => {
    const service = stageTemplates("prod").stacks.find((s) => s.name.endsWith("-Service"));
    if (!service) throw new Error("prod has no Service stack");
    const manifest = JSON.parse(
      readFileSync(
        path.join(path.dirname(service.templateFile), `${path.basename(service.templateFile, ".template.json")}.assets.json`),
        "utf8",
      ),
    ) as {
      dockerImages: Record<string, { destinations: Record<string, { assumeRoleArn?: string }> }>;
    };
    const destinations = Object.values(manifest.dockerImages).flatMap((image) => Object.values(image.destinations));
    expect(destinations.length).toBeGreaterThan(0);
    const role = deployRole("github-access (prod)", "hands-off-ops-deploy-prod");
    for (const destination of destinations) {
      // The offline synth writes a placeholder account; a deploy resolves it to the caller's.
      const arn = String(destination.assumeRoleArn)
        .replace(/\$\{AWS::Partition\}/, "aws")
        .replace(":000000000000:", `:${ACCOUNT}:`)
        .replaceAll("-000000000000-", `-${ACCOUNT}-`);
      expect(arn).toBe(`arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-image-publishing-role-${ACCOUNT}-${DEFAULT_REGION}`);
      expect(await decide(role, { action: "sts:AssumeRole", resource: arn, context: {} })).toBe("Allowed");
    }
  });
});

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are read field by field.
type Resource = { Type: string; Properties: Record<string, any> };
const resourcesOf = (stage: string, stack: "Service" | "Firewall") =>
  Object.values(stageTemplates(stage).json(stack).Resources as Record<string, Resource>);

describe("the deploy smoke: the workflow's checks run from inside the stage's VPC", () => {
  it.each(["prod", "staging", "dev", "pr-123"])("%s has its deploy smoke function in the VPC, aimed at the production URL", (stage) => {
    const fn = resourcesOf(stage, "Service").find(
      (r) => r.Type === "AWS::Lambda::Function" && r.Properties.FunctionName === `${stage}-hands-off-ops-deploy-smoke`,
    );
    expect(fn?.Properties.VpcConfig?.SubnetIds).toBeDefined();
    expect(fn?.Properties.Timeout).toBe(900);
    expect(fn?.Properties.Environment.Variables).toMatchObject({ STAGE: stage, PRODUCTION_URL: expect.anything() });
  });

  it("the deploy role may invoke its own stage's deploy smoke and schedule, and no other function", async () => {
    const role = deployRole("github-access (non-prod)", "hands-off-ops-deploy-preview");
    const fn = (name: string) => ({
      action: "lambda:InvokeFunction",
      resource: `arn:aws:lambda:${DEFAULT_REGION}:${ACCOUNT}:function:${name}`,
      context: {},
    });
    expect(await decide(role, fn("pr-1-hands-off-ops-deploy-smoke"))).toBe("Allowed");
    expect(await decide(role, fn("pr-1-hands-off-ops-schedule"))).toBe("Allowed");
    for (const other of ["dev-hands-off-ops-deploy-smoke", "CodeDeployHook_pr-1-AfterAllowTraffic", "pr-1-hands-off-ops-rollback"])
      expect(await decide(role, fn(other)), other).toBe("ImplicitlyDenied");
    const prod = deployRole("github-access (prod)", "hands-off-ops-deploy-prod");
    expect(await decide(prod, fn("prod-hands-off-ops-deploy-smoke"))).toBe("Allowed");
    expect(await decide(prod, fn("prod-hands-off-ops-schedule"))).toBe("ImplicitlyDenied");
  });

  it.each(["prod", "staging", "dev", "pr-7"])(
    "%s: where the firewall blocks anonymous and hosting-provider addresses, it first lets the stage's own NAT gateways through",
    (stage) => {
      const acl = resourcesOf(stage, "Firewall").find((r) => r.Type === "AWS::WAFv2::WebACL");
      const rules = (acl?.Properties.Rules ?? []) as { Name: string; Priority: number; Action?: object }[];
      const anonymous = rules.find((r) => r.Name === "AWSManagedRulesAnonymousIpList");
      const ownNat = rules.find((r) => r.Name === "OwnNatGateways");
      if (!anonymous) return expect(stage).toBe("dev"); // dev-shaped stages do not block them (stacks/config.ts)
      expect(ownNat?.Action).toEqual({ Allow: {} });
      expect(ownNat?.Priority).toBeLessThan(anonymous.Priority);
    },
  );

  it("no lifecycle hook function runs longer than the deploy session counts for", () => {
    const hooks = resourcesOf("prod", "Service").filter(
      (r) => r.Type === "AWS::Lambda::Function" && /^CodeDeployHook_/.test(String(r.Properties.FunctionName)),
    );
    expect(hooks.length).toBeGreaterThan(0);
    for (const hook of hooks) expect(hook.Properties.Timeout).toBeLessThanOrEqual(HOOK_TIMEOUT_SECONDS);
  });

  it("the image is built for the architecture of the runner that deploys it", () => {
    const service = stageTemplates("prod").stacks.find((s) => s.name.endsWith("-Service"));
    const manifest = JSON.parse(readFileSync(String(service?.templateFile).replace(".template.json", ".assets.json"), "utf8")) as {
      dockerImages: Record<string, { source: { platform?: string } }>;
    };
    const platforms = new Set(Object.values(manifest.dockerImages).map((image) => image.source.platform));
    const deploy = (
      parse(readFileSync(path.resolve(ROOT, ".github/workflows/deploy-stage.yml"), "utf8")) as { jobs: { deploy: { "runs-on": string } } }
    ).jobs.deploy;
    // GitHub's hosted runners: ubuntu-24.04-arm is arm64, ubuntu-24.04 x64 ("GitHub-hosted runners" reference).
    const runnerPlatform = deploy["runs-on"].endsWith("-arm") ? "linux/arm64" : "linux/amd64";
    expect([...platforms]).toEqual([runnerPlatform]);
  });
});
