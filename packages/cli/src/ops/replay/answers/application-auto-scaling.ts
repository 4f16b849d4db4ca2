import { DescribeScalableTargetsCommand, RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import { Answers } from "../recording";
import type { World } from "./world";

/** The service's scalable target: its min and max, as the world's capacity has them. */
export function applicationAutoScalingAnswers(world: World): Answers {
  return new Answers()
    .set(
      DescribeScalableTargetsCommand,
      (input, call) => {
        call.detail += `: min ${world.capacity.minCapacity}, max ${world.capacity.maxCapacity}`;
        return {
          ScalableTargets: [
            {
              ServiceNamespace: input.ServiceNamespace,
              ResourceId: input.ResourceIds?.[0],
              ScalableDimension: input.ScalableDimension,
              MinCapacity: world.capacity.minCapacity,
              MaxCapacity: world.capacity.maxCapacity,
              RoleARN: "",
              CreationTime: new Date(0),
            },
          ],
        };
      },
      (input) => (input.ResourceIds ?? []).join(", "),
    )
    .set(
      RegisterScalableTargetCommand,
      (input) => {
        world.capacity = { ...world.capacity, minCapacity: input.MinCapacity ?? 0, maxCapacity: input.MaxCapacity ?? 0 };
        return {};
      },
      (input) => `${input.ResourceId}: min ${input.MinCapacity}, max ${input.MaxCapacity}`,
    );
}
