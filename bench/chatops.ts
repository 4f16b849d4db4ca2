/**
 * npm run bench:chatops [-- --runs N]
 *
 * What the interactivity endpoint spends before Slack gets its 200, in
 * process: the signature check (Bolt's HMAC), reading the press, the
 * authorization (a user-group member, the group's members cached as the
 * adapter caches them), the ticket resolved, its incident read (still
 * open), the ticket used. The state table is an in-memory map here: each
 * DynamoDB GetItem and UpdateItem (two and one) adds ~5–10 ms in AWS. Target: p99 under 50 ms, far inside Slack's 3 s. Prints figures;
 * asserts nothing.
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { acceptClick } from "@hands-off-ops/core/chatops/accept";
import type { Ticket } from "@hands-off-ops/core/chatops/tickets";
import { ticketFor } from "@hands-off-ops/core/chatops/tickets";
import type { IncidentRecord } from "@hands-off-ops/core/notify/incident";
import { CHATOPS_SETTINGS, formBody, NOW, pressPayload, SECRET, sign, USER } from "../tests/unit/chatops/signed-requests";

const { values } = parseArgs({ options: { runs: { type: "string", default: "20000" } } });
const runs = Number(values.runs);
const settings = CHATOPS_SETTINGS;
const tickets = new Map<string, Ticket>();
const incidents = new Map<string, IncidentRecord>();
const ports = {
  signingSecret: async () => SECRET,
  groups: { members: async () => [USER] },
  tickets: {
    issue: async (t: Ticket) => void tickets.set(t.id, t),
    ticket: async (id: string) => tickets.get(id),
    use: async (id: string, by: string, at: string) => {
      const t = tickets.get(id) as Ticket;
      if (t.used) return { first: false as const, used: t.used };
      t.used = { by, at };
      return { first: true as const };
    },
    giveBack: async () => {},
  },
  // The incident each ticket names, open and carrying that ticket (chatops/live.ts).
  present: { incidents: { incident: async (key: string) => incidents.get(key), memberOf: async () => undefined } },
  enqueue: async () => {},
  tellPresser: async () => {},
};
const now = new Date(NOW);

function request() {
  const ticket = ticketFor("prod", "acknowledge", `alarm:x-${tickets.size}`, new Date(NOW - 60_000), 24);
  tickets.set(ticket.id, ticket);
  incidents.set(ticket.subject, { told: "problem", buttons: [{ action: ticket.action, ticketId: ticket.id }] } as IncidentRecord);
  return sign(formBody(pressPayload({}, { value: ticket.id })));
}

async function measure(label: string, make: () => ReturnType<typeof request>) {
  for (let i = 0; i < 1000; i++) await acceptClick(make(), settings, "prod", ports, now, "Europe/Berlin");
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const req = make();
    const started = performance.now();
    await acceptClick(req, settings, "prod", ports, now, "Europe/Berlin");
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => (samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0).toFixed(3);
  console.log(`${label.padEnd(44)} p50 ${at(0.5)} ms   p99 ${at(0.99)} ms   max ${at(1)} ms`);
}

console.log(`Slack interactivity endpoint, request to answer in process (${runs} requests, Node ${process.version})`);
await measure("accepted press (verify, read, authorize, ticket)", request);
await measure("forged signature (refused at the HMAC)", () => ({ ...request(), body: `${request().body}x` }));
