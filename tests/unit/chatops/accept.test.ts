import { type AcceptedClick, acceptClick } from "@hands-off-ops/core/chatops/accept";
import { authorize } from "@hands-off-ops/core/chatops/authorize";
import { readInteraction } from "@hands-off-ops/core/chatops/interaction";
import { checkTicket, type Ticket, type TicketStore, ticketFor } from "@hands-off-ops/core/chatops/tickets";
import type { IncidentRecord } from "@hands-off-ops/core/notify/incident";
import type { ChatOpsSettings } from "@hands-off-ops/core/settings/chatops";
import { describe, expect, it } from "vitest";
import { CHANNEL, CHATOPS_SETTINGS, formBody, NOW, pressPayload, SECRET, sign, TEAM, TICKET, USER } from "./signed-requests";

const SETTINGS = CHATOPS_SETTINGS;
const GROUPS = { members: async (group: string) => (group === "S0ONCALL01" ? [USER] : []) };
const now = new Date(NOW);
// prod's zone (CET in November); UTC stands beside every time a person reads.
const ZONE = "Europe/Berlin";

function memoryTickets(...tickets: Ticket[]): TicketStore & { tickets: Map<string, Ticket> } {
  const map = new Map(tickets.map((t) => [t.id, structuredClone(t)]));
  return {
    tickets: map,
    async issue(ticket) {
      map.set(ticket.id, ticket);
    },
    async ticket(id) {
      return map.get(id) && structuredClone(map.get(id));
    },
    async use(id, by, at) {
      const ticket = map.get(id);
      if (!ticket) throw new Error("no ticket");
      if (ticket.used) return { first: false, used: ticket.used };
      ticket.used = { by, at };
      return { first: true };
    },
    async giveBack(id, used) {
      const ticket = map.get(id);
      if (ticket?.used?.by === used.by && ticket.used.at === used.at) delete ticket.used;
    },
  };
}

/** The incident a ticket names, as the notifier keeps it: open, carrying the ticket's button. */
const openIncident = (over: Partial<IncidentRecord> = {}): IncidentRecord => ({
  key: "alarm:prod-hands-off-ops-Alb5xxRate",
  openedAt: "2026-11-24T16:08:00.000Z",
  history: [{ state: "ALARM", at: "2026-11-24T16:08:00.000Z" }],
  steps: [],
  lead: { occurredAt: "2026-11-24T16:08:00.000Z", timeZone: ZONE } as IncidentRecord["lead"],
  message: null,
  version: 1,
  told: "problem",
  buttons: [{ action: "acknowledge", ticketId: TICKET }],
  ...over,
});

const ticket = (over: Partial<Ticket> = {}): Ticket => ({
  ...ticketFor("prod", "acknowledge", "alarm:prod-hands-off-ops-Alb5xxRate", new Date(NOW - 60_000), 24),
  id: TICKET,
  ...over,
});

function ports(tickets = memoryTickets(ticket()), incident: IncidentRecord | null = openIncident()) {
  const enqueued: AcceptedClick[] = [];
  const told: string[] = [];
  const read: string[] = [];
  return {
    enqueued,
    told,
    tickets,
    read,
    present: {
      incidents: {
        incident: async (key: string) => {
          read.push(key);
          return incident ?? undefined;
        },
        memberOf: async () => undefined,
      },
    },
    signingSecret: async () => SECRET,
    groups: GROUPS,
    enqueue: async (click: AcceptedClick) => {
      enqueued.push(click);
    },
    tellPresser: async (_url: string, text: string) => {
      told.push(text);
    },
  };
}

const press = (over: Record<string, unknown> = {}, action: Record<string, unknown> = {}) => sign(formBody(pressPayload(over, action)));

describe("a button press, from request to the worker", () => {
  it("accepts a verified press by an allowed person, uses its ticket, and hands the click on", async () => {
    const p = ports();
    expect(await acceptClick(press(), SETTINGS, "prod", p, now, ZONE)).toEqual({
      status: 200,
      outcome: "accepted",
      userId: USER,
      action: "acknowledge",
    });
    expect(p.enqueued).toEqual([{ ticket: ticket(), userId: USER, userName: "alice", at: now.toISOString() }]);
    expect(p.tickets.tickets.get(TICKET)?.used).toEqual({ by: USER, at: now.toISOString() });
  });

  it("acts once on a double click, and tells the second who did it", async () => {
    const p = ports();
    await acceptClick(press(), SETTINGS, "prod", p, now, ZONE);
    const second = await acceptClick(press(), SETTINGS, "prod", p, now, ZONE);
    expect(second).toMatchObject({ status: 200, outcome: "refused", reason: "already done by <@U0ALICE001> at 17:10 CET (16:10 UTC)" });
    expect(p.enqueued).toHaveLength(1);
    expect(p.told).toEqual(["Not done: already done by <@U0ALICE001> at 17:10 CET (16:10 UTC)."]);
  });

  it("tells a UTC stage's presser UTC alone", async () => {
    const p = ports();
    await acceptClick(press(), SETTINGS, "prod", p, now, "UTC");
    expect(await acceptClick(press(), SETTINGS, "prod", p, now, "UTC")).toMatchObject({
      reason: "already done by <@U0ALICE001> at 16:10 UTC",
    });
  });

  it("reads the incident the ticket names before using it, and uses the ticket only for a live one", async () => {
    const p = ports();
    await acceptClick(press(), SETTINGS, "prod", p, now, ZONE);
    expect(p.read).toEqual(["alarm:prod-hands-off-ops-Alb5xxRate"]);
    expect(p.enqueued).toHaveLength(1);
  });

  it.each([
    [
      "an incident that has ended",
      openIncident({
        told: "resolved",
        history: [
          { state: "ALARM", at: "2026-11-24T16:08:00Z" },
          { state: "OK", at: "2026-11-24T16:09:00Z" },
        ],
      }),
      "this incident ended at 17:09 CET (16:09 UTC) — nothing was changed",
    ],
    [
      "an incident since replaced by a new one under the same key",
      openIncident({ openedAt: "2026-11-24T16:09:30Z", buttons: [{ action: "acknowledge", ticketId: "BBBBBBBBBBBBBBBBBBBBBB" }] }),
      "the incident this button belongs to has ended: a new one began at 17:09 CET (16:09 UTC) — nothing was changed",
    ],
    [
      "an incident already taken (by Do it)",
      openIncident({ acknowledged: { by: "U0BOB00001", name: "bob", at: "2026-11-24T16:09:10Z" } }),
      "<@U0BOB00001> already took this incident at 17:09 CET (16:09 UTC) — nothing was changed",
    ],
    ["an incident no longer known", null, "this incident is no longer known — nothing was changed"],
  ])("tells the presser about %s, hands nothing on, and leaves the ticket unused", async (_what, incident, reason) => {
    const p = ports(memoryTickets(ticket()), incident);
    expect(await acceptClick(press(), SETTINGS, "prod", p, now, ZONE)).toEqual({
      status: 200,
      outcome: "refused",
      reason,
      userId: USER,
      action: "acknowledge",
    });
    expect(p.told).toEqual([`Not done: ${reason}.`]);
    expect([p.enqueued, p.tickets.tickets.get(TICKET)?.used]).toEqual([[], undefined]);
  });

  it("does not ask about incidents for a button that acts on something else", async () => {
    const keepAwake = ticket({ action: "keep-awake", subject: "stage:prod" });
    const p = ports(memoryTickets(keepAwake), null);
    const result = await acceptClick(press({}, { action_id: "hoo:keep-awake" }), SETTINGS, "prod", p, now, ZONE);
    expect(result).toMatchObject({ status: 200, outcome: "accepted" });
    expect(p.read).toEqual([]);
  });

  it("answers 500 when the click cannot be queued, gives the ticket back, and a later press is handed on", async () => {
    const p = ports();
    let fails = 1;
    const enqueue = async (click: AcceptedClick) => {
      if (fails-- > 0) throw new Error("Rate Exceeded.");
      p.enqueued.push(click);
    };
    expect(await acceptClick(press(), SETTINGS, "prod", { ...p, enqueue }, now, ZONE)).toEqual({
      status: 500,
      outcome: "failed",
      reason: "the click could not be queued (Rate Exceeded.)",
      userId: USER,
      action: "acknowledge",
    });
    expect(p.told).toEqual(["Not done: the click could not be handed on. Nothing was changed; press again."]);
    expect(p.tickets.tickets.get(TICKET)?.used).toBeUndefined();
    expect(await acceptClick(press(), SETTINGS, "prod", { ...p, enqueue }, now, ZONE)).toMatchObject({ status: 200, outcome: "accepted" });
    expect(p.enqueued).toHaveLength(1);
    expect(p.tickets.tickets.get(TICKET)?.used).toEqual({ by: USER, at: now.toISOString() });
  });

  it("still answers 500, and says the button no longer works, when the ticket cannot be given back either", async () => {
    const p = ports();
    const tickets = { ...p.tickets, giveBack: async () => Promise.reject(new Error("ProvisionedThroughputExceeded")) };
    const enqueue = async () => Promise.reject(new Error("Rate Exceeded."));
    const tellPresser = async (_url: string, text: string) => {
      p.told.push(text);
      throw new Error("response_url expired");
    };
    expect(await acceptClick(press(), SETTINGS, "prod", { ...p, tickets, enqueue, tellPresser }, now, ZONE)).toMatchObject({
      status: 500,
      outcome: "failed",
      reason: "the click could not be queued (Rate Exceeded.); its ticket stays used (ProvisionedThroughputExceeded)",
    });
    expect(p.told).toEqual(["Not done: the click could not be handed on, and this button no longer works. Nothing was changed."]);
  });

  it("answers a forged request with its status only, telling nobody and touching nothing", async () => {
    const p = ports();
    const forged = { ...press(), body: formBody(pressPayload({ user: { id: "U0MALLORY1" } })) };
    expect(await acceptClick(forged, SETTINGS, "prod", p, now, ZONE)).toMatchObject({ status: 401, outcome: "refused" });
    expect([p.enqueued, p.told, p.tickets.tickets.get(TICKET)?.used]).toEqual([[], [], undefined]);
  });

  it.each([
    ["another workspace", { team: { id: "T0OTHER001" } }, {}, "this Slack workspace is not the one prod answers"],
    ["another channel", { channel: { id: "C0RANDOM01" } }, {}, "prod's buttons work only in its own channels (chatops.channels)"],
    [
      "someone outside the allowed group",
      { user: { id: "U0MALLORY1", username: "mallory" } },
      {},
      "you are not allowed to acknowledge incidents on prod",
    ],
    ["a value that is no ticket of ours", {}, { value: TICKET.replace("A", "B") }, "this button is unknown or has expired"],
  ] as const)("refuses a press from %s, and tells the person why", async (_what, over, action, reason) => {
    const p = ports();
    expect(await acceptClick(press(over, action), SETTINGS, "prod", p, now, ZONE)).toMatchObject({
      status: 200,
      outcome: "refused",
      reason,
    });
    expect(p.told).toEqual([`Not done: ${reason}.`]);
    expect(p.enqueued).toEqual([]);
  });

  it("refuses an unknown action and a tampered value as a bad request", async () => {
    for (const action of [{ action_id: "hoo:delete-prod" }, { value: "../../etc" }, { value: undefined }])
      expect(await acceptClick(press({}, action), SETTINGS, "prod", ports(), now, ZONE)).toMatchObject({ status: 400, outcome: "refused" });
  });

  it("answers a press of a link button with 200 and does nothing", async () => {
    const p = ports();
    expect(await acceptClick(press({}, { action_id: "link-0", value: undefined }), SETTINGS, "prod", p, now, ZONE)).toEqual({
      status: 200,
      outcome: "ignored",
    });
    expect(p.enqueued).toEqual([]);
  });
});

describe("reading a press", () => {
  it.each([
    ["no payload", "foo=bar", /no payload field/],
    ["a payload that is not JSON", "payload=%7B", /not JSON/],
    ["another interaction type", formBody({ ...pressPayload(), type: "view_submission" }), /not a button press/],
    [
      "two actions at once",
      formBody(pressPayload({ actions: [pressPayload().actions[0], pressPayload().actions[0]] })),
      /not a button press/,
    ],
    ["a response_url off Slack", formBody(pressPayload({ response_url: "https://evil.example/hook" })), /not a button press/],
  ])("refuses %s", (_what, body, reason) => {
    const read = readInteraction(body);
    expect(read.ok).toBe(false);
    expect(read.ok === false && read.reason).toMatch(reason);
  });
});

describe("who may press", () => {
  const interaction = { teamId: TEAM, userId: USER, channelId: CHANNEL, action: "acknowledge" as const };
  const allow = (who: Partial<ChatOpsSettings["allow"]["acknowledge"]>) => ({
    ...SETTINGS,
    allow: { ...SETTINGS.allow, acknowledge: { users: [], groups: [], anyone: false, ...who } },
  });
  const none = { members: async () => [] as string[] };

  it("a named user, a member of a named group, or anyone when the stage says so", async () => {
    expect(await authorize(interaction, allow({ users: [USER] }), "prod", none)).toEqual({ ok: true });
    expect(await authorize(interaction, allow({ groups: ["S0ONCALL01"] }), "prod", GROUPS)).toEqual({ ok: true });
    expect(await authorize(interaction, allow({ anyone: true }), "dev", none)).toEqual({ ok: true });
  });

  it("nobody while nobody is named (production's default), saying which setting names them", async () => {
    expect(await authorize(interaction, allow({}), "prod", none)).toEqual({
      ok: false,
      reason: "nobody may acknowledge incidents on prod from Slack yet (chatops.allow.acknowledge names no one)",
    });
  });

  it("nobody at all until the stage's workspace is set", async () => {
    expect(await authorize(interaction, { ...allow({ anyone: true }), teamId: null }, "dev", none)).toMatchObject({
      ok: false,
      reason: /not connected to dev/,
    });
  });
});

describe("a button's ticket", () => {
  it("is refused when unknown, of another stage, for another button, expired or used", () => {
    const pressed = { action: "acknowledge" as const };
    expect(checkTicket(undefined, pressed, "prod", now, ZONE)).toMatchObject({
      ok: false,
      reason: "this button is unknown or has expired",
    });
    expect(checkTicket(ticket({ stage: "staging" }), pressed, "prod", now, ZONE)).toMatchObject({
      reason: "this button belongs to staging, not prod",
    });
    expect(checkTicket(ticket({ expiresAt: new Date(NOW - 1).toISOString() }), pressed, "prod", now, ZONE)).toMatchObject({
      reason: "this button has expired",
    });
    expect(checkTicket(ticket({ used: { by: "U0BOB00001", at: "2026-11-24T16:05:00Z" } }), pressed, "prod", now, ZONE)).toMatchObject({
      reason: "already done by <@U0BOB00001> at 17:05 CET (16:05 UTC)",
    });
    expect(checkTicket(ticket({ used: { by: "U0BOB00001", at: "2026-11-24T16:05:00Z" } }), pressed, "prod", now, "UTC")).toMatchObject({
      reason: "already done by <@U0BOB00001> at 16:05 UTC",
    });
    expect(checkTicket(ticket(), pressed, "prod", now, ZONE)).toMatchObject({ ok: true });
  });

  it("has 128 random bits for an id, and lasts the stage's button hours", () => {
    const issued = ticketFor("prod", "acknowledge", "alarm:x", now, 24);
    expect(issued.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(ticketFor("prod", "acknowledge", "alarm:x", now, 24).id).not.toBe(issued.id);
    expect(Date.parse(issued.expiresAt) - NOW).toBe(24 * 3_600_000);
  });
});
