/**
 * The schemas a Lambda reads on its cold path (events, payloads, its environment and the settings parts in it)
 * are written with zod/mini: the functional API (`z.optional(s)`, `s.check(z.minLength(1))`) of the same zod 4
 * core, which builds no methods per schema and bundles only what is used. Schemas read only at synth
 * (settings/schema.ts and what only it imports) stay on classic zod; both kinds nest in each other.
 *
 * zod/mini loads no locale: its messages would all be "Invalid input". English is set here, once, so every
 * issue reads as it did with classic zod (which sets the same locale).
 */
import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

config(en());

// Re-exported name by name (`import * as z from "../zod"`), never as zod/mini's own `z` object: a bundler keeps
// every export of a namespace object that escapes, all 40-odd locales included (+330 KB per handler).
export * from "zod/mini";
