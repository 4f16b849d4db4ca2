import { type Arrival, decideIncident, type IncidentRecord, incidentView } from "@hands-off-ops/core/notify/incident";
import { describe, expect, it } from "vitest";
import { releaseAlarmEvent } from "../../fixtures/events";
import { messageOf } from "./message-of";

const at = (minute: number) => new Date(Date.UTC(2026, 10, 24, 16, minute)).toISOString();
const LEAD = messageOf(releaseAlarmEvent());
const WINDOW = 30;

const event = (minute: number, state: "ALARM" | "OK" = "ALARM", member = "alarm:x"): Arrival => ({
  role: "event",
  member,
  lasting: member.startsWith("alarm:"),
  entry: { state, at: at(minute) },
  told: state === "OK" ? "resolved" : "problem",
});
const step = (minute: number, escalates = false, text = "Did nothing"): Arrival => ({
  role: "step",
  entry: { at: at(minute), text, eventId: `s-${minute}` },
  told: "problem",
  escalates,
});

/** The record after applying arrivals one by one, as the notifier does. */
function replay(arrivals: Arrival[]): { record: IncidentRecord | undefined; emails: (string | null)[]; opened: boolean[] } {
  let record: IncidentRecord | undefined;
  const emails: (string | null)[] = [];
  const opened: boolean[] = [];
  for (const arrival of arrivals) {
    const d = decideIncident(record, arrival, WINDOW);
    emails.push(d.email);
    opened.push(d.opened);
    record = {
      key: "alarm:x",
      openedAt: d.openedAt,
      history: d.history,
      steps: d.steps,
      lead: d.leads || !record ? { ...LEAD, occurredAt: arrival.entry.at } : record.lead,
      message: null,
      version: (record?.version ?? 0) + 1,
      told: d.told,
      escalated: d.escalated,
    };
  }
  return { record, emails, opened };
}

describe("an incident: when it opens, and whom it tells", () => {
  it("opens with a page for a problem never seen, and with the end alone for an OK never seen", () => {
    expect(replay([event(0)]).emails).toEqual(["page"]);
    expect(replay([event(0, "OK")]).emails).toEqual(["resolution"]);
  });

  it("tells each change of state once: page, end, return, end", () => {
    const { emails, opened } = replay([event(0), event(3, "OK"), event(6), event(9, "OK")]);
    expect(emails).toEqual(["page", "resolution", "reopened", "resolution"]);
    expect(opened).toEqual([true, false, false, false]);
  });

  it("tells nothing for a repeated state or a late delivery of an older one", () => {
    expect(replay([event(0), event(0)]).emails).toEqual(["page", null]);
    expect(replay([event(0), event(10, "OK"), event(5)]).emails).toEqual(["page", "resolution", null]);
    expect(replay([event(0), event(10, "OK"), event(5)]).record?.history.map((h) => h.state)).toEqual(["ALARM", "ALARM", "OK"]);
  });

  it("ends the same incident however long after its page the end comes", () => {
    expect(replay([event(0), event(600, "OK")]).opened).toEqual([true, false]);
  });

  it("opens a new incident for a problem after a quiet window past the last arrival, not within it", () => {
    expect(replay([event(0), event(5, "OK"), event(36)]).opened).toEqual([true, false, true]);
    expect(replay([event(0), event(5, "OK"), event(35)]).opened).toEqual([true, false, false]);
    // A crash loop never ends with an OK: its tasks crashing again after a quiet window are a new incident.
    expect(replay([event(0), event(31)]).opened).toEqual([true, true]);
  });

  it("escalates once, on the first step that calls for a person, and never after the end", () => {
    expect(replay([event(0), step(1), step(2, true), step(3, true)]).emails).toEqual(["page", null, "escalation", null]);
    expect(replay([event(0), event(2, "OK"), step(3, true)]).emails).toEqual(["page", "resolution", null]);
  });

  it("converges when the step arrives before the event it is about: one page, the event joins", () => {
    const { emails, opened, record } = replay([step(0, true), event(0)]);
    expect(emails).toEqual(["page", null]);
    expect(opened).toEqual([true, false]);
    expect(record?.escalated).toBe(true);
    expect(record?.openedAt).toBe(at(0));
  });

  it("opens an incident an OK begins at its ALARM's time (previousState), and the late ALARM changes neither start nor e-mail", () => {
    const okAlone: Arrival = { ...event(10, "OK"), since: at(2) } as Arrival;
    const opened = decideIncident(undefined, okAlone, WINDOW);
    expect(opened).toMatchObject({ opened: true, email: "resolution", openedAt: at(2) });
    const { record, emails, opened: opens } = replay([okAlone, event(2)]);
    expect(emails).toEqual(["resolution", null]);
    expect(opens).toEqual([true, false]);
    expect(record?.openedAt).toBe(at(2));
    expect(record?.history.map((h) => h.state)).toEqual(["ALARM", "OK"]);
  });

  it("moves a known incident's start back to the OK's ALARM time when that is earlier, never forward", () => {
    // The incident opened with a step at minute 5; the OK says the alarm went into ALARM at minute 1.
    expect(replay([step(5), { ...event(10, "OK"), since: at(1) } as Arrival]).record?.openedAt).toBe(at(1));
    // Its ALARM was recorded at minute 0: an OK saying minute 1 does not move the start.
    expect(replay([event(0), { ...event(10, "OK"), since: at(1) } as Arrival]).record?.openedAt).toBe(at(0));
    // A since after the OK itself (a clock gone wrong) is ignored: the OK's own time stands.
    expect(decideIncident(undefined, { ...event(10, "OK"), since: at(20) } as Arrival, WINDOW).openedAt).toBe(at(10));
  });

  it("keeps a step after a long open incident in it, and leads with the incident's own event once it comes", () => {
    const late = replay([event(0), step(90)]);
    expect(late.opened).toEqual([true, false]);
    expect(late.record?.steps).toHaveLength(1);
    const first = decideIncident(undefined, step(0), WINDOW);
    expect(first.leads).toBe(true);
  });
});

describe("what the incident's message shows", () => {
  const record = (over: Partial<IncidentRecord>): IncidentRecord => ({
    key: "alarm:x",
    openedAt: at(0),
    history: [{ state: "ALARM", at: at(0) }],
    steps: [],
    lead: LEAD,
    message: null,
    version: 1,
    told: "problem",
    ...over,
  });

  it("lists what was done, each from its doer's record with its time, and nothing when nothing was", () => {
    expect(incidentView(record({})).actionsTaken).toEqual([]);
    const view = incidentView(record({ steps: [{ at: at(1), text: "Stopped release d-X.", eventId: "s" }] }));
    // The stage's zone (prod: Europe/Berlin) with UTC beside.
    expect(view.actionsTaken).toEqual(["Stopped release d-X. (17:01 CET, 16:01 UTC)"]);
    const utcStage = incidentView(
      record({ lead: { ...LEAD, timeZone: "UTC" }, steps: [{ at: at(1), text: "Stopped release d-X.", eventId: "s" }] }),
    );
    expect(utcStage.actionsTaken).toEqual(["Stopped release d-X. (16:01 UTC)"]);
  });

  it("asks a person to act while an escalated incident is open, and stops asking once it has ended", () => {
    const call = "aws deploy stop-deployment --deployment-id d-X";
    const open = incidentView(record({ call }));
    expect(open).toMatchObject({ nextStep: call, title: `${LEAD.title}: a person must act` });
    const ended = incidentView(record({ call, told: "resolved" }));
    expect(ended).toMatchObject({ nextStep: LEAD.nextStep, title: LEAD.title });
  });
});
