import { decideCollapse, REPEAT_NOTICE_AT } from "@hands-off-ops/core/notify/collapse";
import { describe, expect, it } from "vitest";

const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 3, minute)).toISOString();
const trail = (...minutes: number[]) => ({
  key: "alarm:x",
  history: minutes.map((m, i) => ({ state: i % 2 ? "OK" : "ALARM", at: at(m) })),
  message: { channel: "C1", ts: "1.1" },
  version: minutes.length,
});

describe("repeated events collapse into one message within the window", () => {
  it("starts a new message for a key never seen", () => {
    expect(decideCollapse(undefined, { state: "ALARM", at: at(0) }, 30, "problem")).toEqual({
      kind: "new",
      history: [{ state: "ALARM", at: at(0) }],
    });
  });

  it("updates the message while events keep coming within the window of the last one (sliding)", () => {
    const decision = decideCollapse(trail(0, 25, 50), { state: "OK", at: at(75) }, 30, "problem");
    expect(decision.kind).toBe("update");
    expect(decision.history.map((h) => h.at)).toEqual([at(0), at(25), at(50), at(75)]);
  });

  it("starts a new message after the window passed in silence", () => {
    expect(decideCollapse(trail(0, 5), { state: "ALARM", at: at(36) }, 30, "problem").kind).toBe("new");
  });

  it("counts exactly the window's end as inside", () => {
    expect(decideCollapse(trail(0), { state: "OK", at: at(30) }, 30, "problem").kind).toBe("update");
  });

  it(`announces repeats once, when the run reaches ${REPEAT_NOTICE_AT} events`, () => {
    const notices = [trail(0), trail(0, 1), trail(0, 1, 2)].map(
      (t) => decideCollapse(t, { state: "X", at: at(10) }, 30, "problem") as { announceRepeats: boolean },
    );
    expect(notices.map((n) => n.announceRepeats)).toEqual([false, true, false]);
  });

  it("keeps an out-of-order delivery in time order", () => {
    const decision = decideCollapse(trail(0, 10), { state: "LATE", at: at(5) }, 30, "problem");
    expect(decision.history.map((h) => h.state)).toEqual(["ALARM", "LATE", "OK"]);
  });

  describe("a change between a problem and its resolution is told, even inside the window", () => {
    const told = (what: "problem" | "resolved", ...minutes: number[]) => ({ ...trail(...minutes), told: what });

    it("tells that an alarm is back to OK, and that it is back in ALARM after that, once each", () => {
      const ok = decideCollapse(told("problem", 0), { state: "OK", at: at(4) }, 30, "resolved");
      expect(ok).toMatchObject({ kind: "update", changes: true });
      const again = decideCollapse(told("resolved", 0, 4), { state: "ALARM", at: at(6) }, 30, "problem");
      expect(again).toMatchObject({ kind: "update", changes: true });
      const stillResolved = decideCollapse(told("resolved", 0, 4), { state: "OK", at: at(6) }, 30, "resolved");
      expect(stillResolved).toMatchObject({ kind: "update", changes: false });
    });

    it("does not tell a late delivery of an older state as news", () => {
      const late = decideCollapse(told("resolved", 0, 4), { state: "ALARM", at: at(2) }, 30, "problem");
      expect(late).toMatchObject({ kind: "update", changes: false });
    });
  });

  it("keeps the last 20 events of a long run", () => {
    const long = trail(...Array.from({ length: 20 }, (_, i) => i));
    const decision = decideCollapse(long, { state: "ALARM", at: at(21) }, 30, "problem");
    expect(decision.history).toHaveLength(20);
    expect(decision.history.at(-1)?.at).toBe(at(21));
  });
});
