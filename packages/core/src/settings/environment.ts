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
