import type { RecordedCall } from "./recording-proxy";

/** One authorization IAM makes of the caller: an action on a resource, with the request's context keys. */
export interface IamRequest {
  action: string;
  resource: string;
  context: Record<string, string>;
  /** What on the wire asked for it, for messages. */
  call: string;
}

interface Place {
  partition: string;
  region: string;
  account: string;
}

/** A stack's ARN ends in an id CloudFormation generates; any id stands for it. */
const STACK_ID = "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9";

/**
 * What IAM authorizes for one recorded request, in the Service Authorization Reference's terms: the action
 * itself, and what CloudFormation authorizes with the caller's permissions on the way (passing the execution role
 * named as RoleARN; reading the template at TemplateURL, as the CDK bootstrap's deploy role is granted for,
 * bootstrap-template.yaml statement CliStagingBucket). sts:GetCallerIdentity needs no permission ("No permissions
 * are required to perform this operation", STS API reference) and yields none.
 */
export function iamRequestsOf(call: RecordedCall, place: Place): IamRequest[] {
  const where = `${call.method} ${call.path.slice(0, 120)}`;
  const arn = (service: string, resource: string, region = place.region) =>
    `arn:${place.partition}:${service}:${region}:${place.account}:${resource}`;
  if (call.service === "s3") return [s3Request(call, place.partition, where)];
  if (call.target) {
    const [prefix, operation] = call.target.split(".");
    const body = JSON.parse(call.body || "{}") as { Name?: string; Names?: string[] };
    if (prefix === "AmazonSSM") {
      const names = body.Names ?? (body.Name ? [body.Name] : []);
      return names.map((name) => ({
        action: `ssm:${operation}`,
        resource: arn("ssm", `parameter/${name.replace(/^\//, "")}`),
        context: {},
        call: where,
      }));
    }
    throw new Error(`no IAM mapping for ${call.target} (${where})`);
  }
  const form = new URLSearchParams(call.body);
  const operation = form.get("Action");
  const call_ = `${call.service}:${operation} ${[...form.entries()]
    .filter(([k]) => k !== "Action" && k !== "Version")
    .map(([k, v]) => `${k}=${v}`)
    .join(" ")
    .slice(0, 200)}`;
  if (call.service === "sts") {
    if (operation === "GetCallerIdentity") return [];
    if (operation === "AssumeRole") {
      const requests: IamRequest[] = [{ action: "sts:AssumeRole", resource: String(form.get("RoleArn")), context: {}, call: call_ }];
      if ([...form.keys()].some((key) => key.startsWith("Tags.")))
        requests.push({ action: "sts:TagSession", resource: String(form.get("RoleArn")), context: {}, call: call_ });
      return requests;
    }
  }
  if (call.service === "cloudformation" && operation) {
    const name = form.get("StackName");
    const stack = name?.startsWith("arn:") ? name : name ? arn("cloudformation", `stack/${name}/${STACK_ID}`) : "*";
    const roleArn = form.get("RoleARN");
    const templateUrl = form.get("TemplateURL");
    const requests: IamRequest[] = [
      {
        action: `cloudformation:${operation}`,
        resource: operation === "ListImports" || operation === "ListExports" ? "*" : stack,
        context: {
          ...(roleArn ? { "cloudformation:RoleArn": roleArn } : {}),
          ...(templateUrl ? { "cloudformation:TemplateUrl": templateUrl } : {}),
        },
        call: call_,
      },
    ];
    if (roleArn)
      requests.push({
        action: "iam:PassRole",
        resource: roleArn,
        context: { "iam:PassedToService": "cloudformation.amazonaws.com" },
        call: call_,
      });
    if (templateUrl) {
      // https://s3.<region>.amazonaws.com/<bucket>/<key>, as SST builds it (node_modules/sst/stacks/deploy.js).
      const [, bucket, ...key] = new URL(templateUrl).pathname.split("/");
      requests.push({
        action: "s3:GetObject",
        resource: `arn:${place.partition}:s3:::${bucket}/${key.join("/")}`,
        context: {},
        call: call_,
      });
    }
    return requests;
  }
  throw new Error(`no IAM mapping for ${call_} (${where})`);
}

/** S3's REST calls, path-style (the endpoint is an IP address): which action each is, on the bucket or the object. */
function s3Request(call: RecordedCall, partition: string, where: string): IamRequest {
  const url = new URL(call.path, "http://s3");
  const [, bucket, ...rest] = url.pathname.split("/");
  const key = decodeURIComponent(rest.join("/"));
  const onBucket = `arn:${partition}:s3:::${bucket}`;
  const onObject = `${onBucket}/${key}`;
  const query = url.searchParams;
  const request = (action: string, resource: string): IamRequest => ({ action, resource, context: {}, call: where });
  if (!key) {
    if (query.has("location")) return request("s3:GetBucketLocation", onBucket);
    if (query.has("encryption")) return request("s3:GetEncryptionConfiguration", onBucket);
    if (call.method === "GET" || call.method === "HEAD") return request("s3:ListBucket", onBucket);
    throw new Error(`no IAM mapping for S3 ${where}`);
  }
  if (call.method === "GET" || call.method === "HEAD") return request("s3:GetObject", onObject);
  if (call.method === "PUT" || (call.method === "POST" && (query.has("uploads") || query.has("uploadId"))))
    return request("s3:PutObject", onObject);
  if (call.method === "DELETE") return request("s3:DeleteObject", onObject);
  throw new Error(`no IAM mapping for S3 ${where}`);
}
