import type {
  DeserializeHandler,
  DeserializeHandlerArguments,
  DeserializeHandlerOutput,
  DeserializeMiddleware,
  HandlerExecutionContext,
  MetadataBearer,
  Pluggable,
} from "@smithy/types";
import type { Recorder } from "./recorder";

/**
 * The replay's one description of AWS: a real SDK v3 client (the one the
 * product's adapter makes its calls with) with a middleware that writes
 * each call down as the SDK names it (its client's and command's names) and
 * answers it from the scenario instead of sending it. Answers are keyed by
 * the SDK's own command classes and shaped as AWS's responses; a call with
 * no answer fails as a call to AWS fails (NoAnswer), and the adapter handles
 * that as it would in Lambda.
 */

/** Any SDK command class: its name is the one the SDK gives the call. */
// biome-ignore lint/suspicious/noExplicitAny: any command's input.
export type CommandClass = (abstract new (input: any, ...rest: any[]) => object) & { name: string };

/** A command's input (a command whose input is all optional takes none: `new (...[input]: [] | [Input])`). */
type InputOf<C> = C extends abstract new (...args: infer A) => unknown ? NonNullable<A[0]> : never;
type OutputOf<C> = C extends abstract new (
  // biome-ignore lint/suspicious/noExplicitAny: the command classes' own types.
  ...args: any[]
) => { resolveMiddleware(...args: never[]): (...args: never[]) => Promise<{ output: infer O }> }
  ? Omit<O, "$metadata"> & Partial<MetadataBearer>
  : object;

/** What one answer gets: the command's input, and the call as printed (to add what AWS answered). */
export type Answer<C> = (input: InputOf<C>, call: RecordedCall) => OutputOf<C> | Promise<OutputOf<C>>;

/** The call as the recorder writes it: the summary may be finished by the answer (e.g. "won" or "already claimed"). */
export interface RecordedCall {
  service: string;
  operation: string;
  detail: string;
}

export class NoAnswer extends Error {
  override readonly name = "NoAnswer";
  constructor(service: string, operation: string) {
    super(`the replay has no answer for ${service} ${operation}`);
  }
}

/** An answer that fails the way AWS fails a call: by the error's name (ConditionalCheckFailedException, ...). */
export function awsError(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, $fault: "client", $metadata: { httpStatusCode: 400 }, ...extra });
}

/** Answers by command (the class itself), one service's; summaries say in a few words what each call asked. */
export class Answers {
  readonly #answers = new Map<string, Answer<never>>();
  readonly #summaries = new Map<string, (input: never) => string>();

  set<C extends CommandClass>(command: C, answer: Answer<C>, summary?: (input: InputOf<C>) => string): this {
    this.#answers.set(command.name, answer as Answer<never>);
    if (summary) this.#summaries.set(command.name, summary as (input: never) => string);
    return this;
  }

  answer(commandName: string): Answer<never> | undefined {
    return this.#answers.get(commandName);
  }

  summary(commandName: string, input: unknown): string {
    const summary = this.#summaries.get(commandName);
    return summary ? summary(input as never) : "";
  }
}

/** "CodeDeployClient" / "StopDeploymentCommand" → "CodeDeploy" / "StopDeployment": the names the SDK gives the call. */
export function callName(context: Pick<HandlerExecutionContext, "clientName" | "commandName">): { service: string; operation: string } {
  return {
    service: (context.clientName ?? "Unknown").replace(/Client$/, ""),
    operation: (context.commandName ?? "Unknown").replace(/Command$/, ""),
  };
}

/** The recording middleware, as a plugin (client.middlewareStack.use), for a client whose calls it answers. */
export function recording(answers: Answers, recorder: Recorder): Pluggable<object, MetadataBearer> {
  return {
    applyToStack(stack) {
      const middleware: DeserializeMiddleware<object, MetadataBearer> =
        (_next: DeserializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) =>
        async (args: DeserializeHandlerArguments<object>): Promise<DeserializeHandlerOutput<MetadataBearer>> => {
          const { service, operation } = callName(context);
          const commandName = context.commandName ?? "";
          const call: RecordedCall = { service, operation, detail: answers.summary(commandName, args.input) };
          const answer = answers.answer(commandName);
          try {
            if (!answer) throw new NoAnswer(service, operation);
            const output = await answer(args.input as never, call);
            recorder.aws(service, operation, call.detail);
            return { output: { $metadata: { httpStatusCode: 200, requestId: "replay" }, ...(output as object) }, response: {} };
          } catch (error) {
            const name = (error as Error).name;
            recorder.aws(
              service,
              operation,
              `${call.detail}${call.detail ? " " : ""}→ ${name === "NoAnswer" ? "no answer in the replay" : name}`,
            );
            throw error;
          }
        };
      // Inside the document client's unmarshalling (lib-dynamodb adds "DocumentUnmarshall" before the deserializer, and
      // replaces this no-op of the same name): its calls are seen as DynamoDB receives them, its answers read as it reads them.
      stack.addRelativeTo(((next: DeserializeHandler<object, MetadataBearer>) => next) as DeserializeMiddleware<object, MetadataBearer>, {
        name: "DocumentUnmarshall",
        relation: "before",
        toMiddleware: "deserializerMiddleware",
        override: true,
      });
      stack.addRelativeTo(middleware, {
        name: "replayRecording",
        relation: "after",
        toMiddleware: "DocumentUnmarshall",
        override: true,
      });
    },
  };
}

/** Any SDK v3 client: what the middleware needs of it. */
interface SdkClient {
  // biome-ignore lint/suspicious/noExplicitAny: every client's own input and output types.
  middlewareStack: { use(plugin: Pluggable<any, any>): void };
}

/** The client, made to record and answer instead of sending (its region and credentials are never used). */
export function recordingClient<T extends SdkClient>(client: T, answers: Answers, recorder: Recorder): T {
  client.middlewareStack.use(recording(answers, recorder));
  return client;
}

/** A client configuration that never looks for credentials or a region (the requests are never sent). */
export const OFFLINE = {
  region: "eu-west-1",
  credentials: { accessKeyId: "replay", secretAccessKey: "replay" },
  maxAttempts: 1,
} as const;
