import type { NotifyContext } from "./message";
import { ALARM_DETAIL_TYPE, readAlarm } from "./sources/alarm";
import { AUTOMATION_DETAIL_TYPE, AUTOMATION_SOURCE, readAutomation } from "./sources/automation";
import { DEPLOYMENT_DETAIL_TYPE, readDeployment } from "./sources/deployment";
import { ECS_DEPLOYMENT_DETAIL_TYPE, readEcsDeployment } from "./sources/ecs-deployment";
import { readServiceAction, SERVICE_ACTION_DETAIL_TYPE } from "./sources/ecs-service";
import { readTask, TASK_DETAIL_TYPE } from "./sources/ecs-task";
import { Envelope, firstIssue, type Normalized, type SourceReader } from "./sources/envelope";
import { RDS_INSTANCE_DETAIL_TYPE, readRdsInstanceEvent } from "./sources/rds";
import { unrecognised } from "./sources/unrecognised";

export type { Normalized };

const READERS: Record<string, SourceReader> = {
  [`aws.cloudwatch/${ALARM_DETAIL_TYPE}`]: readAlarm,
  [`aws.codedeploy/${DEPLOYMENT_DETAIL_TYPE}`]: readDeployment,
  [`aws.ecs/${TASK_DETAIL_TYPE}`]: readTask,
  [`aws.ecs/${SERVICE_ACTION_DETAIL_TYPE}`]: readServiceAction,
  [`aws.ecs/${ECS_DEPLOYMENT_DETAIL_TYPE}`]: readEcsDeployment,
  [`aws.rds/${RDS_INSTANCE_DETAIL_TYPE}`]: readRdsInstanceEvent,
  [`${AUTOMATION_SOURCE}/${AUTOMATION_DETAIL_TYPE}`]: readAutomation,
};

/**
 * Any input → a message for people, or a stated reason to stay silent.
 * Never throws: an event that cannot be read becomes a generic message that
 * names the reason and shows an excerpt.
 */
export function normalize(event: unknown, context: NotifyContext): Normalized {
  const envelope = Envelope.safeParse(event);
  if (!envelope.success) return unrecognised(event, context, `not an EventBridge event: ${firstIssue(envelope.error)}`);
  const read = READERS[`${envelope.data.source}/${envelope.data["detail-type"]}`];
  if (!read) return unrecognised(event, context, `no reader for source "${envelope.data.source}"`);
  try {
    return read(envelope.data, context);
  } catch (error) {
    // A reader bug must not lose the event either.
    return unrecognised(event, context, `reader failed: ${(error as Error).message}`);
  }
}
