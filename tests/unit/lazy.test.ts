import { loadOnce, onceOnFirstRun, onFirstCall } from "@hands-off-ops/core/lazy";
import type { Context } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";

interface Greeter {
  greet(name: string): Promise<string>;
}

describe("onFirstCall", () => {
  it("loads nothing until a method is called, then loads once for every caller", async () => {
    const load = vi.fn(async (): Promise<Greeter> => ({ greet: async (name) => `hello ${name}` }));
    const port = onFirstCall(load);
    expect(load).not.toHaveBeenCalled();
    const greetings = await Promise.all([port.greet("a"), port.greet("b")]);
    await port.greet("c");
    expect(greetings).toEqual(["hello a", "hello b"]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it("keeps `this` for adapters written as classes", async () => {
    class Polite implements Greeter {
      readonly #prefix = "dear";
      async greet(name: string) {
        return `${this.#prefix} ${name}`;
      }
    }
    await expect(onFirstCall<Greeter>(async () => new Polite()).greet("x")).resolves.toBe("dear x");
  });

  it("is not a thenable: awaiting it or returning it from an async function loads nothing", async () => {
    const load = vi.fn(async (): Promise<Greeter> => ({ greet: async () => "hi" }));
    const port = onFirstCall(load);
    const awaited = await (async () => port)();
    expect(awaited).toBe(port);
    expect(load).not.toHaveBeenCalled();
  });

  it("tries again after a failed load, so a retried event is not stuck with the first error", async () => {
    const load = vi
      .fn<() => Promise<Greeter>>()
      .mockRejectedValueOnce(new Error("chunk missing"))
      .mockResolvedValue({ greet: async () => "hi" });
    const port = onFirstCall(load);
    await expect(port.greet("x")).rejects.toThrow("chunk missing");
    await expect(port.greet("x")).resolves.toBe("hi");
    expect(load).toHaveBeenCalledTimes(2);
  });

  it("refuses, at compile time, a port that is itself a function (a Proxy over an object cannot be called)", () => {
    const report = async (_id: string) => "reported";
    // @ts-expect-error a function port is loaded with loadOnce instead
    expect(() => onFirstCall(async () => report)).not.toThrow();
  });

  it("names a method the loaded port lacks", async () => {
    const port = onFirstCall(async () => ({}) as Greeter);
    await expect(port.greet("x")).rejects.toThrow("The loaded port has no method greet");
  });
});

describe("loadOnce", () => {
  it("shares one pending load", async () => {
    let loads = 0;
    const client = loadOnce(async () => ({ id: ++loads }));
    const [a, b] = await Promise.all([client(), client()]);
    expect(a).toBe(b);
    expect(loads).toBe(1);
  });
});

describe("onceOnFirstRun", () => {
  const context = (id: string) => ({ awsRequestId: id }) as Context;

  it("hands the latest invocation's context to the idempotency port when it first runs an effect", async () => {
    const registered: string[] = [];
    const load = vi.fn(async () => ({
      registerContext: (c: Context) => registered.push(c.awsRequestId),
      run: <T extends object>(_key: string, effect: () => Promise<T>) => effect(),
    }));
    const once = onceOnFirstRun(load);
    once.registerContext(context("first"));
    once.registerContext(context("second"));
    expect(load).not.toHaveBeenCalled();
    await expect(once.run("k", async () => ({ done: true }))).resolves.toEqual({ done: true });
    once.registerContext(context("third"));
    await once.run("k2", async () => ({}));
    expect(registered).toEqual(["second", "third"]);
    expect(load).toHaveBeenCalledTimes(1);
  });
});
