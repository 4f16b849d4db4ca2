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
