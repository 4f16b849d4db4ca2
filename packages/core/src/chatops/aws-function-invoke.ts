import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { formatClock } from "../text/time";
import type { CarryOutPorts } from "./carry-out";

/** A function asked directly (RequestResponse): its answer, or its error thrown. */
async function invoke(client: LambdaClient, functionName: string, payload: unknown, what: string) {
  const { Payload, FunctionError } = await client.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: "RequestResponse",
      Payload: new TextEncoder().encode(JSON.stringify(payload)),
    }),
  );
  const answer = Payload ? JSON.parse(new TextDecoder().decode(Payload)) : null;
  if (FunctionError) throw new Error(`the ${what} function failed: ${answer?.errorMessage ?? FunctionError}`);
  return answer;
}

/** The rollback function, which carries out "Do it" and "Roll back" by its own decisions and guards. */
export function invokedRollback(functionName: string, client: LambdaClient = new LambdaClient({})): CarryOutPorts["rollback"] {
  return {
    doIt: (request) => invoke(client, functionName, request, "rollback"),
    rollBack: (request) => invoke(client, functionName, request, "rollback"),
  };
}

/**
 * The schedule function's keep-awake action: the override tag, then the stage converges (it wakes if asleep). The
 * answer tells until when in the stage's zone, with UTC beside.
 */
export function invokedSchedule(
  functionName: string,
  timeZone: string,
  client: LambdaClient = new LambdaClient({}),
  now: () => Date = () => new Date(),
): NonNullable<CarryOutPorts["schedule"]> {
  return {
    async keepAwake(minutes, reason, wakeOnly) {
      const request = { action: "keep-awake", minutes, reason, ...(wakeOnly ? { wakeOnly } : {}) };
      const answer = await invoke(client, functionName, request, "schedule");
      if (answer?.refused || answer?.rejected) return `not done: ${answer.refused ?? answer.rejected}`;
      if (answer?.declined) return `not done: ${answer.declined} — nothing was changed`;
      const until = formatClock(new Date(now().getTime() + minutes * 60_000).toISOString(), timeZone, now());
      const woke = answer?.plan?.steps?.some((step: { kind?: string }) => step.kind === "scale" || step.kind === "start-database");
      return `${woke ? "waking up; " : ""}kept awake until ${until}${answer?.dryRun ? " (dry-run: nothing was changed)" : ""}`;
    },
  };
}
