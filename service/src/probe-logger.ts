import type { FastifyBaseLogger } from "fastify";

type Bindings = Parameters<FastifyBaseLogger["child"]>[0];
type ChildLoggerOptions = Parameters<FastifyBaseLogger["child"]>[1];

type Write = (...args: unknown[]) => void;
const nothing: Write = () => {};

/**
 * The loggers of the health probes' requests. A probe runs every few seconds per task, and a pino child per
 * request (with its own level, pino rebuilds every log method) cost it more than its answer. Each probe request
 * gets this small object instead: below warn it writes nothing, as a child at warn would; warn and above go to a
 * pino child with the request's bindings (its reqId), made only when a probe has something to say. The lines
 * written are those of a child at warn.
 */
export function probeLoggers(parent: FastifyBaseLogger): (logger: FastifyBaseLogger, bindings: Bindings) => FastifyBaseLogger {
  const atWarn = parent.child({}, { level: "warn" });
  return (_logger, bindings) => new ProbeLogger(atWarn, bindings) as unknown as FastifyBaseLogger;
}

class ProbeLogger {
  readonly level = "warn";
  readonly trace = nothing;
  readonly debug = nothing;
  readonly info = nothing;
  readonly silent = nothing;
  #written: FastifyBaseLogger | undefined;

  constructor(
    private readonly atWarn: FastifyBaseLogger,
    private readonly bindings: Bindings,
  ) {}

  private get written(): FastifyBaseLogger {
    this.#written ??= this.atWarn.child(this.bindings);
    return this.#written;
  }

  warn(...args: unknown[]) {
    (this.written.warn as Write)(...args);
  }
  error(...args: unknown[]) {
    (this.written.error as Write)(...args);
  }
  fatal(...args: unknown[]) {
    (this.written.fatal as Write)(...args);
  }
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.written.child(bindings, options);
  }
}
