import { incidentLiveness } from "@hands-off-ops/core/chatops/live";
import { buttonIssuer, type Ticket } from "@hands-off-ops/core/chatops/tickets";
import { deliver } from "@hands-off-ops/core/notify/deliver";
import { normalize } from "@hands-off-ops/core/notify/normalize";
import { describe, expect, it } from "vitest";
import { stageSettings } from "../../../stacks/config";
import { backToOk, releaseAlarmEvent } from "../../fixtures/events";
import { PROD_CONTEXT } from "../notify/context";
import { fakePorts } from "../notify/fakes";

/**
 * The incident's record as the notifier keeps it (deliver, the real decision), asked about at each step of its life.
 * Its times are told in the zone its messages were written in: prod's, Europe/Berlin (CEST in October), with UTC beside.
 */

const PROD = stageSettings("prod", {}).notifications;
const KEY = "alarm:prod-hands-off-ops-Alb5xxRate";
const alarm = releaseAlarmEvent();
const SAME_DAY = new Date("2019-10-02T18:00:00Z");

function notifier(timeZone = PROD_CONTEXT.timeZone) {
  const ports = fakePorts();
  const tickets: Ticket[] = [];
  const withButtons = { ...ports, buttons: buttonIssuer("prod", 24, { issue: async (t) => void tickets.push(t) }) };
  const send = (event: ReturnType<typeof releaseAlarmEvent>) => {
    const normalized = normalize(event, { ...PROD_CONTEXT, timeZone });
    if (normalized.kind !== "message") throw new Error(normalized.reason);
    return deliver(normalized.message, withButtons, PROD);
  };
  const live = (ticket: Ticket, now = SAME_DAY) => incidentLiveness(ticket, ports.store.incidents.get(KEY), now);
  return { ports, tickets, send, live };
}

describe("whether a button's incident is still live", () => {
  it("is live while the alarm is on, ended once it is OK, and live again when it returns within the collapse window", async () => {
    const { tickets, send, live } = notifier();
    await send(alarm);
    const [acknowledge] = tickets as [Ticket];
    expect(live(acknowledge)).toMatchObject({ live: true });
    await send(backToOk(alarm, "ok-1", "2019-10-02T17:10:00Z"));
    expect(live(acknowledge)).toEqual({ live: false, reason: "this incident ended at 19:10 CEST (17:10 UTC) — nothing was changed" });
    await send({ ...alarm, id: "again", time: "2019-10-02T17:15:00Z" });
    expect(live(acknowledge)).toMatchObject({ live: true });
  });

  it("tells a UTC stage's times in UTC alone", async () => {
    const { tickets, send, live } = notifier("UTC");
    await send(alarm);
    await send(backToOk(alarm, "ok-1", "2019-10-02T17:10:00Z"));
    expect(live(tickets[0] as Ticket)).toEqual({ live: false, reason: "this incident ended at 17:10 UTC — nothing was changed" });
    expect(live(tickets[0] as Ticket, new Date("2019-10-03T08:00:00Z"))).toMatchObject({
      reason: "this incident ended at 2019-10-02 17:10 UTC — nothing was changed",
    });
  });

  it("names the day when the end was on another one (a button lasts up to a week)", async () => {
    const { tickets, send, live } = notifier();
    await send(alarm);
    await send(backToOk(alarm, "ok-1", "2019-10-02T17:10:00Z"));
    expect(live(tickets[0] as Ticket, new Date("2019-10-03T08:00:00Z"))).toEqual({
      live: false,
      reason: "this incident ended at 2019-10-02 19:10 CEST (17:10 UTC) — nothing was changed",
    });
  });

  it("is ended for an earlier incident's button once a new incident opens under the same key", async () => {
    const { tickets, send, live } = notifier();
    await send(alarm);
    await send(backToOk(alarm, "ok-1", "2019-10-02T17:10:00Z"));
    // Past the collapse window: a new incident, with its own Acknowledge ticket.
    // 17:10 UTC + 35 min.
    const later = new Date(Date.parse("2019-10-02T17:10:00Z") + (PROD.collapseWindowMinutes + 5) * 60_000).toISOString();
    await send({ ...alarm, id: "next-day", time: later });
    const [earlier, current] = tickets as [Ticket, Ticket];
    expect(live(earlier)).toEqual({
      live: false,
      reason: "the incident this button belongs to has ended: a new one began at 19:45 CEST (17:45 UTC) — nothing was changed",
    });
    expect(live(current)).toMatchObject({ live: true });
  });

  it("refuses Acknowledge on an incident someone has taken, but not Do it (the rollback decides that one)", async () => {
    const { tickets, send, ports, live } = notifier();
    await send(alarm);
    const record = ports.store.incidents.get(KEY);
    if (!record) throw new Error("no incident");
    record.acknowledged = { by: "U0BOB00001", name: "bob", at: "2019-10-02T17:06:00Z" };
    record.buttons = [...(record.buttons ?? []), { action: "do-it", ticketId: "DDDDDDDDDDDDDDDDDDDDDD" }];
    expect(live(tickets[0] as Ticket)).toEqual({
      live: false,
      reason: "<@U0BOB00001> already took this incident at 19:06 CEST (17:06 UTC) — nothing was changed",
    });
    expect(live({ ...(tickets[0] as Ticket), id: "DDDDDDDDDDDDDDDDDDDDDD", action: "do-it" })).toMatchObject({ live: true });
  });

  it("is not live when the incident is no longer known (its record expired)", () => {
    const { live } = notifier();
    expect(live({ id: "AAAAAAAAAAAAAAAAAAAAAA", action: "acknowledge" } as Ticket)).toEqual({
      live: false,
      reason: "this incident is no longer known — nothing was changed",
    });
  });
});
