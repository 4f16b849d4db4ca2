import type { AcceptPorts } from "./accept";
import type { CarryOutPorts } from "./carry-out";
import type { GatePorts } from "./gate";
/**
 * ChatOps effects that adapters implement (aws-*.ts, slack-*.ts). Each step's own ports (accept.ts, gate.ts, …) stay
 * beside the step, as they are made of that step's words.
 */

export interface DeadlineTarget {
  groupName: string;
  /** The Slack actions function, which settles the gate with the stage's default. */
  functionArn: string;
  roleArn: string;
}

export interface DeadlinePort {
  at(deploymentId: string, deadline: Date): Promise<"scheduled" | "already-scheduled">;
}

/** What the Slack actions function works with: the endpoint's ports, and the worker's and the gate's, loaded for their own invocations. */
export interface ChatOpsDependencies {
  accept: AcceptPorts;
  act(): Promise<CarryOutPorts>;
  gate(): Promise<GatePorts>;
  now(): Date;
}
