import * as z from "../zod";

/** An environment variable holding JSON, parsed before its schema reads it. */
export const jsonVariable = z.pipe(
  z.string(),
  z.transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.issues.push({ code: "custom", message: "must be JSON", input: raw });
      return z.NEVER;
    }
  }),
);

/** A function's environment read through its schema; a bad or missing variable stops it with every name at once. */
export function readEnvironment<T extends z.core.$ZodType>(schema: T, env: Record<string, string | undefined>, who: string): z.infer<T> {
  const parsed = z.safeParse(schema, env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
  throw new Error(`The ${who}'s environment is incomplete: ${problems}`);
}

/** Variables Lambda itself sets in every function's environment: a function reads them, no stack writes them. */
type LambdaProvided = "AWS_REGION" | "AWS_LAMBDA_FUNCTION_NAME";

type Written<T> = T extends unknown
  ? { [K in keyof T as undefined extends T[K] ? never : K]-?: AsWritten<T[K]> } & {
      [K in keyof T as undefined extends T[K] ? K : never]?: AsWritten<T[K]>;
    }
  : never;

/** A string, or the literal a schema asks for (a controller's name, which tells one shape from another). */
type AsWritten<V> = Exclude<V, undefined> extends string ? Exclude<V, undefined> : string;

/**
 * What a stack writes into a function's environment, derived from the schema the function reads it with: every
 * variable the schema requires, as a string, and those it can do without, optionally. The names are written once, in
 * the schema; a stack that leaves one out, misspells one or adds one the function does not read fails to compile.
 */
export type VariablesOf<S extends z.core.$ZodType> = OmitEach<Written<z.input<S>>, LambdaProvided>;

/** Omit on each member of a union (a controller's variables are one shape or the other). */
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
