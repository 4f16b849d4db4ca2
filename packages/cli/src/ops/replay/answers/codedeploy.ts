import {
  BatchGetDeploymentsCommand,
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  type DeploymentInfo,
  GetDeploymentCommand,
  GetDeploymentTargetCommand,
  ListDeploymentsCommand,
  PutLifecycleEventHookExecutionStatusCommand,
  StopDeploymentCommand,
} from "@aws-sdk/client-codedeploy";
import { ecsAppSpec, taskDefinitionOf } from "@hands-off-ops/core/release/appspec";
import { AUTOMATIC_ROLLBACK_PREFIX } from "@hands-off-ops/core/rollback/decide";
import { Answers } from "../recording";
import type { Scenario } from "../scenario";
import type { World } from "./world";

/** The deployment a CodeDeploy rollback creates, and a release the console starts: ids the replay gives them. */
export const REPLAY_ROLLBACK_ID = "d-REPLAYROLLBACK";
export const REPLAY_RELEASE_ID = "d-REPLAYRELEASE";

type Deployment = NonNullable<Scenario["deployments"]["inProgress"]>;

/**
 * CodeDeploy as the scenario has it: the release in progress and the last two that succeeded.
 * `report`: whether GetDeployment tells a release's report. It does not by default: the scenario does not say
 * what error or rollback CodeDeploy would report, and an empty report would read as "no error, no rollback".
 */
export function codeDeployAnswers(world: World, options: { report?: boolean } = {}): Answers {
  const { inProgress, lastSuccess, previousSuccess } = world.scenario.deployments;
  const known = [inProgress, lastSuccess, previousSuccess].filter((d): d is Deployment => d !== null);
  const info = (d: Deployment): DeploymentInfo => ({
    deploymentId: d.deploymentId,
    status: d === inProgress ? "InProgress" : "Succeeded",
    description: d.automaticRollback ? `${AUTOMATIC_ROLLBACK_PREFIX} of a release` : "",
    revision: {
      revisionType: "AppSpecContent",
      appSpecContent: {
        content: ecsAppSpec({ taskDefinitionArn: d.taskDefinitionArn, containerName: "app", containerPort: 8080, hooks: {} }),
      },
    },
    ...(d === inProgress ? { createTime: new Date(d.at), startTime: new Date(d.at) } : { completeTime: new Date(d.at) }),
  });
  const answers = new Answers()
    .set(
      ListDeploymentsCommand,
      (input, call) => {
        const statuses = (input.includeOnlyStatuses ?? []) as string[];
        const found = statuses.includes("Succeeded")
          ? [lastSuccess, previousSuccess]
          : statuses.includes("InProgress")
            ? [inProgress]
            : known;
        const ids = found.flatMap((d) => (d ? [d.deploymentId] : []));
        call.detail += `: ${ids.length ? ids.join(", ") : "none"}`;
        return { deployments: ids };
      },
      (input) => `${input.deploymentGroupName}, ${(input.includeOnlyStatuses ?? []).join(" or ") || "any status"}`,
    )
    .set(
      BatchGetDeploymentsCommand,
      (input) => ({ deploymentsInfo: known.filter((d) => input.deploymentIds?.includes(d.deploymentId)).map(info) }),
      (input) => (input.deploymentIds ?? []).join(", "),
    )
    .set(
      StopDeploymentCommand,
      () => ({ status: "Pending" as const }),
      (input) => `${input.deploymentId}${input.autoRollbackEnabled ? " with autoRollbackEnabled" : ""}`,
    )
    .set(
      CreateDeploymentCommand,
      (input) => ({ deploymentId: input.description?.startsWith(AUTOMATIC_ROLLBACK_PREFIX) ? REPLAY_ROLLBACK_ID : REPLAY_RELEASE_ID }),
      (input) =>
        `${input.applicationName}/${input.deploymentGroupName} → ${taskDefinitionOf(input.revision?.appSpecContent?.content) ?? "?"}${input.deploymentConfigName ? ` (${input.deploymentConfigName})` : ""}: "${input.description ?? ""}"`,
    )
    .set(
      ContinueDeploymentCommand,
      () => ({}),
      (input) => `${input.deploymentId} ${input.deploymentWaitType ?? ""}`.trim(),
    )
    .set(
      GetDeploymentTargetCommand,
      // The scenario names no task sets: the watch judges without the fast path, a release sees no lifecycle yet.
      () => ({ deploymentTarget: { deploymentTargetType: "ECSTarget" as const } }),
      (input) => `${input.deploymentId}: no task sets in the replay`,
    )
    .set(
      PutLifecycleEventHookExecutionStatusCommand,
      (input) => ({ lifecycleEventHookExecutionId: input.lifecycleEventHookExecutionId }),
      (input) => `${input.deploymentId} ${input.status} (execution ${input.lifecycleEventHookExecutionId})`,
    );
  if (options.report !== false)
    answers.set(
      GetDeploymentCommand,
      (input, call) => {
        const found = known.find((d) => d.deploymentId === input.deploymentId);
        const status = found === inProgress && found ? "InProgress" : "Succeeded";
        call.detail += `: ${status}`;
        return { deploymentInfo: found ? info(found) : { deploymentId: input.deploymentId, status: status as "Succeeded" } };
      },
      (input) => input.deploymentId ?? "",
    );
  return answers;
}
