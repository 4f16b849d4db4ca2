import { CreateScheduleCommand, DeleteScheduleCommand } from "@aws-sdk/client-scheduler";
import { Answers } from "../recording";
import type { World } from "./world";

/** EventBridge Scheduler: schedules are created and deleted; none runs by itself in a replay (a timeline's steps do). */
export function schedulerAnswers(world: World): Answers {
  return new Answers()
    .set(
      CreateScheduleCommand,
      (input) => ({ ScheduleArn: `arn:aws:scheduler:${world.region}:${world.account}:schedule/${input.GroupName}/${input.Name}` }),
      (input) =>
        `${input.Name} ${input.ScheduleExpression}${input.EndDate ? ` until ${input.EndDate.toISOString()}` : ""}${input.Description ? `: ${input.Description}` : ""}`,
    )
    .set(
      DeleteScheduleCommand,
      () => ({}),
      (input) => `${input.Name}`,
    );
}
