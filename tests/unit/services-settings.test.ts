import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { StageSettingsOverrides } from "@hands-off-ops/core/settings/schema";
import { describe, expect, it } from "vitest";
import { StageSettingsError, stageSettings } from "../../stacks/config";
import { deployedServices, VOTING_APP_NAME } from "../../stacks/deployed-services";

const ROOT = path.resolve(import.meta.dirname, "../..");
const echoSettings = () =>
  (JSON.parse(readFileSync(path.join(ROOT, "examples/http-echo/ops.settings.json"), "utf8")) as { prod: StageSettingsOverrides }).prod;

/** A web service from a prebuilt image, and what a test changes of it or adds beside it. */
function withServices(services: Record<string, object>, rest: object = {}): StageSettingsOverrides {
  return { services, database: { enabled: false }, ...rest } as StageSettingsOverrides;
}
const web = { image: { uri: "public.ecr.aws/docker/library/nginx:stable" }, port: 8080, public: true };
const worker = { image: { uri: "public.ecr.aws/docker/library/busybox:stable" }, command: ["sh", "-c", "sleep 3600"] };

function refusal(stage: string, overrides: StageSettingsOverrides): string {
  try {
    const settings = stageSettings(stage, overrides);
    deployedServices(settings);
  } catch (error) {
    expect(error).toBeInstanceOf(StageSettingsError);
    return (error as Error).message;
  }
  throw new Error(`stage ${stage} accepted ${JSON.stringify(overrides)}`);
}

describe("a team's services in the stage settings", () => {
  it("without services, every stage deploys the sample voting app as before", () => {
    for (const stage of ["prod", "staging", "dev", "pr-1"]) {
      const settings = stageSettings(stage, {});
      expect(settings.services).toBeNull();
      expect(settings.database.enabled).toBe(true);
      const [app, ...others] = deployedServices(settings);
      expect(others).toEqual([]);
      expect(app).toMatchObject({
        name: VOTING_APP_NAME,
        image: { directory: path.join(ROOT, "service") },
        port: settings.service.containerPort,
        user: "1000:1000",
        database: true,
        public: true,
        health: { path: "/health", command: ["CMD", "node", "dist/healthcheck.js"] },
      });
    }
  });

  it("the http-echo example: its port, its health path, the stage's sizing, no database, and checks of its own", () => {
    const settings = stageSettings("prod", echoSettings());
    const [echo, ...others] = deployedServices(settings);
    expect(others).toEqual([]);
    expect(echo).toMatchObject({
      name: "web",
      image: { directory: path.join(ROOT, "examples/http-echo") },
      architecture: "arm64",
      port: 5678,
      user: null,
      readOnlyRootFilesystem: true,
      database: false,
      health: { path: "/health", command: ["CMD", "node", "healthcheck.mjs"] },
      syntheticFile: null,
    });
    // The voting app's checks are not the echo server's: one health check, and the comparison on the health path.
    expect(settings.service.containerPort).toBe(5678);
    expect(settings.canary.smoke).toEqual([
      {
        name: "health",
        method: "GET",
        path: "/health",
        body: null,
        expectStatus: 200,
        bodyMatch: null,
        latencyBudgetMs: 1000,
        headers: {},
      },
    ]);
    // A woken stage waits for the echo server's health, not the voting app's /ready.
    expect(settings.canary.readyPath).toBe("/health");
    expect(settings.canary.comparison.path).toBe("/health");
    expect(settings.synthetics.enabled).toBe(false);
    expect(settings.database.enabled).toBe(false);
  });

  it("a service's size overrides the stage's, field by field; the public service's is the stage's service sizing", () => {
    const settings = stageSettings(
      "prod",
      withServices({ web: { ...web, size: { cpu: 1024, memoryMiB: 2048 } }, worker: { ...worker, size: { maxTasks: 3 } } }),
    );
    expect(settings.service).toMatchObject({ cpu: 1024, memoryMiB: 2048, minTasks: 2, maxTasks: 10, containerPort: 8080 });
    const byName = Object.fromEntries(deployedServices(settings).map((s) => [s.name, s]));
    expect(byName.worker?.sizing).toMatchObject({ cpu: 512, memoryMiB: 1024, minTasks: 2, maxTasks: 3 });
    expect(deployedServices(settings).map((s) => s.name)).toEqual(["web", "worker"]);
  });

  it("own smoke checks and comparison path replace the defaults", () => {
    const smoke = [{ name: "root", method: "GET", path: "/", body: null, expectStatus: 200, bodyMatch: "Hello", latencyBudgetMs: 300 }];
    const settings = stageSettings("prod", withServices({ web: { ...web, smoke, compare: { path: "/api" } } }));
    // A check that names no headers sends none.
    expect(settings.canary.smoke).toEqual(smoke.map((check) => ({ ...check, headers: {} })));
    expect(settings.canary.comparison.path).toBe("/api");
  });

  it("a database-less production stage is not held to the database's production rules", () => {
    const settings = stageSettings("prod", withServices({ web }, {}));
    expect(settings.database.enabled).toBe(false);
  });

  describe("refuses what cannot work, naming the setting", () => {
    it.each([
      ["no service at all", withServices({}), "services: names no service"],
      ["no public service", withServices({ worker }), "services: has no public service"],
      ["two public services", withServices({ web, other: { ...web } }), "services.other.public: only one public service per stage"],
      [
        "a public service without a port",
        withServices({ web: { ...web, port: null } }),
        "services.web.port: a public service needs the port",
      ],
      [
        "smoke checks on a service without a port",
        withServices({
          web,
          worker: {
            ...worker,
            smoke: [{ name: "x", method: "GET", path: "/", body: null, expectStatus: 200, bodyMatch: null, latencyBudgetMs: 100 }],
          },
        }),
        "services.worker.smoke: points at a service without a port",
      ],
      [
        "a comparison through a service that is not public",
        withServices({ web, api: { ...worker, port: 9090, compare: { path: "/" } } }),
        "services.api.compare: runs through the load balancer's listeners",
      ],
      [
        "a shell health check on an image without a shell",
        withServices({
          web: { ...web, image: { uri: web.image.uri, shell: false }, health: { command: ["CMD-SHELL", "curl -f localhost:8080/health"] } },
        }),
        'services.web.health.command: is a shell command ("CMD-SHELL") and image.shell is false',
      ],
      [
        "a health command that is no command",
        withServices({ web: { ...web, health: { command: ["curl", "x"] } } }),
        'must start with "CMD" or "CMD-SHELL"',
      ],
      [
        "the database without one",
        withServices({ web: { ...web, database: true } }),
        "services.web.database: is true while database.enabled is false",
      ],
      ["the sample without its database", { database: { enabled: false } }, "database.enabled: the sample voting app"],
      ["a variable the product sets", withServices({ web: { ...web, environment: { PGHOST: "x" } } }), "services.web.environment.PGHOST"],
      ["an image without tag or digest", withServices({ web: { ...web, image: { uri: "nginx" } } }), "services.web.image"],
      ["a name that cannot be part of AWS names", withServices({ Web_1: web }), "a service's name must be lower-case"],
      [
        "a size Fargate refuses",
        withServices({ web, worker: { ...worker, size: { cpu: 256, memoryMiB: 4096 } } }),
        "services.worker.size.memoryMiB: Fargate with 256 CPU units accepts 512–2048 MiB",
      ],
      ["a setting that does not exist", withServices({ web: { ...web, replicas: 2 } }), 'Unrecognized key: "replicas"'],
    ])("%s", (_what, overrides, message) => {
      expect(refusal("prod", overrides)).toContain(message);
    });

    it("a directory without a Dockerfile, and a synthetic flow that is not there", () => {
      const directory = mkdtempSync(path.join(tmpdir(), "no-dockerfile-"));
      expect(refusal("prod", withServices({ web: { ...web, image: { directory } } }))).toContain(
        `services.web.image.directory: ${directory} has no Dockerfile`,
      );
      mkdirSync(path.join(directory, "ok"));
      writeFileSync(path.join(directory, "ok", "Dockerfile"), "FROM scratch\n");
      const missing = path.join(directory, "flow.js");
      expect(
        refusal("prod", withServices({ web: { ...web, image: { directory: path.join(directory, "ok") }, synthetic: { file: missing } } })),
      ).toContain(`services.web.synthetic.file: ${missing} does not exist`);
    });
  });
});
