import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningService, startService } from "../helpers/processes";

/** A stand-in for the ECS task metadata endpoint v4: GET …/task answers the task document (trimmed to what matters). */
async function metadataEndpoint(): Promise<{ server: Server; uri: string; asked: string[] }> {
  const asked: string[] = [];
  const server = createServer((request, response) => {
    asked.push(request.url ?? "");
    if (request.url !== "/v4/3f9a-task/task") return void response.writeHead(404).end();
    response.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        Cluster: "arn:aws:ecs:eu-central-1:123456789012:cluster/test-cluster",
        TaskARN: "arn:aws:ecs:eu-central-1:123456789012:task/test-cluster/3f9a",
        Family: "test-hands-off-ops-Service-app",
        Revision: "42",
        DesiredStatus: "RUNNING",
        KnownStatus: "RUNNING",
        LaunchType: "FARGATE",
      }),
    );
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v4/3f9a-task`, asked };
}

const emfLines = (logs: string) =>
  logs
    .split("\n")
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line));

describe("the service's per-revision metrics, as its container writes them", () => {
  let service: RunningService | undefined;
  let metadata: Server | undefined;
  afterEach(() => {
    if (service?.child.exitCode === null) service.child.kill("SIGKILL");
    metadata?.close();
  });

  it("reads its task definition once and writes 1-s-resolution Requests and ServerErrors within about a second", async () => {
    const endpoint = await metadataEndpoint();
    metadata = endpoint.server;
    service = await startService({ ECS_CONTAINER_METADATA_URI_V4: endpoint.uri, FAULT_ERROR_RATE: "1" });
    for (let i = 0; i < 3; i++)
      expect((await fetch(`${service.url}/api/polls/00000000-0000-4000-8000-000000000000/results`)).status).toBe(500);
    await sleep(1600);

    const lines = emfLines(service.logs()).filter((line) => line.TaskDefinition !== undefined);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const line of lines) {
      expect(line.Stage).toBe("test");
      expect(line.TaskDefinition).toBe("test-hands-off-ops-Service-app:42");
      expect(line._aws.CloudWatchMetrics[0].Namespace).toBe("HandsOffOps/Service");
      expect(line._aws.CloudWatchMetrics[0].Dimensions).toEqual([["Stage", "TaskDefinition"]]);
      expect(line._aws.CloudWatchMetrics[0].Metrics.map((m: { StorageResolution?: number }) => m.StorageResolution)).toEqual([1, 1]);
    }
    // Every request counted once, the health probes not at all, across however many one-second records.
    expect(lines.reduce((sum, line) => sum + line.Requests, 0)).toBe(3);
    expect(lines.reduce((sum, line) => sum + line.ServerErrors, 0)).toBe(3);
    expect(endpoint.asked).toEqual(["/v4/3f9a-task/task"]);
  });

  it("writes no per-revision record outside ECS", async () => {
    service = await startService({ FAULT_ERROR_RATE: "1" });
    await fetch(`${service.url}/api/polls/00000000-0000-4000-8000-000000000000/results`);
    await sleep(1600);
    expect(emfLines(service.logs()).filter((line) => line.TaskDefinition !== undefined)).toEqual([]);
  });
});
