/**
 * How long Custom::Release may keep CloudFormation waiting. A custom resource must answer within its
 * ServiceTimeout, 1–3,600 s
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-customresource.html);
 * past it the stack update fails and rolls back while CodeDeploy carries on. The provider framework's
 * totalTimeout runs inside that hour, after its own onEvent, so the release's waits, the last polls and the
 * framework's own Lambdas must all fit in it.
 */
export const CUSTOM_RESOURCE_MAX_SECONDS = 3600;

/** The release provider as stacks/release.ts builds it: these figures are its functions' and waiter's settings. */
export const RELEASE_PROVIDER = {
  queryIntervalSeconds: 30,
  /** onEvent may end a previous release's termination wait and wait for CodeDeploy to finish it (decideRelease). */
  onEventTimeoutSeconds: 120,
  isCompleteTimeoutSeconds: 30,
  /** The framework's three Lambdas (cold starts, StartExecution, the response to CloudFormation's URL). */
  frameworkSeconds: 60,
} as const;

/** Fargate pulls and starts the new tasks, the target group finds them healthy, CodeDeploy moves the listeners. */
export const TASKS_AND_SHIFTS_MINUTES = 8;

export interface ReleaseWaits {
  /** The canary window (release.canaryMinutes). */
  canaryMinutes: number;
  /** The approval gate's deadline, 0 where there is no gate. */
  approvalMinutes: number;
  /** The timeout of each hook function a release runs: a hook reports by then, or its function is gone. */
  hookTimeoutsSeconds: number[];
}

export type WaitPlan =
  | {
      fits: true;
      /** isComplete fails the release when it is not live this long after onEvent started. */
      deadlineSeconds: number;
      /** The provider's totalTimeout: one poll past the deadline, a multiple of the query interval. */
      totalTimeoutSeconds: number;
      /** The latest CloudFormation hears back, counted from its request. */
      worstCaseAnswerSeconds: number;
      serviceTimeoutSeconds: number;
    }
  | { fits: false; problem: string };

/**
 * The deadline, the provider's timeouts and the latest answer for one stage's release settings, or why they
 * cannot fit in CloudFormation's hour. The latest answer: the poll before the deadline starts just short of
 * it and takes an isComplete timeout, the next one starts a query interval later and fails the release
 * within another isComplete timeout, and the framework adds its own seconds.
 */
export function releaseWaitPlan(waits: ReleaseWaits): WaitPlan {
  const p = RELEASE_PROVIDER;
  const hooksSeconds = waits.hookTimeoutsSeconds.reduce((sum, s) => sum + s, 0);
  const neededSeconds = (TASKS_AND_SHIFTS_MINUTES + waits.approvalMinutes + waits.canaryMinutes) * 60 + hooksSeconds;
  const deadlineSeconds = Math.max(Math.ceil(neededSeconds / p.queryIntervalSeconds), 1) * p.queryIntervalSeconds;
  const worstCaseAnswerSeconds =
    p.frameworkSeconds + Math.max(deadlineSeconds, p.onEventTimeoutSeconds) + p.queryIntervalSeconds + 2 * p.isCompleteTimeoutSeconds;
  if (worstCaseAnswerSeconds > CUSTOM_RESOURCE_MAX_SECONDS) {
    const over = Math.ceil((worstCaseAnswerSeconds - CUSTOM_RESOURCE_MAX_SECONDS) / 60);
    const parts = [
      `${TASKS_AND_SHIFTS_MINUTES} to start tasks and shift traffic`,
      `${Math.round(hooksSeconds / 60)} for ${waits.hookTimeoutsSeconds.length} hook function(s)`,
      ...(waits.approvalMinutes > 0 ? [`${waits.approvalMinutes} at the approval gate`] : []),
      `${waits.canaryMinutes} of canary`,
    ];
    return {
      fits: false,
      problem:
        `A release of this stage may take ${Math.ceil(neededSeconds / 60)} minutes (${parts.join(", ")}), but CloudFormation waits ` +
        `${CUSTOM_RESOURCE_MAX_SECONDS / 60} minutes at most for Custom::Release (ServiceTimeout), ` +
        `${Math.ceil((worstCaseAnswerSeconds - deadlineSeconds) / 60)} of them for the release provider itself: shorten release.canaryMinutes ` +
        `or canary.approval.deadlineMinutes by ${over} minute(s) together, or turn the approval gate off (docs/releases.md).`,
    };
  }
  return {
    fits: true,
    deadlineSeconds,
    totalTimeoutSeconds: deadlineSeconds + p.queryIntervalSeconds,
    worstCaseAnswerSeconds,
    serviceTimeoutSeconds: CUSTOM_RESOURCE_MAX_SECONDS,
  };
}
