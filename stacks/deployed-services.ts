import { existsSync } from "node:fs";
import path from "node:path";
import type { ServiceDescription } from "@hands-off-ops/core/settings/schema";
import { sizingOf } from "@hands-off-ops/core/settings/services";
import { type StageSettings, StageSettingsError } from "./config";

/**
 * What a stage runs, whether the team named its services or not: each container with what the stacks need to
 * build it. Without `services` this is the sample voting app in service/, exactly as it has always been deployed
 * (name "app", the health command its image has, user 1000, the database).
 */
export interface DeployedService {
  name: string;
  image: { directory: string } | { uri: string };
  architecture: "arm64" | "x86_64";
  port: number | null;
  command: string[] | null;
  user: string | null;
  readOnlyRootFilesystem: boolean;
  environment: Record<string, string>;
  secrets: Record<string, { name: string; key?: string | undefined }>;
  database: boolean;
  public: boolean;
  health: { path: string; command: string[] | null };
  sizing: StageSettings["service"];
  /** The synthetic user's script, where the stage has one. */
  syntheticFile: string | null;
}

export const VOTING_APP_NAME = "app";

/** Every service of the stage; the public one (which releases go through) first. */
export function deployedServices(settings: StageSettings): DeployedService[] {
  if (!settings.services) return [votingApp(settings)];
  const services = Object.entries(settings.services).map(([name, s]) => described(name, s, settings));
  return services.sort((a, b) => Number(b.public) - Number(a.public));
}

/** The service the load balancer sends users to (the settings hold exactly one), and the workers beside it. */
export function servicesOf(settings: StageSettings): { web: DeployedService; workers: DeployedService[] } {
  const [web, ...workers] = deployedServices(settings);
  if (!web?.public) throw new StageSettingsError(`Stage "${settings.stage}": no public service`);
  return { web, workers };
}

function votingApp(settings: StageSettings): DeployedService {
  return {
    name: VOTING_APP_NAME,
    image: { directory: path.resolve("service") },
    architecture: "arm64",
    port: settings.service.containerPort,
    command: null,
    user: "1000:1000",
    readOnlyRootFilesystem: true,
    environment: {
      // Encrypted and verified: the server's certificate must chain to an RDS root and name PGHOST.
      PGSSLMODE: "verify-full",
      DATABASE_CA: "aws-rds",
      // Migrations run in one transaction under an advisory lock: tasks starting together take turns.
      MIGRATE_ON_START: "true",
    },
    secrets: {},
    database: true,
    public: true,
    health: { path: "/health", command: ["CMD", "node", "dist/healthcheck.js"] },
    sizing: settings.service,
    syntheticFile: settings.synthetics.enabled ? path.resolve("synthetics", "flow.js") : null,
  };
}

function described(name: string, s: ServiceDescription, settings: StageSettings): DeployedService {
  const refuse = (setting: string, why: string) => {
    throw new StageSettingsError(`Stage "${settings.stage}": invalid settings\n  - services.${name}.${setting}: ${why}`);
  };
  let image: DeployedService["image"];
  if ("directory" in s.image) {
    const directory = path.resolve(s.image.directory);
    if (!existsSync(path.join(directory, "Dockerfile")))
      refuse("image.directory", `${directory} has no Dockerfile: sst deploy builds the image from it`);
    image = { directory };
  } else image = { uri: s.image.uri };
  const syntheticFile = s.synthetic && settings.synthetics.enabled ? path.resolve(s.synthetic.file) : null;
  if (syntheticFile && !existsSync(syntheticFile)) refuse("synthetic.file", `${syntheticFile} does not exist`);
  return {
    name,
    image,
    architecture: s.architecture,
    port: s.port,
    command: s.command,
    user: s.user,
    readOnlyRootFilesystem: s.readOnlyRootFilesystem,
    environment: s.environment,
    secrets: s.secrets,
    database: s.database,
    public: s.public,
    health: s.health,
    // `size` is whole since the settings were read (settings/schema.ts): the stage's `service` is the public one's now.
    sizing: sizingOf(s, settings.service),
    syntheticFile,
  };
}
