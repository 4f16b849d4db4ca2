// The container's health check (ECS runs it as ["CMD", "node", "healthcheck.mjs"]): exit 0 when /health answers 200.
const port = Number(process.env.PORT ?? 5678);
try {
  const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(3000) });
  process.exit(response.status === 200 ? 0 : 1);
} catch {
  process.exit(1);
}
