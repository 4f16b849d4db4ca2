import type { CloudFormationTemplate } from "../../../packages/cli/src/synth/synth-stage";
import { type StageTemplates, TemplateResolver } from "./template-arns";

type Resource = { Type: string; Properties?: Record<string, unknown> };

/**
 * The ARNs, as deployed, of what one stage's automation works on, and the
 * role of each of its functions: what a table of "may / may not" is written
 * against.
 */
export function stageResources(stage: StageTemplates) {
  const resolver = new TemplateResolver(stage);
  const stackNamed = (suffix: string) => {
    const found = stage.stacks.find((s) => s.name.endsWith(`-${suffix}`));
    if (!found) throw new Error(`${stage.stage} has no ${suffix} stack`);
    return found;
  };
  const logicalIdOf = (suffix: string, matches: (r: Resource) => boolean) => {
    const { name, template } = stackNamed(suffix);
    const found = Object.entries((template as CloudFormationTemplate).Resources as Record<string, Resource>).find(([, r]) => matches(r));
    return found && { stack: name, logicalId: found[0], resource: found[1] };
  };
  const ofType = (suffix: string, type: string) => {
    const found = logicalIdOf(suffix, (r) => r.Type === type);
    if (!found) throw new Error(`${stage.stage}'s ${suffix} stack has no ${type}`);
    return found;
  };
  const ref = ({ stack, logicalId }: { stack: string; logicalId: string }) => resolver.resolve(stack, { Ref: logicalId });
  const arnOf = ({ stack, logicalId }: { stack: string; logicalId: string }) =>
    resolver.resolve(stack, { "Fn::GetAtt": [logicalId, "Arn"] });
  const arn = (service: string, resource: string) => `arn:aws:${service}:${stage.region}:${stage.account}:${resource}`;

  /** The role of the function whose handler is `handler` (e.g. functions/rollback.handler). */
  const roleOf = (suffix: string, handler: string) => {
    const fn = logicalIdOf(suffix, (r) => r.Type === "AWS::Lambda::Function" && r.Properties?.Handler === handler);
    if (!fn) throw new Error(`${stage.stage} has no function ${handler}`);
    const [roleId] = (fn.resource.Properties as { Role: { "Fn::GetAtt": [string, string] } }).Role["Fn::GetAtt"];
    return { stack: fn.stack, role: roleId };
  };

  const application = ref(ofType("Service", "AWS::CodeDeploy::Application"));
  const group = ref(ofType("Service", "AWS::CodeDeploy::DeploymentGroup"));
  /** A schedule group by the id its construct gives it (each stack may have several: sleep, approval deadlines). */
  const groupWithId = (suffix: string, idPrefix: string) => {
    const { name, template } = stackNamed(suffix);
    const found = Object.entries(template.Resources ?? {}).find(
      ([id, r]) => id.startsWith(idPrefix) && (r as Resource).Type === "AWS::Scheduler::ScheduleGroup",
    );
    return found && { stack: name, logicalId: found[0] };
  };
  const scheduleGroup = (suffix: string, idPrefix: string) => {
    const found = groupWithId(suffix, idPrefix);
    if (!found) throw new Error(`${stage.stage}'s ${suffix} stack has no schedule group ${idPrefix}`);
    return ref(found);
  };
  const hasScheduleGroup = (suffix: string, idPrefix: string) => groupWithId(suffix, idPrefix) !== undefined;

  return {
    account: stage.account,
    deploymentGroup: arn("codedeploy", `deploymentgroup:${application}/${group}`),
    application: arn("codedeploy", `application:${application}`),
    table: arnOf(ofType("Automation", "AWS::DynamoDB::GlobalTable")),
    topic: ref(ofType("Observability", "AWS::SNS::Topic")),
    service: ref(ofType("Service", "AWS::ECS::Service")),
    cluster: arnOf(ofType("Service", "AWS::ECS::Cluster")),
    databaseIdentifier: ref(ofType("Database", "AWS::RDS::DBInstance")),
    database: arn("rds", `db:${ref(ofType("Database", "AWS::RDS::DBInstance"))}`),
    watchSchedule: hasScheduleGroup("Service", "CanaryWatchSchedules")
      ? arn("scheduler", `schedule/${scheduleGroup("Service", "CanaryWatchSchedules")}/watch-d-ABC123`)
      : undefined,
    sleepSchedule: hasScheduleGroup("Automation", "SleepSchedules")
      ? arn("scheduler", `schedule/${scheduleGroup("Automation", "SleepSchedules")}/recheck-202611301900`)
      : undefined,
    roles: {
      notify: roleOf("Automation", "functions/notify.handler"),
      rollback: roleOf("Automation", "functions/rollback.handler"),
      hook: roleOf("Service", "functions/canary-hook.handler"),
      releaseIsComplete: roleOf("Service", "functions/release.isComplete"),
      /** Only where the stage sleeps at night. */
      schedule: hasScheduleGroup("Automation", "SleepSchedules") ? roleOf("Automation", "functions/schedule.handler") : undefined,
    },
  };
}
