import { describe, expect, it } from "vitest";
import { rotatingPassword } from "../../service/src/rotating-password";

/** The cache in front of GetSecretValue, with a clock the test moves and a secret it changes. */
describe("the rotating database password", () => {
  const secret = () => {
    const state = { value: "first", reads: 0, fail: false };
    const read = async () => {
      state.reads++;
      if (state.fail) throw new Error("Secrets Manager unreachable");
      return state.value;
    };
    return { state, read };
  };

  it("reads once for any number of connections, and again only after a refusal", async () => {
    const { state, read } = secret();
    let now = 0;
    const source = rotatingPassword(read, { now: () => now });
    expect(await Promise.all([source.password(), source.password(), source.password()])).toEqual(["first", "first", "first"]);
    now += 60_000;
    expect([await source.password(), state.reads]).toEqual(["first", 1]);
    state.value = "second";
    source.rejected();
    expect([await source.password(), state.reads]).toEqual(["second", 2]);
  });

  it("under a burst of refusals reads again at most once per interval", async () => {
    const { state, read } = secret();
    let now = 0;
    const source = rotatingPassword(read, { now: () => now, minReadIntervalMs: 5_000 });
    await source.password();
    source.rejected();
    await source.password(); // read 2: the first refusal reads at once
    for (let i = 0; i < 20; i++) {
      source.rejected();
      await source.password();
      now += 100;
    }
    expect(state.reads).toBe(2);
    now += 3_000; // 5 s since read 2
    source.rejected();
    state.value = "third";
    expect([await source.password(), state.reads]).toEqual(["third", 3]);
  });

  it("keeps the password it has when the secret cannot be read; without one, refuses as database unavailable", async () => {
    const { state, read } = secret();
    const source = rotatingPassword(read, { now: () => 0 });
    await source.password();
    state.fail = true;
    source.rejected();
    expect(await source.password()).toBe("first");

    const empty = secret();
    empty.state.fail = true;
    await expect(rotatingPassword(empty.read, { now: () => 0 }).password()).rejects.toMatchObject({
      name: "DatabaseUnavailable",
      message: "database unavailable: database password not readable: Secrets Manager unreachable",
    });
  });
});
