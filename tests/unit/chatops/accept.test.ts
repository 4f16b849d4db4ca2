import { type AcceptedClick, acceptClick } from "@hands-off-ops/core/chatops/accept";
import { authorize } from "@hands-off-ops/core/chatops/authorize";
import { readInteraction } from "@hands-off-ops/core/chatops/interaction";
import { checkTicket, type Ticket, type TicketStore, ticketFor } from "@hands-off-ops/core/chatops/tickets";
import type { ChatOpsSettings } from "@hands-off-ops/core/settings/chatops";
import { describe, expect, it } from "vitest";
import { CHANNEL, CHATOPS_SETTINGS, formBody, NOW, pressPayload, SECRET, sign, TEAM, TICKET, USER } from "./signed-requests";

const SETTINGS = CHATOPS_SETTINGS;
const GROUPS = { members: async (group: string) => (group === "S0ONCALL01" ? [USER] : []) };
const now = new Date(NOW);

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
  };
}

const ticket = (over: Partial<Ticket> = {}): Ticket => ({
  ...ticketFor("prod", "acknowledge", "alarm:prod-hands-off-ops-Alb5xxRate", new Date(NOW - 60_000), 24),
  id: TICKET,
  ...over,
});

function ports(tickets = memoryTickets(ticket())) {
  const enqueued: AcceptedClick[] = [];
  const told: string[] = [];
  return {
    enqueued,
    told,
    tickets,
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
    expect(await acceptClick(press(), SETTINGS, "prod", p, now)).toEqual({
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
    await acceptClick(press(), SETTINGS, "prod", p, now);
    const second = await acceptClick(press(), SETTINGS, "prod", p, now);
    expect(second).toMatchObject({ status: 200, outcome: "refused", reason: "already done by <@U0ALICE001> at 16:10 UTC" });
    expect(p.enqueued).toHaveLength(1);
    expect(p.told).toEqual(["Not done: already done by <@U0ALICE001> at 16:10 UTC."]);
  });

  it("answers a forged request with its status only, telling nobody and touching nothing", async () => {
    const p = ports();
    const forged = { ...press(), body: formBody(pressPayload({ user: { id: "U0MALLORY1" } })) };
    expect(await acceptClick(forged, SETTINGS, "prod", p, now)).toMatchObject({ status: 401, outcome: "refused" });
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
    expect(await acceptClick(press(over, action), SETTINGS, "prod", p, now)).toMatchObject({ status: 200, outcome: "refused", reason });
    expect(p.told).toEqual([`Not done: ${reason}.`]);
    expect(p.enqueued).toEqual([]);
  });

  it("refuses an unknown action and a tampered value as a bad request", async () => {
    for (const action of [{ action_id: "hoo:delete-prod" }, { value: "../../etc" }, { value: undefined }])
      expect(await acceptClick(press({}, action), SETTINGS, "prod", ports(), now)).toMatchObject({ status: 400, outcome: "refused" });
  });

  it("answers a press of a link button with 200 and does nothing", async () => {
    const p = ports();
    expect(await acceptClick(press({}, { action_id: "link-0", value: undefined }), SETTINGS, "prod", p, now)).toEqual({
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
    expect(checkTicket(undefined, pressed, "prod", now)).toMatchObject({ ok: false, reason: "this button is unknown or has expired" });
    expect(checkTicket(ticket({ stage: "staging" }), pressed, "prod", now)).toMatchObject({
      reason: "this button belongs to staging, not prod",
    });
    expect(checkTicket(ticket({ expiresAt: new Date(NOW - 1).toISOString() }), pressed, "prod", now)).toMatchObject({
      reason: "this button has expired",
    });
    expect(checkTicket(ticket({ used: { by: "U0BOB00001", at: "2026-11-24T16:05:00Z" } }), pressed, "prod", now)).toMatchObject({
      reason: "already done by <@U0BOB00001> at 16:05 UTC",
    });
    expect(checkTicket(ticket(), pressed, "prod", now)).toMatchObject({ ok: true });
  });

  it("has 128 random bits for an id, and lasts the stage's button hours", () => {
    const issued = ticketFor("prod", "acknowledge", "alarm:x", now, 24);
    expect(issued.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(ticketFor("prod", "acknowledge", "alarm:x", now, 24).id).not.toBe(issued.id);
    expect(Date.parse(issued.expiresAt) - NOW).toBe(24 * 3_600_000);
  });
});
