import { InvokeCommand } from "@aws-sdk/client-lambda";
import { Answers } from "../recording";

/**
 * Lambda: a function asked by another (the Slack actions function asks the rollback and schedule functions, and
 * hands a click to itself). `run` runs the named function in the replay, as Lambda would: its answer is the
 * function's result (RequestResponse); an Event invocation is accepted (202) and run once the caller is done.
 */
export function lambdaAnswers(
  run: (functionName: string, payload: unknown, type: "RequestResponse" | "Event") => Promise<unknown>,
): Answers {
  return new Answers().set(
    InvokeCommand,
    async (input) => {
      const payload = JSON.parse(textOf(input.Payload));
      const type = input.InvocationType === "Event" ? "Event" : "RequestResponse";
      const result = await run(input.FunctionName ?? "", payload, type);
      if (type === "Event") return { StatusCode: 202 };
      return { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify(result ?? null)) as never };
    },
    (input) => {
      const payload = textOf(input.Payload);
      const click = input.InvocationType === "Event" && payload.includes('"kind":"click"');
      return `${input.FunctionName} (${input.InvocationType ?? "RequestResponse"}): ${click ? "the click, carried out in the background" : payload}`;
    },
  );
}

const textOf = (payload: unknown) =>
  typeof payload === "string" ? payload : payload instanceof Uint8Array ? new TextDecoder().decode(payload) : "null";
