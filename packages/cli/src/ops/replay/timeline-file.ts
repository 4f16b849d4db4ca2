import * as z from "zod";
import { ScenarioError } from "./scenario";

/** The file a timeline replay reads (replay/timeline.ts runs it): events at offsets from a start. */

const DottedOverrides = z.record(z.string().regex(/^[\w-]+(\.[\w-]+)*$/, "must be a dotted path such as detail.alarmName"), z.unknown());

const ScenarioRef = z.union([z.string().min(1), z.record(z.string(), z.unknown())]);

const TimelineStep = z.strictObject({
  /** Seconds after the timeline's start at which AWS sends the event (its `time`). */
  after: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400),
  /** An AWS sample event, from the repository root. */
  event: z.string().min(1),
  overrides: DottedOverrides.default({}),
  /** What the world looks like from this step on (a scenario file, or one written inline); default: the timeline's. */
  scenario: ScenarioRef.optional(),
  /**
   * EventBridge delivers at least once and in no set order: a step may deliver
   * again the event of an earlier step (same id), or arrive later than its
   * `after` says (`deliveredAfter`, the order the replay runs in).
   */
  duplicateOf: z.number().int().min(0).optional(),
  deliveredAfter: z.number().int().min(0).optional(),
  hook: z.string().optional(),
});

export const TimelineSchema = z.strictObject({
  description: z.string().min(1),
  start: z.iso.datetime({ offset: true }),
  /** What the world looks like (scenarios/README.md): a scenario file, or one written inline. Its eventOverrides are not used: each step has its own. */
  scenario: ScenarioRef.optional(),
  steps: z.array(TimelineStep).min(1).max(100),
});
export type Timeline = z.infer<typeof TimelineSchema>;

/** Whether a JSON document is a timeline rather than one event. */
export const isTimeline = (document: unknown) =>
  typeof document === "object" && document !== null && Array.isArray((document as { steps?: unknown }).steps);

export function readTimeline(file: string, document: unknown): Timeline {
  const parsed = TimelineSchema.safeParse(document);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(top)"}: ${issue.message}`);
    throw new ScenarioError(`The timeline ${file} is not valid:\n  ${issues.join("\n  ")}`);
  }
  // A timeline is a story AWS could tell: nothing is delivered before it happens, and a repeated delivery is the same event.
  parsed.data.steps.forEach((step, index) => {
    if (step.deliveredAfter !== undefined && step.deliveredAfter < step.after)
      throw new ScenarioError(
        `The timeline ${file}: step ${index} is delivered at +${step.deliveredAfter} s, before it happened (+${step.after} s)`,
      );
    if (step.duplicateOf === undefined) return;
    if (step.duplicateOf >= index)
      throw new ScenarioError(`The timeline ${file}: step ${index} duplicates step ${step.duplicateOf}, which does not come before it`);
    const original = parsed.data.steps[step.duplicateOf];
    const differs =
      step.event !== original?.event ||
      step.after !== original.after ||
      Object.keys(step.overrides).length > 0 ||
      step.scenario !== undefined ||
      step.hook !== original.hook;
    if (differs)
      throw new ScenarioError(
        `The timeline ${file}: step ${index} is a repeated delivery of step ${step.duplicateOf}, so it is the same event at the same time (same event file and after, no overrides, scenario or hook of its own)`,
      );
  });
  return parsed.data;
}
