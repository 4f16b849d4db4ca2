/**
 * The task definition this task runs, "family:revision", from the ECS task metadata endpoint v4
 * (`${ECS_CONTAINER_METADATA_URI_V4}/task` answers Family and Revision:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4-fargate.html).
 * Read once at start. Outside ECS (no such variable) or when the endpoint does not answer in time: null, and the
 * service writes no per-revision metrics.
 */
export async function taskDefinitionRevision(
  env: Record<string, string | undefined> = process.env,
  fetchImpl: typeof fetch = fetch,
  timeoutMs = 2000,
): Promise<string | null> {
  const base = env.ECS_CONTAINER_METADATA_URI_V4;
  if (!base) return null;
  const response = await fetchImpl(`${base}/task`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`task metadata endpoint answered ${response.status}`);
  const task = (await response.json()) as { Family?: unknown; Revision?: unknown };
  if (typeof task.Family !== "string" || !task.Family || (typeof task.Revision !== "string" && typeof task.Revision !== "number"))
    throw new Error("task metadata without Family and Revision");
  return `${task.Family}:${task.Revision}`;
}
