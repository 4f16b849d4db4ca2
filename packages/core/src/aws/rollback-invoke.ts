import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { RollbackPort } from "../chatops/do-it";

/** The rollback function asked directly (RequestResponse) to carry out a rehearsed decision; its error is thrown. */
export function invokedRollback(functionArn: string, client: LambdaClient = new LambdaClient({})): RollbackPort {
  return {
    async doIt(request) {
      const { Payload, FunctionError } = await client.send(
        new InvokeCommand({
          FunctionName: functionArn,
          InvocationType: "RequestResponse",
          Payload: new TextEncoder().encode(JSON.stringify(request)),
        }),
      );
      const answer = Payload ? JSON.parse(new TextDecoder().decode(Payload)) : null;
      if (FunctionError) throw new Error(`the rollback function failed: ${answer?.errorMessage ?? FunctionError}`);
      return answer;
    },
  };
}
