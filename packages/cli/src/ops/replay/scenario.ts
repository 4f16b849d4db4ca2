import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { ReleaseId } from "@hands-off-ops/core/release/release-id";
import * as z from "zod";

/**
 * What the AWS world looks like during a replay: the few facts the
 * handlers read (deployments, rollbacks, the service, the database, the
 * HTTP answers of a release's two versions). Everything left out has the
 * quiet default: nothing deploying, nothing rolled back, the service at its
 * settings' capacity, the database available, every check answering well.
 */

const instant = z.iso.datetime({ offset: true });

/** The service deployment of the ECS developer guide's samples (tests/fixtures/events/ecs-lifecycle-hooks.json). */
const SAMPLE_RELEASE_ID = "EZe5RNVLH6PPzHXINuP28";

const Deployment = z.strictObject({
  /** A CodeDeploy deployment id (d-7K2Q9ZB1C), or with release.controller "ecs" a service deployment's id. */
  deploymentId: ReleaseId,
  taskDefinitionArn: z.string().startsWith("arn:"),
  /** When it started (in progress) or finished (succeeded). */
  at: instant,
  automaticRollback: z.boolean().default(false),
});

const Answer = z.strictObject({
  status: z.number().int().min(100).max(599),
  body: z.string().default(""),
  latencyMs: z.number().min(0).max(60_000).default(20),
});

const DEFAULT_ANSWERS = {
  "/health": { status: 200, body: "UP", latencyMs: 15 },
  "/ready": { status: 200, body: "READY", latencyMs: 25 },
  "/": { status: 200, body: "<html><body>polls</body></html>", latencyMs: 40 },
};

const Capacity = z.strictObject({
  desiredCount: z.number().int().min(0),
  minCapacity: z.number().int().min(0),
  maxCapacity: z.number().int().min(0),
});

export const ScenarioSchema = z.strictObject({
  /**
   * The event file this scenario is written for, from the repository root. Its overrides and facts assume that
   * event: replaying another one with it is refused, unless the other has the same content.
   */
  forEvent: z.string().optional(),
  /**
   * Fields of the event to change before the replay, by dotted path, e.g.
   * { "detail.alarmName": "{stage}-{app}-Alb5xxRate" }: AWS's sample events
   * name other people's resources. {stage}, {app} and {region} (the stage's) are filled in.
   */
  eventOverrides: z
    .record(z.string().regex(/^[\w-]+(\.[\w-]+)*$/, "must be a dotted path such as detail.alarmName"), z.unknown())
    .default({}),
  /** What the scenario stands for, printed at the top of the replay. */
  description: z.string().default("the quiet default: nothing deploying, nothing rolled back, everything healthy"),
  /** The replay's clock; default: the event's own time. */
  now: instant.optional(),
  /** CodeDeploy, as the rollback sees the stage's deployment group. */
  deployments: z
    .strictObject({
      inProgress: Deployment.nullable().default(null),
      lastSuccess: Deployment.nullable().default(null),
      previousSuccess: Deployment.nullable().default(null),
    })
    .default({ inProgress: null, lastSuccess: null, previousSuccess: null }),
  /** Automatic rollbacks the ledger remembers, newest first. */
  rollbacks: z.array(z.strictObject({ badDeploymentId: z.string(), at: instant })).default([]),
  /** The ECS service and its scalable target; default: the stage settings' minimum. */
  service: z
    .strictObject({
      capacity: Capacity.optional(),
      /** Tasks running now; default: the desired count (a healthy service). */
      running: z.number().int().min(0).optional(),
      releaseInProgress: z.boolean().default(false),
      tags: z.record(z.string(), z.string()).default({}),
    })
    .default({ releaseInProgress: false, tags: {} }),
  /** The RDS instance's status, e.g. available, stopped, starting. */
  database: z.string().default("available"),
  /** What the last sleep recorded, if the stage is asleep. */
  asleep: z
    .strictObject({ capacity: Capacity, database: z.enum(["available", "stopped"]), sleptAt: instant })
    .nullable()
    .default(null),
  /** Answers by path: the new version (test listener) and the current one (production listener). */
  http: z
    .strictObject({
      test: z.record(z.string().startsWith("/"), Answer).default(DEFAULT_ANSWERS),
      production: z.record(z.string().startsWith("/"), Answer).default(DEFAULT_ANSWERS),
    })
    .default({ test: DEFAULT_ANSWERS, production: DEFAULT_ANSWERS }),
  /**
   * ECS's own service deployments (release.controller "ecs"): the one an ECS event or hook is about, its status,
   * and whether it is the service's first (nothing to compare with).
   */
  ecs: z
    .strictObject({
      releaseId: z._default(ReleaseId, SAMPLE_RELEASE_ID),
      status: z.string().default("IN_PROGRESS"),
      firstDeployment: z.boolean().default(false),
    })
    .default({ releaseId: SAMPLE_RELEASE_ID, status: "IN_PROGRESS", firstDeployment: false }),
  /** Names of the stage's resources, where the event must name them to concern the stage (e.g. its database). */
  resources: z.strictObject({ databaseInstance: z.string().optional() }).default({}),
});
export type Scenario = z.infer<typeof ScenarioSchema>;

export class ScenarioError extends Error {}

/** A scenario from its file, or written inline (in a timeline); none is the quiet default. */
export function readScenario(file: string | Record<string, unknown> | undefined): Scenario {
  if (!file) return ScenarioSchema.parse({});
  let raw: unknown = file;
  if (typeof file === "string")
    try {
      raw = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      throw new ScenarioError(`Cannot read the scenario ${file}: ${(error as Error).message}`);
    }
  const parsed = ScenarioSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(top)"}: ${issue.message}`);
    throw new ScenarioError(`The scenario ${typeof file === "string" ? file : "(inline)"} is not valid:\n  ${issues.join("\n  ")}`);
  }
  return parsed.data;
}

/** The event with the scenario's overrides applied; a path through a missing or non-object field is an error. */
type Names = { stage: string; app: string; region?: string };

export function withOverrides(event: unknown, overrides: Scenario["eventOverrides"], names: Names): unknown {
  const copy = structuredClone(event) as Record<string, unknown>;
  for (const [path, value] of Object.entries(overrides)) {
    const keys = path.split(".");
    const last = keys.pop() as string;
    let target: unknown = copy;
    for (const key of keys) {
      target = (target as Record<string, unknown> | null)?.[key];
      if (typeof target !== "object" || target === null) throw new ScenarioError(`eventOverrides: the event has no object at "${path}"`);
    }
    (target as Record<string, unknown>)[last] = fill(value, names);
  }
  return copy;
}

function fill(value: unknown, names: Names): unknown {
  if (typeof value === "string")
    return value
      .replaceAll("{stage}", names.stage)
      .replaceAll("{app}", names.app)
      .replaceAll("{region}", names.region ?? "{region}");
  if (Array.isArray(value)) return value.map((item) => fill(item, names));
  return value;
}

/** Refuses a scenario written for another event: its overrides and facts would describe a world the event is not from. */
export function checkScenarioEvent(
  scenario: Scenario,
  scenarioFile: string | undefined,
  eventFile: string,
  event: unknown,
  root = process.cwd(),
) {
  if (!scenario.forEvent) return;
  const intended = path.resolve(root, scenario.forEvent);
  if (intended === path.resolve(eventFile)) return;
  const same = existsSync(intended) && isDeepStrictEqual(JSON.parse(readFileSync(intended, "utf8")), event);
  if (!same)
    throw new ScenarioError(
      `The scenario ${scenarioFile ?? ""} is written for ${scenario.forEvent}, not ${eventFile}: replay that event with it, or write a scenario for this one (or drop "forEvent" to use it with any event).`,
    );
}
