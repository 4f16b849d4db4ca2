import type { OpsMessage } from "@hands-off-ops/core/notify/message";
import { normalize } from "@hands-off-ops/core/notify/normalize";
import { clipAscii, renderEmail, SUBJECT_MAX } from "@hands-off-ops/core/notify/render/email";
import { renderSlack, SLACK_LIMITS } from "@hands-off-ops/core/notify/render/slack";
import { clip } from "@hands-off-ops/core/notify/render/text";
import type { KnownBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import { releaseAlarmEvent } from "../../fixtures/events";
import { PROD_CONTEXT } from "./context";

function baseMessage(): OpsMessage {
  const normalized = normalize(releaseAlarmEvent(), PROD_CONTEXT);
  if (normalized.kind !== "message") throw new Error("fixture");
  return normalized.message;
}

/** Every text a block carries, with the block type, to check against Slack's limits. */
function textsOf(blocks: KnownBlock[]) {
  return blocks.flatMap((block) => {
    const texts: { type: string; text: string }[] = [];
    if ("text" in block && block.text && typeof block.text === "object") texts.push({ type: `${block.type}.text`, text: block.text.text });
    if ("fields" in block && block.fields) texts.push(...block.fields.map((f) => ({ type: "field", text: f.text })));
    return texts;
  });
}

describe("Slack limits are respected by cutting gracefully", () => {
  const huge: OpsMessage = {
    ...baseMessage(),
    title: "T".repeat(400),
    summary: "S".repeat(10_000),
    facts: Array.from({ length: 600 }, (_, i) => ({ label: `Fact ${i}`, value: "v".repeat(2000) })),
    links: Array.from({ length: 40 }, (_, i) => ({ label: `Link ${i}`, url: `https://example.com/${i}` })),
    actionsTaken: Array.from({ length: 50 }, () => "A".repeat(500)),
  };
  const payload = renderSlack(huge);

  it("keeps at most 50 blocks, with the header first and the footer last, and says what was left out", () => {
    expect(payload.blocks).toHaveLength(SLACK_LIMITS.blocks);
    expect(payload.blocks[0]?.type).toBe("header");
    expect(JSON.stringify(payload.blocks.at(-1))).toContain("event c4c1c1c9");
    expect(JSON.stringify(payload.blocks.at(-2))).toMatch(/more blocks left out \(Slack shows at most 50\)/);
  });

  it("keeps every text within its limit, ending a cut text with an ellipsis", () => {
    for (const { type, text } of textsOf(payload.blocks)) {
      const max = type === "header.text" ? SLACK_LIMITS.headerText : type === "field" ? SLACK_LIMITS.fieldText : SLACK_LIMITS.sectionText;
      expect(Array.from(text).length, type).toBeLessThanOrEqual(max);
    }
    const header = payload.blocks[0] as { text: { text: string } };
    expect(header.text.text.endsWith("…")).toBe(true);
    expect(Array.from(payload.text).length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
  });

  it("puts at most 10 fields in a section and 25 buttons in an actions block", () => {
    for (const block of payload.blocks) {
      if (block.type === "section" && block.fields) expect(block.fields.length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
    }
    const withFewerFacts = renderSlack({ ...huge, facts: huge.facts.slice(0, 3) });
    const actions = withFewerFacts.blocks.find((b) => b.type === "actions") as { elements: unknown[] };
    expect(actions.elements).toHaveLength(SLACK_LIMITS.buttons);
  });

  it("escapes Slack's markup characters in event text", () => {
    const payload = renderSlack({ ...baseMessage(), summary: "<!channel> & <https://evil.example|click>" });
    expect(JSON.stringify(payload.blocks[1])).toContain("&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;");
  });

  it("never splits a character made of two UTF-16 units", () => {
    expect(clip("🚨🚨🚨", 2)).toBe("🚨…");
  });
});

describe("e-mail subjects fit SNS", () => {
  it("are printable ASCII under 100 characters, whatever the title", () => {
    const email = renderEmail({ ...baseMessage(), title: `Ünïcödé → “quotes” — 🚨 ${"x".repeat(200)}` });
    expect(email.subject.length).toBeLessThanOrEqual(SUBJECT_MAX);
    expect(email.subject).toMatch(/^[\x20-\x7e]+$/);
    expect(email.subject).toMatch(/^\[CRITICAL\] prod hands-off-ops: Unicode -> "quotes" - x+\.\.\.$/);
  });

  it("stay on one line", () => {
    expect(clipAscii("line one\nline two\tand\rthree", 99)).toBe("line one line two and three");
  });
});
