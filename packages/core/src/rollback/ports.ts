import type { AutomationNotice } from "../notify/sources/automation";
import type { DeploymentFacts, RecordedRollback } from "./decide";
import type { AlarmNow } from "./present";

/**
 * The rollback's effects, as small interfaces: the aws-*.ts files beside them implement them with the AWS SDK; tests
 * and the console with local peers or recording clients.
 */

export interface AlarmStatePort {
  /** The alarm as CloudWatch has it now, or null when it does not know the name. */
  now(alarmName: string): Promise<AlarmNow | null>;
}

export interface RollbackDeploymentsPort {
  history(): Promise<{ inProgress: DeploymentFacts | null; lastSuccess: DeploymentFacts | null; previousSuccess: DeploymentFacts | null }>;
  stop(deploymentId: string): Promise<"stopped" | "already-finished">;
  redeploy(taskDefinitionArn: string, description: string): Promise<string>;
}

export interface RollbackLedgerPort {
  /** Automatic rollbacks started (and dry-run's decided) since `since`, newest first. */
  recentRollbacks(since: Date): Promise<RecordedRollback[]>;
  /**
   * The one claim per release and action (dry-run's apart), whichever alarm or person asks: false when another
   * event already claimed it.
   */
  claim(badDeploymentId: string, at: Date, dryRun?: boolean, action?: ClaimedAction): Promise<boolean>;
  /** Gives a claim back when the action could not be carried out, so that a retry may try again. */
  release(badDeploymentId: string, action?: ClaimedAction): Promise<void>;
  /** A rollback started, or (dry-run, no rollback deployment) one decided and not carried out. */
  recordRollback(badDeploymentId: string, rollbackDeploymentId: string | null, at: Date): Promise<void>;
  audit(record: AuditRecord): Promise<void>;
  /** The audit trail, newest first. */
  trail(limit: number): Promise<AuditRecord[]>;
}

export interface RollbackPorts {
  /** CloudWatch: the alarm as it is now, read before any change. */
  alarms: AlarmStatePort;
  deployments: RollbackDeploymentsPort;
  ledger: RollbackLedgerPort;
  notify(notice: AutomationNotice): Promise<void>;
}

export interface AuditRecord {
  eventId: string;
  at: Date;
  alarmName: string;
  decision: object;
  outcome: string;
}

/**
 * What a claim is for. A stop and a redeploy of one release claim apart: a stop that found the release already
 * finished must not keep the redeploy of that release from happening once it is the bad one in its bake window.
 */
export type ClaimedAction = "redeploy" | "stop";
