import type { RollbackLedgerPort } from "@hands-off-ops/core/aws/rollback-ledger";

/** The rollback ledger in memory: claims, rollbacks started (newest first) and the audit trail. */
export function memoryLedger(): RollbackLedgerPort & { claims: Set<string>; audits: { outcome: string }[] } {
  const claims = new Set<string>();
  const audits: { outcome: string }[] = [];
  const started: { badDeploymentId: string; at: Date; dryRun?: boolean }[] = [];
  const key = (id: string, dryRun = false) => `${dryRun ? "dry-run#" : ""}${id}`;
  return {
    claims,
    audits,
    recentRollbacks: async () => [...started].reverse(),
    claim: async (id, _at, dryRun) => !claims.has(key(id, dryRun)) && Boolean(claims.add(key(id, dryRun))),
    release: async (id) => void claims.delete(key(id)),
    recordRollback: async (badDeploymentId, rollback, at) =>
      void started.push({ badDeploymentId, at, ...(rollback === null ? { dryRun: true } : {}) }),
    audit: async (record) => void audits.push(record),
    trail: async () => [],
  };
}
