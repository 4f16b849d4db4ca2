import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * One local HTTP server standing in for the AWS APIs the Lambdas call
 * (reached through AWS_ENDPOINT_URL), for Slack's Web API (SLACK_API_URL)
 * and for the service behind the load balancer (the canary hooks' URLs).
 * It records each call and answers with the smallest valid response of
 * each protocol: JSON (X-Amz-Target), query (Action=…, XML), REST
 * (EventBridge Scheduler), Slack's JSON. Tests and benchmarks add answers.
 */

export interface StandInCall {
  /** e.g. "CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus", "Publish", "PUT /schedules/…", "slack chat.postMessage", "GET /health" */
  operation: string;
  body: Record<string, unknown>;
}

/** A 1×1 PNG: what CloudWatch's GetMetricWidgetImage returns is a picture; which one does not matter. */
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/** An answer, or one made from the request's body (a scalable target answers for the resource asked about). */
export const JSON_ANSWERS: Record<string, object | ((body: Record<string, unknown>) => object)> = {
  "CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus": { lifecycleEventHookExecutionId: "answered" },
  "CodeDeploy_20141006.ListDeployments": { deployments: [] },
  "CodeDeploy_20141006.CreateDeployment": { deploymentId: "d-STANDIN01" },
  "AWSEvents.PutEvents": { FailedEntryCount: 0, Entries: [{ EventId: "stand-in-event" }] },
  "secretsmanager.GetSecretValue": { SecretString: JSON.stringify({ botToken: "xoxb-stand-in" }) },
  "GraniteServiceVersion20100801.GetMetricWidgetImage": { MetricWidgetImage: PNG },
  // The release alarm of the fixtures still in the ALARM its event reports (2019-10-02T17:04:40.989Z, epoch seconds).
  "GraniteServiceVersion20100801.DescribeAlarms": {
    MetricAlarms: [{ AlarmName: "prod-hands-off-ops-Alb5xxRate", StateValue: "ALARM", StateUpdatedTimestamp: 1570035880.989 }],
    CompositeAlarms: [],
  },
  "DynamoDB_20120810.Query": { Items: [] },
  "AmazonEC2ContainerServiceV20141113.DescribeServices": {
    services: [
      {
        serviceArn: "arn:aws:ecs:eu-central-1:123456789012:service/cluster/service",
        desiredCount: 1,
        deployments: [{ status: "PRIMARY" }],
        taskSets: [{ status: "PRIMARY", taskDefinition: "arn:aws:ecs:eu-central-1:123456789012:task-definition/web:7" }],
        tags: [],
      },
    ],
  },
  // A service deployment that replaces a running revision (release.controller "ecs").
  "AmazonEC2ContainerServiceV20141113.DescribeServiceDeployments": {
    serviceDeployments: [
      {
        serviceDeploymentArn: "arn:aws:ecs:eu-central-1:123456789012:service-deployment/cluster/service/EZe5RNVLH6PPzHXINuP28",
        status: "IN_PROGRESS",
        sourceServiceRevisions: [{ arn: "arn:aws:ecs:eu-central-1:123456789012:service-revision/cluster/service/1920498462936580504" }],
      },
    ],
    failures: [],
  },
  "AnyScaleFrontendService.DescribeScalableTargets": (body) => ({
    ScalableTargets: ((body.ResourceIds as string[] | undefined) ?? []).map((id) => ({ ResourceId: id, MinCapacity: 1, MaxCapacity: 2 })),
  }),
};

const QUERY_ANSWERS: Record<string, string> = {
  Publish: "<PublishResult><MessageId>stand-in</MessageId></PublishResult>",
  DescribeDBInstances:
    "<DescribeDBInstancesResult><DBInstances><DBInstance><DBInstanceIdentifier>db</DBInstanceIdentifier><DBInstanceStatus>available</DBInstanceStatus></DBInstance></DBInstances></DescribeDBInstancesResult>",
};

const SERVICE: Record<string, [number, string]> = {
  "/health": [200, "UP"],
  "/ready": [200, "READY"],
  "/": [200, "<html><body>polls</body></html>"],
};

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export class AwsStandIn {
  readonly calls: StandInCall[] = [];
  /** Answers by path for the service; tests change them (a failing /health). */
  readonly service: Record<string, [number, string]> = { ...SERVICE };
  #server: Server | undefined;
  url = "";

  async start(): Promise<this> {
    this.#server = createServer(async (request, response) => {
      const body = await bodyOf(request);
      const path = new URL(request.url ?? "/", "http://stand-in").pathname;
      const target = request.headers["x-amz-target"];
      const send = (status: number, type: string, text: string) => response.writeHead(status, { "content-type": type }).end(text);
      if (typeof target === "string") {
        const parsed = JSON.parse(body || "{}");
        this.calls.push({ operation: target, body: parsed });
        const answer = JSON_ANSWERS[target] ?? {};
        return send(200, "application/x-amz-json-1.1", JSON.stringify(typeof answer === "function" ? answer(parsed) : answer));
      }
      const form = new URLSearchParams(body);
      const action = form.get("Action");
      if (request.method === "POST" && action) {
        this.calls.push({ operation: action, body: Object.fromEntries(form) });
        const result = QUERY_ANSWERS[action] ?? `<${action}Result/>`;
        return send(
          200,
          "text/xml",
          `<${action}Response>${result}<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></${action}Response>`,
        );
      }
      if (path.startsWith("/schedules/")) {
        this.calls.push({ operation: `${request.method} /schedules/…`, body: JSON.parse(body || "{}") });
        return send(
          200,
          "application/json",
          JSON.stringify({ ScheduleArn: `arn:aws:scheduler:eu-central-1:123456789012:schedule${path.slice(10)}` }),
        );
      }
      if (path.startsWith("/slack/api/")) return this.#slack(path.slice("/slack/api/".length), body, send);
      if (path === "/upload") {
        this.calls.push({ operation: "slack upload", body: {} });
        return send(200, "text/plain", "OK");
      }
      this.calls.push({ operation: `${request.method} ${path}`, body: {} });
      const [status, text] = this.service[path] ?? [404, "not found"];
      return send(status, "text/plain", text);
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  #slack(method: string, body: string, send: (status: number, type: string, text: string) => void) {
    this.calls.push({ operation: `slack ${method}`, body: Object.fromEntries(new URLSearchParams(body)) });
    const answers: Record<string, object> = {
      "chat.postMessage": { ok: true, channel: "C0STANDIN1", ts: "1700000000.000100" },
      "files.getUploadURLExternal": { ok: true, upload_url: `${this.url}/upload`, file_id: "F0STANDIN1" },
      "files.completeUploadExternal": { ok: true, files: [{ id: "F0STANDIN1" }] },
    };
    send(200, "application/json", JSON.stringify(answers[method] ?? { ok: true }));
  }

  /** What a Lambda process needs to send its AWS calls here, with credentials that sign but mean nothing. */
  environment(): Record<string, string> {
    return {
      AWS_REGION: "eu-central-1",
      AWS_ACCESS_KEY_ID: "AKIDSTANDIN",
      AWS_SECRET_ACCESS_KEY: "stand-in",
      AWS_ENDPOINT_URL: this.url,
      SLACK_API_URL: `${this.url}/slack/api/`,
    };
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}
