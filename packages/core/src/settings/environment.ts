import * as z from "zod";

/** An environment variable holding JSON, parsed before its schema reads it. */
export const jsonVariable = z.string().transform((raw, ctx) => {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    ctx.addIssue({ code: "custom", message: "must be JSON" });
    return z.NEVER;
  }
});

/** A function's environment read through its schema; a bad or missing variable stops it with every name at once. */
export function readEnvironment<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>, who: string): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
  throw new Error(`The ${who}'s environment is incomplete: ${problems}`);
}
