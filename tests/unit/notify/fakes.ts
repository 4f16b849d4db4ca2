import type { IncidentRecord, SlackRef } from "@hands-off-ops/core/notify/incident";
import type {
  DeploymentLink,
  EmailPort,
  GraphPort,
  NotifyStore,
  OncePort,
  SlackPort,
  SlackPost,
  ThreadParent,
} from "@hands-off-ops/core/notify/ports";
import type { Email } from "@hands-off-ops/core/notify/render/email";
import type { SlackPayload } from "@hands-off-ops/core/notify/render/slack";

/** In-memory stand-ins with the same contracts as the adapters (conditional writes, at-most-once). */

export function memoryStore(): NotifyStore & {
  threads: Map<string, ThreadParent>;
  incidents: Map<string, IncidentRecord>;
  links: Map<string, DeploymentLink>;
  pointers: Map<string, string>;
} {
  const pointers = new Map<string, string>();
  const threads = new Map<string, ThreadParent>();
  const incidents = new Map<string, IncidentRecord>();
  const links = new Map<string, DeploymentLink>();
  return {
    threads,
    incidents,
    links,
    pointers,
    async memberOf(member) {
      return pointers.get(`member:${member}`);
    },
    async joinMember(member, key) {
      pointers.set(`member:${member}`, key);
    },
    async latestOf(service) {
      return pointers.get(`latest:${service}`);
    },
    async claimLatest(service, key, expected) {
      if (pointers.get(`latest:${service}`) !== expected) return false;
      pointers.set(`latest:${service}`, key);
      return true;
    },
    async thread(id) {
      return threads.get(id);
    },
    async claimThread(id, parent) {
      const existing = threads.get(id);
      if (existing) return existing;
      threads.set(id, parent);
      return parent;
    },
    async incident(key) {
      const record = incidents.get(key);
      return record && structuredClone(record);
    },
    async saveIncident(record, expected) {
      if (incidents.get(record.key)?.version !== expected) return false;
      incidents.set(record.key, structuredClone(record));
      return true;
    },
    async attachMessage(key, message) {
      const record = incidents.get(key);
      if (record && !record.message) record.message = message;
    },
    async linkDeployment(deploymentId, link) {
      if (!links.has(deploymentId)) links.set(deploymentId, link);
    },
    async deploymentLink(deploymentId) {
      return links.get(deploymentId);
    },
  };
}

export function memoryOnce(): OncePort & { keys: string[] } {
  const done = new Map<string, object>();
  return {
    keys: [],
    async run(key, effect) {
      if (done.has(key)) return done.get(key) as never;
      // Stored as JSON, like the idempotency records in the state table.
      const result = JSON.parse(JSON.stringify(await effect()));
      done.set(key, result);
      this.keys.push(key);
      return result;
    },
  };
}

export type SlackCall =
  | { call: "post"; post: SlackPost; ref: SlackRef }
  | { call: "update"; ref: SlackRef; payload: SlackPayload }
  | { call: "remove"; ref: SlackRef }
  | { call: "upload"; thread: SlackRef; bytes: number; title: string };

export function recordingSlack(options: { canThread?: boolean } = {}): SlackPort & { calls: SlackCall[]; failWith: Error | null } {
  let ts = 1000;
  const calls: SlackCall[] = [];
  const slack = {
    canThread: options.canThread ?? true,
    calls,
    failWith: null as Error | null,
    async post(post: SlackPost) {
      if (slack.failWith) throw slack.failWith;
      const ref = { channel: post.channel.replace("#", "C-"), ts: `${ts++}.000100` };
      calls.push({ call: "post", post, ref });
      return slack.canThread ? ref : null;
    },
    async update(ref: SlackRef, payload: SlackPayload) {
      if (slack.failWith) throw slack.failWith;
      calls.push({ call: "update", ref, payload });
    },
    async remove(ref: SlackRef) {
      calls.push({ call: "remove", ref });
    },
    async uploadImage(thread: SlackRef, png: Uint8Array, title: string) {
      calls.push({ call: "upload", thread, bytes: png.length, title });
    },
  };
  return slack;
}

export function recordingEmail(): EmailPort & { sent: Email[]; failWith: Error | null } {
  const email = {
    sent: [] as Email[],
    failWith: null as Error | null,
    async send(message: Email) {
      if (email.failWith) throw email.failWith;
      email.sent.push(message);
    },
  };
  return email;
}

export const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function fixedGraphs(result: Uint8Array | Error = PNG): GraphPort {
  return { render: async () => (result instanceof Error ? Promise.reject(result) : result) };
}

export function fakePorts(options: { webhook?: boolean; graphs?: GraphPort } = {}) {
  return {
    slack: recordingSlack({ canThread: !options.webhook }),
    email: recordingEmail(),
    graphs: options.graphs ?? fixedGraphs(),
    store: memoryStore(),
    once: memoryOnce(),
  };
}
