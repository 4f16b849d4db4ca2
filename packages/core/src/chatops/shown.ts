import { ACTION_ID_PREFIX } from "./interaction";

/**
 * A pressed message outside incidents (a release's thread, a sleep notice)
 * shown again with the click's result in place of its buttons: who pressed
 * what, when, and what came of it. Link buttons stay. An incident's message
 * is re-rendered from its record instead (acknowledge.ts).
 */
export function withResult(blocks: readonly Record<string, unknown>[], line: string): Record<string, unknown>[] {
  const kept = blocks.flatMap((block) => {
    if (block.type !== "actions" || !Array.isArray(block.elements)) return [block];
    const elements = (block.elements as { action_id?: unknown }[]).filter(
      (element) => !String(element.action_id ?? "").startsWith(ACTION_ID_PREFIX),
    );
    return elements.length ? [{ ...block, elements }] : [];
  });
  // Slack allows 50 blocks; the result line is the one that must show.
  return [...kept.slice(0, 49), { type: "context", elements: [{ type: "mrkdwn", text: line.slice(0, 3000) }] }];
}
