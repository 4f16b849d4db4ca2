import type { ChatOpsEnvironment } from "./environment";
import { ApprovalRequest, type GatePorts, openGate, settleAndTell } from "./gate";

type Where = Pick<ChatOpsEnvironment, "stage" | "timeZone">;

/** A hook's request for approval (EventBridge): the gate it opens, or why it is refused (another stage's, malformed). */
export async function onApprovalRequest(detail: unknown, where: Where, gate: GatePorts, now: Date) {
  const request = ApprovalRequest.safeParse(detail);
  if (!request.success || request.data.stage !== where.stage)
    return { outcome: "rejected", reason: request.error?.issues[0]?.message ?? `stage ${request.data?.stage}, not ${where.stage}` };
  const outcome = await openGate(request.data, gate, now, where.timeZone);
  return { outcome, deploymentId: request.data.deploymentId, hook: request.data.hook };
}

/** The gate's deadline (EventBridge Scheduler): the release settled as nobody pressed, or nothing left to do. */
export async function onApprovalDeadline(deploymentId: string, where: Where, gate: GatePorts, now: Date) {
  const settled = await settleAndTell(where.stage, deploymentId, { kind: "deadline", requestId: "deadline" }, gate, now, where.timeZone);
  return { outcome: settled.kind === "reported" ? `${settled.decided.status} reported` : `nothing to do: ${settled.reason}` };
}
