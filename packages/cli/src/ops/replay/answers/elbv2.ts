import { DescribeRulesCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { Answers } from "../recording";

/** The listener rules: the scenario names no target groups' weights, so the watch finds none to judge by. */
export function elbv2Answers(): Answers {
  return new Answers().set(
    DescribeRulesCommand,
    () => ({ Rules: [] }),
    (input) => `${(input.RuleArns ?? []).map((arn) => arn.split("/").at(-2)).join(" and ")} rules: none known in the replay`,
  );
}
