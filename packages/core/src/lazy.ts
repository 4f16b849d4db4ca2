/**
 * Ports whose adapter, and the AWS SDK client behind it, is loaded on first
 * use. A bundled SDK client costs ~50 ms to import; a handler that imports
 * its adapters with `import()` through these helpers pays that only on the
 * paths that call AWS (a rejected or ignored event never does), and esbuild
 * puts each adapter in its own chunk (issue #10).
 */
import type { Context } from "aws-lambda";
import type { OncePort } from "./notify/ports";

type AsyncMethods<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<R> : never;
};

/** A port that is itself a function cannot be stood in for by an object: use loadOnce and call what it loads. */
// biome-ignore lint/suspicious/noExplicitAny: any callable at all.
type NotAFunction<T> = T extends (...args: any[]) => any ? never : T;

/** One load shared by every caller; a failed load is forgotten, so the next call (a retried event) tries again. */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

/**
 * A stand-in for a port made only of async methods: each call loads the real
 * port (once) and forwards to it.
 */
export function onFirstCall<T extends AsyncMethods<T>>(load: () => Promise<NotAFunction<T>>): T {
  const port = loadOnce(load);
  return new Proxy({} as T, {
    get(_target, method) {
      // Not a thenable: `await`ing or returning the stand-in from an async function must not call the loader.
      if (typeof method === "symbol" || method === "then") return undefined;
      return (...args: unknown[]) =>
        port().then((loaded) => {
          const real = (loaded as Record<string, unknown>)[method];
          if (typeof real !== "function") throw new TypeError(`The loaded port has no method ${method}`);
          return real.apply(loaded, args);
        });
    },
  });
}

/** Powertools idempotency needs the invocation's context (its deadline bounds an in-progress record). */
export interface OnceInInvocation extends OncePort {
  registerContext(context: Context): void;
}

/** The idempotency port, loaded at the first effect; the latest invocation's context is handed over then. */
export function onceOnFirstRun(load: () => Promise<OnceInInvocation>): OnceInInvocation {
  const real = loadOnce(load);
  let context: Context | undefined;
  return {
    registerContext(latest) {
      context = latest;
    },
    async run(key, effect) {
      const once = await real();
      if (context) once.registerContext(context);
      return once.run(key, effect);
    },
  };
}
