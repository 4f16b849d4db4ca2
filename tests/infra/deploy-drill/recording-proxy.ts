import { createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One AWS API request as it left the SDK, before moto saw it. */
export interface RecordedCall {
  /** The access key id that signed it (SigV4 Authorization header), or null when unsigned. */
  accessKeyId: string | null;
  /** The signing name of the credential scope: cloudformation, sts, s3, ssm, … */
  service: string | null;
  method: string;
  /** Path and query, as sent. */
  path: string;
  /** X-Amz-Target (JSON protocols), when present. */
  target: string | null;
  /** The body, as text (form-encoded for the query protocol, JSON for the JSON protocols); S3 bodies are dropped. */
  body: string;
}

export interface RecordingProxy {
  endpoint: string;
  calls: RecordedCall[];
  stop(): Promise<void>;
}

const SCOPE = /Credential=([^/,\s]+)\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/;

/** Which key signed a request and for which service: from the Authorization header, or S3's presigned query. */
export function signerOf(headers: IncomingHttpHeaders, path: string): { accessKeyId: string | null; service: string | null } {
  const authorization = String(headers.authorization ?? "");
  const query = new URL(path, "http://x").searchParams.get("X-Amz-Credential");
  const match = SCOPE.exec(authorization) ?? (query ? SCOPE.exec(`Credential=${query}`) : null);
  return { accessKeyId: match?.[1] ?? null, service: match?.[2] ?? null };
}

/**
 * An HTTP proxy on loopback in front of moto: every request is recorded (who signed it, what it asks), then
 * forwarded unchanged. Recording on the wire, not inside the SDK, sees every client SST and the CDK toolkit
 * create, whichever SDK copy they load.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const calls: RecordedCall[] = [];
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const body = Buffer.concat(chunks);
      const path = incoming.url ?? "/";
      const signer = signerOf(incoming.headers, path);
      calls.push({
        ...signer,
        method: incoming.method ?? "GET",
        path,
        target: incoming.headers["x-amz-target"] ? String(incoming.headers["x-amz-target"]) : null,
        body: signer.service === "s3" ? "" : body.toString("utf8"),
      });
      const forwarded = httpRequest(
        { hostname: upstream.hostname, port: upstream.port, method: incoming.method, path, headers: incoming.headers },
        (response) => {
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
        },
      );
      forwarded.on("error", (error) => {
        outgoing.writeHead(502);
        outgoing.end(String(error));
      });
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
