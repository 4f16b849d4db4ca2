import type { LambdaClient } from "@aws-sdk/client-lambda";
import { formatClock } from "../text/time";
import type { CarryOutPorts } from "./carry-out";

/** A function asked directly (RequestResponse): its answer, or its error thrown. Lambda's client is made at the first call. */
function invoker(functionName: string, given?: LambdaClient) {
  let client = given;
  return async (payload: unknown, what: string) => {
    const sdk = await import("../aws/sdk/lambda");
    client ??= new sdk.LambdaClient({});
    const { Payload, FunctionError } = await client.send(
      new sdk.InvokeCommand({
        FunctionName: functionName,
        InvocationType: "RequestResponse",
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    );
    const answer = Payload ? JSON.parse(new TextDecoder().decode(Payload)) : null;
    if (FunctionError) throw new Error(`the ${what} function failed: ${answer?.errorMessage ?? FunctionError}`);
    return answer;
  };
}

/** The rollback function, which carries out "Do it" and "Roll back" by its own decisions and guards. */
export function invokedRollback(functionName: string, client?: LambdaClient): CarryOutPorts["rollback"] {
  const invoke = invoker(functionName, client);
  return {
    doIt: (request) => invoke(request, "rollback"),
    rollBack: (request) => invoke(request, "rollback"),
  };
}

/**
 * The schedule function's keep-awake action: the override tag, then the stage converges (it wakes if asleep). The
 * answer tells until when in the stage's zone, with UTC beside.
 */
export function invokedSchedule(
  functionName: string,
  timeZone: string,
  client?: LambdaClient,
  now: () => Date = () => new Date(),
): NonNullable<CarryOutPorts["schedule"]> {
  const invoke = invoker(functionName, client);
  return {
    async keepAwake(minutes, reason, wakeOnly) {
      const request = { action: "keep-awake", minutes, reason, ...(wakeOnly ? { wakeOnly } : {}) };
      const answer = await invoke(request, "schedule");
      if (answer?.refused || answer?.rejected) return `not done: ${answer.refused ?? answer.rejected}`;
      if (answer?.declined) return `not done: ${answer.declined} — nothing was changed`;
      const until = formatClock(new Date(now().getTime() + minutes * 60_000).toISOString(), timeZone, now());
      const woke = answer?.plan?.steps?.some((step: { kind?: string }) => step.kind === "scale" || step.kind === "start-database");
      return `${woke ? "waking up; " : ""}kept awake until ${until}${answer?.dryRun ? " (dry-run: nothing was changed)" : ""}`;
    },
  };
}
