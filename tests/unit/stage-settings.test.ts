import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { NAMED_STAGES, readOverridesFile, StageSettingsError, stageSettings } from "../../stacks/config";

function settingsError(stage: string, overrides: object): string {
  try {
    stageSettings(stage, overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(StageSettingsError);
    return (error as Error).message;
  }
  throw new Error(`stage ${stage} accepted ${JSON.stringify(overrides)}`);
}

describe("stage settings", () => {
  it.each(NAMED_STAGES)("%s is valid as shipped", (stage) => {
    expect(stageSettings(stage, {}).stage).toBe(stage);
  });

  describe("a stage name that looks like a protected one (a typo must not deploy an unprotected production)", () => {
    it.each([
      ["prd", "prod"],
      ["production", "prod"],
      ["pord", "prod"],
      ["prod2", "prod"],
      ["prod-eu", "prod"],
      ["stagin", "staging"],
      ["stg", "staging"],
      ["staging-2", "staging"],
    ])("refuses %s (looks like %s) unless the settings file declares it", (stage, protectedStage) => {
      expect(settingsError(stage, {})).toContain(`Stage "${stage}" looks like "${protectedStage}" but is not it`);
      const file = path.join(mkdtempSync(path.join(tmpdir(), "settings-")), "ops.settings.json");
      writeFileSync(file, JSON.stringify({ [stage]: {} }));
      const before = process.env.OPS_SETTINGS_FILE;
      process.env.OPS_SETTINGS_FILE = file;
      try {
        expect(stageSettings(stage, {}).kind).toBe("development");
      } finally {
        process.env.OPS_SETTINGS_FILE = before;
      }
    });

    it.each(["dev", "pr-7", "pr-123", "alice", "preview", "demo"])("accepts %s", (stage) => {
      expect(stageSettings(stage, {}).stage).toBe(stage);
    });
  });

  it("prod is production-shaped and never scheduled down", () => {
    const prod = stageSettings("prod", {});
    expect(prod.kind).toBe("production");
    expect(prod.schedule.enabled).toBe(false);
    expect(prod.database).toMatchObject({ deletionProtection: true, multiAz: true });
    expect(prod.database.backupRetentionDays).toBeGreaterThanOrEqual(7);
    expect(prod.network.natGateways).toBe(prod.network.availabilityZones);
    expect(prod.service.minTasks).toBeGreaterThanOrEqual(2);
  });

  it("dev sleeps at night and can be removed", () => {
    const dev = stageSettings("dev", {});
    expect(dev.schedule.enabled).toBe(true);
    expect(dev.database.deletionProtection).toBe(false);
    expect(dev.network.availabilityZones).toBe(2);
  });

  it("any other stage name is shaped like dev, in dev's network", () => {
    const { stage: _preview, ...preview } = stageSettings("pr-123", {});
    const { stage: _dev, ...dev } = stageSettings("dev", {});
    expect(preview).toEqual({ ...dev, network: { ...dev.network, shared: "dev" } });
  });

  it("applies overrides field by field and keeps the rest", () => {
    const staging = stageSettings("staging", { alerts: { emails: ["oncall@example.com"] }, service: { maxTasks: 6 } });
    expect(staging.alerts.emails).toEqual(["oncall@example.com"]);
    expect(staging.service.maxTasks).toBe(6);
    expect(staging.service.minTasks).toBe(stageSettings("staging", {}).service.minTasks);
  });

  it("accepts a domain with its certificate", () => {
    const domain = {
      name: "vote.example.com",
      certificateArn: "arn:aws:acm:eu-central-1:123456789012:certificate/0f6a2b4c-1d3e-4f5a-8b9c-0d1e2f3a4b5c",
    };
    expect(stageSettings("prod", { domain }).domain).toEqual(domain);
  });

  describe("refuses bad settings, naming the stage and the field", () => {
    it.each([
      ["prod", { schedule: { enabled: true } }, "schedule.enabled: a production stage is never scheduled down"],
      ["prod", { database: { deletionProtection: false } }, "database.deletionProtection: must be true in production"],
      ["prod", { database: { multiAz: false } }, "database.multiAz: must be true in production"],
      ["prod", { database: { backupRetentionDays: 3 } }, "database.backupRetentionDays: must be at least 7 in production"],
      ["prod", { network: { natGateways: 1 } }, "network.natGateways: production needs one NAT gateway per availability zone"],
      ["prod", { kind: "development" }, 'kind: the stage named "prod" must be of kind production'],
      [
        "prod",
        { chatops: { allow: { "do-it": { users: [], groups: [], anyone: true } } } },
        "chatops.allow.do-it.anyone: a production release changed from Slack must name its people (users or groups)",
      ],
      [
        "prod",
        { chatops: { allow: { approve: { users: [], groups: [], anyone: true } } } },
        "chatops.allow.approve.anyone: a production release changed from Slack must name its people (users or groups)",
      ],
      [
        "prod",
        { chatops: { teamId: "T0TEAM0001" } },
        "chatops.allow.approve: names no one while the approval gate is on: every release would wait for its deadline and take the default (name approvers, or set canary.approval.enabled to false)",
      ],
      ["prod", { canary: { approval: { deadlineMinutes: 60 } } }, "canary.approval.deadlineMinutes: Too big: expected number to be <=45"],
      [
        "staging",
        {
          canary: { approval: { enabled: true } },
          chatops: { teamId: "T0TEAM0001", allow: { approve: { users: ["U0ALICE001"], groups: [], anyone: false } } },
          notifications: { slack: { mode: "webhook" } },
        },
        "canary.approval.enabled: needs Slack through the Web API (notifications.slack.mode): a webhook message has no buttons",
      ],
      ["dev", { chatops: { teamId: "acme" } }, "chatops.teamId: must be a Slack team id such as T0123ABCDE"],
      ["dev", { network: { natGateways: 3 } }, "network.natGateways: must not exceed availabilityZones (2)"],
      ["dev", { service: { cpu: 300 } }, "service.cpu: must be one of 256, 512, 1024, 2048, 4096"],
      ["dev", { service: { cpu: 256, memoryMiB: 4096 } }, "service.memoryMiB: Fargate with 256 CPU units accepts 512–2048 MiB (got 4096)"],
      ["dev", { service: { minTasks: 5, maxTasks: 2 } }, "service.minTasks: must not exceed maxTasks (2)"],
      ["dev", { schedule: { timeZone: "Mars/Olympus" } }, "schedule.timeZone: must be an IANA time zone"],
      ["dev", { schedule: { wakeAt: "19:00", sleepAt: "08:00" } }, "schedule.sleepAt: must be later than wakeAt (19:00)"],
      ["dev", { schedule: { wakeAt: "7:00" } }, "schedule.wakeAt: must be HH:MM (24 h)"],
      ["dev", { schedule: { workingDays: ["mon", "mon"] } }, "schedule.workingDays: names a day twice"],
      ["dev", { schedule: { closedDates: ["2026-02-30"] } }, "schedule.closedDates.0: is not a calendar date"],
      ["dev", { schedule: { closedDates: ["24.12.2026"] } }, "schedule.closedDates.0: must be a date such as 2026-12-24"],
      [
        "dev",
        { schedule: { holidays: { country: "XX", region: null } } },
        'schedule.holidays: country "XX" is not one the date-holidays library knows',
      ],
      [
        "dev",
        { schedule: { holidays: { country: "DE", region: "ZZ" } } },
        'schedule.holidays: region "ZZ" is not one of DE\'s: BB, BE, BW',
      ],
      [
        "dev",
        { schedule: { holidays: { country: "de", region: null } } },
        "schedule.holidays.country: must be an ISO 3166 country code such as DE",
      ],
      ["dev", { schedule: { prices: { currency: "dollars" } } }, "schedule.prices.currency: must be a currency code such as USD"],
      ["dev", { alerts: { emails: ["not-an-address"] } }, "alerts.emails.0"],
      ["dev", { database: { multiAZ: true } }, 'database: Unrecognized key: "multiAZ"'],
      ["dev", { nightly: true }, 'Unrecognized key: "nightly"'],
      [
        "prod",
        { database: { credentialRotationDays: 30 } as never },
        "database.credentialRotationDays: is no longer a setting: RDS rotates the master password it manages",
      ],
      [
        "dev",
        { database: { allocatedStorageGiB: 100, maxAllocatedStorageGiB: 50 } },
        "database.maxAllocatedStorageGiB: must be at least allocatedStorageGiB (100)",
      ],
      ["dev", { release: { canaryPercent: 100, canaryMinutes: 10 } }, "release.canaryMinutes: must be 1 when canaryPercent is 100"],
      ["dev", { release: { controller: "argo" as never } }, 'release.controller: Invalid option: expected one of "codedeploy"|"ecs"'],
      [
        "staging",
        { release: { controller: "ecs", canaryMinutes: 1500 } },
        "release.canaryMinutes: must be at most 1440 with the ecs controller (its canary bake time)",
      ],
      [
        "staging",
        { release: { controller: "ecs", blueTerminationWaitMinutes: 2000 } },
        "release.blueTerminationWaitMinutes: must be at most 1440 with the ecs controller (its bake time)",
      ],
      [
        "staging",
        { release: { controller: "ecs", canaryMinutes: 1000, blueTerminationWaitMinutes: 1000 } },
        "release.blueTerminationWaitMinutes: plus canaryMinutes must be at most 1980 with the ecs controller: CloudFormation refuses a longer ECS canary",
      ],
      [
        "prod",
        {
          release: { controller: "ecs" },
          chatops: { teamId: "T0TEAM0001", allow: { approve: { users: ["U0ALICE001"], groups: [], anyone: false } } },
        },
        "canary.approval.enabled: the approval gate needs an ECS pause hook",
      ],
      [
        "dev",
        { release: { controller: "ecs" }, canary: { watch: { enabled: true } } },
        "canary.watch.enabled: must be false when canaryPercent is 100",
      ],
      ["staging", { region: "Frankfurt" }, "region: must be an AWS region"],
      [
        "staging",
        { domain: { name: "vote.example.com", certificateArn: "cert-1" } },
        "domain.certificateArn: must be an ACM certificate ARN",
      ],
    ])("%s with %j", (stage, overrides, expected) => {
      const message = settingsError(stage, overrides);
      expect(message).toContain(`Stage "${stage}": invalid settings`);
      expect(message).toContain(expected);
    });

    it("takes the ecs controller where ECS can do what the stage asks: prod without a connected gate, an all-at-once dev", () => {
      expect(stageSettings("prod", { release: { controller: "ecs" } }).release.controller).toBe("ecs");
      expect(stageSettings("dev", { release: { controller: "ecs" } }).release).toMatchObject({ controller: "ecs", canaryPercent: 100 });
      // Every stage releases through CodeDeploy unless it says otherwise.
      for (const stage of ["prod", "staging", "dev", "pr-1"]) expect(stageSettings(stage, {}).release.controller).toBe("codedeploy");
    });

    it("lists every problem at once", () => {
      const message = settingsError("prod", { schedule: { enabled: true }, database: { multiAz: false } });
      expect(message).toContain("schedule.enabled");
      expect(message).toContain("database.multiAz");
    });

    it("refuses an override that renames the stage", () => {
      expect(settingsError("dev", { stage: "prod" })).toContain('overrides must not rename the stage (field "stage")');
    });

    it.each(["Prod", "pr_12", "1dev", "a-stage-name-far-too-long", ""])("refuses the stage name %j", (stage) => {
      expect(settingsError(stage, {})).toContain("the name must be lower-case letters");
    });
  });
});

describe("ops.settings.json", () => {
  const file = (content: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), "ops-settings-"));
    const target = path.join(dir, "ops.settings.json");
    writeFileSync(target, content);
    return target;
  };

  it("gives each stage its own overrides", () => {
    const target = file(JSON.stringify({ prod: { alerts: { emails: ["a@example.com"] } }, dev: { service: { maxTasks: 1 } } }));
    expect(readOverridesFile("prod", target)).toEqual({ alerts: { emails: ["a@example.com"] } });
    expect(readOverridesFile("staging", target)).toEqual({});
  });

  it("is optional", () => {
    expect(readOverridesFile("prod", path.join(tmpdir(), "does-not-exist", "ops.settings.json"))).toEqual({});
  });

  it('gives every stage it does not name, except prod, staging and dev, the "*" entry (previews)', () => {
    const zone = { domain: { hostedZone: { id: "Z0123456789ABCDEFGHIJ", name: "example.com" } } };
    const target = file(JSON.stringify({ "*": zone, "pr-1": { service: { maxTasks: 1 } } }));
    expect(readOverridesFile("pr-123", target)).toEqual(zone);
    expect(readOverridesFile("pr-1", target)).toEqual({ service: { maxTasks: 1 } });
    expect(readOverridesFile("dev", target)).toEqual({});
  });

  it("names the stage and the file when it is not JSON", () => {
    const target = file("{ prod: ");
    expect(() => readOverridesFile("prod", target)).toThrow(new RegExp(`Stage "prod": ${target} is not valid JSON`));
  });

  it("refuses a stage entry that is not an object", () => {
    expect(() => readOverridesFile("dev", file(JSON.stringify({ dev: [1] })))).toThrow('entry "dev" must be an object');
    expect(() => readOverridesFile("dev", file("[]"))).toThrow("must hold an object keyed by stage name");
  });
});

describe("the stage's domain", () => {
  const hostedZone = { id: "Z0123456789ABCDEFGHIJ", name: "example.com" };

  it("in a hosted zone without a name: the stage's own name in the zone", () => {
    expect(stageSettings("pr-123", { domain: { hostedZone } as never }).domain).toEqual({ name: "pr-123.example.com", hostedZone });
    expect(stageSettings("prod", { domain: { name: "vote.example.com", hostedZone } }).domain).toEqual({
      name: "vote.example.com",
      hostedZone,
    });
  });

  it.each([
    [{ name: "vote.other.org", hostedZone }, "domain.name: must be the hosted zone's name or a name inside it"],
    [{ name: "vote.example.com", hostedZone: { ...hostedZone, id: "zone-1" } }, "Route 53 hosted zone id"],
    [{ name: "vote.example.com" }, "domain"],
  ])("refuses %j", (domain, message) => {
    expect(() => stageSettings("dev", { domain: domain as never })).toThrow(message);
  });
});
