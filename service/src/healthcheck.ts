// Container health check: exits 0 when /health answers 200 within 3 s.
const port = Number(process.env.PORT ?? 8080);
const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(3000) }).catch(() => undefined);
process.exit(response?.status === 200 ? 0 : 1);
