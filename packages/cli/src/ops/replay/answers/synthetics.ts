import { GetCanaryCommand, StartCanaryCommand, StopCanaryCommand } from "@aws-sdk/client-synthetics";
import { Answers } from "../recording";

/** The stage's Synthetics canary: running until the schedule stops it. */
export function syntheticsAnswers(): Answers {
  let state: "RUNNING" | "STOPPED" = "RUNNING";
  return new Answers()
    .set(
      GetCanaryCommand,
      (input, call) => {
        call.detail += `: ${state}`;
        return { Canary: { Name: input.Name, Status: { State: state } } };
      },
      (input) => input.Name ?? "",
    )
    .set(
      StopCanaryCommand,
      () => {
        state = "STOPPED";
        return {};
      },
      (input) => input.Name ?? "",
    )
    .set(
      StartCanaryCommand,
      () => {
        state = "RUNNING";
        return {};
      },
      (input) => input.Name ?? "",
    );
}
