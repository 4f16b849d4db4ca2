import { DescribeScalableTargetsCommand, RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import { Answers } from "../recording";
import { capacityOf, setCapacity, type World } from "./world";

/** Each service's scalable target (the public one's and the workers'): its min and max, as the world has them. */
export function applicationAutoScalingAnswers(world: World): Answers {
  return new Answers()
    .set(
      DescribeScalableTargetsCommand,
      (input, call) => {
        const targets = (input.ResourceIds ?? []).map((resourceId) => {
          const { minCapacity, maxCapacity } = capacityOf(world, serviceOf(resourceId));
          return { resourceId, minCapacity, maxCapacity };
        });
        call.detail += `: ${targets.map((t) => `min ${t.minCapacity}, max ${t.maxCapacity}`).join("; ")}`;
        return {
          ScalableTargets: targets.map((t) => ({
            ServiceNamespace: input.ServiceNamespace,
            ResourceId: t.resourceId,
            ScalableDimension: input.ScalableDimension,
            MinCapacity: t.minCapacity,
            MaxCapacity: t.maxCapacity,
            RoleARN: "",
            CreationTime: new Date(0),
          })),
        };
      },
      (input) => (input.ResourceIds ?? []).join(", "),
    )
    .set(
      RegisterScalableTargetCommand,
      (input) => {
        setCapacity(world, serviceOf(input.ResourceId ?? ""), { minCapacity: input.MinCapacity ?? 0, maxCapacity: input.MaxCapacity ?? 0 });
        return {};
      },
      (input) => `${input.ResourceId}: min ${input.MinCapacity}, max ${input.MaxCapacity}`,
    );
}

/** An ECS scalable target's service: its resource id is service/<cluster>/<service>. */
const serviceOf = (resourceId: string) => resourceId.split("/").at(-1);
