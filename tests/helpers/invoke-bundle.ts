import { execFile } from "node:child_process";
import { promisify } from "node:util";

export interface Invocation {
  result: unknown;
  /** Import of the bundle, then the event, as the process saw them; CPU time and peak memory of the whole process. */
  figures: { importMs: number; eventMs: number; cpuMs: number; maxRssMb: number };
}

/**
 * A Lambda bundle (.mjs as `sst deploy` uploads it) imported by a fresh Node
 * and called once with `event`, as the Lambda runtime would on a cold start.
 */
export async function invokeBundle(
  bundle: string,
  exportName: string,
  event: unknown,
  env: Record<string, string>,
  timeoutSeconds = 60,
): Promise<Invocation> {
  const script = `
    const started = performance.now();
    const cpu = process.cpuUsage();
    const module = await import(${JSON.stringify(bundle)});
    const imported = performance.now();
    const context = { functionName: "f", awsRequestId: "r", memoryLimitInMB: "256", invokedFunctionArn: "arn:aws:lambda:eu-central-1:123456789012:function:f", getRemainingTimeInMillis: () => ${timeoutSeconds * 1000} };
    const result = await module[${JSON.stringify(exportName)}](${JSON.stringify(event)}, context);
    const done = performance.now();
    const used = process.cpuUsage(cpu);
    console.log("RESULT " + JSON.stringify(result ?? null));
    console.log("FIGURES " + JSON.stringify({ importMs: imported - started, eventMs: done - imported, cpuMs: (used.user + used.system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
    env: { PATH: process.env.PATH ?? "", ...env },
    timeout: (timeoutSeconds + 30) * 1000,
  });
  const line = (prefix: string) => {
    const found = stdout.split("\n").find((l) => l.startsWith(prefix));
    if (!found) throw new Error(`no ${prefix.trim()} line in:\n${stdout}`);
    return JSON.parse(found.slice(prefix.length));
  };
  return { result: line("RESULT "), figures: line("FIGURES ") };
}
