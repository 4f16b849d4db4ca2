import type { RollbackLedgerPort } from "@hands-off-ops/core/rollback/ports";

/** The rollback ledger in memory: claims (per release and action), rollbacks started (newest first) and the audit trail. */
export function memoryLedger(): RollbackLedgerPort & { claims: Set<string>; audits: { outcome: string }[] } {
  const claims = new Set<string>();
  const audits: { outcome: string }[] = [];
  const started: { badDeploymentId: string; at: Date; dryRun?: boolean }[] = [];
  const key = (id: string, dryRun = false, action = "redeploy") => `${dryRun ? "dry-run#" : ""}${action === "stop" ? "stop#" : ""}${id}`;
  return {
    claims,
    audits,
    recentRollbacks: async () => [...started].reverse(),
    claim: async (id, _at, dryRun, action) => !claims.has(key(id, dryRun, action)) && Boolean(claims.add(key(id, dryRun, action))),
    release: async (id, action) => void claims.delete(key(id, false, action)),
    recordRollback: async (badDeploymentId, rollback, at) =>
      void started.push({ badDeploymentId, at, ...(rollback === null ? { dryRun: true } : {}) }),
    audit: async (record) => void audits.push(record),
    trail: async () => [],
  };
}
