import type { SlackPayload } from "@hands-off-ops/core/notify/render/slack";
import type { KnownBlock } from "@slack/types";

/**
 * A Slack message as it reads in a terminal: the header, the sections, the
 * fields as "label: value" lines, the buttons with their links, the footer.
 * Mrkdwn markers stay (*bold*), Slack's escapes are undone.
 */
export function slackAsText(payload: SlackPayload): string[] {
  const lines: string[] = [];
  for (const block of payload.blocks) lines.push(...blockLines(block));
  return lines;
}

const unescapeMrkdwn = (text: string) => text.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");

function blockLines(block: KnownBlock): string[] {
  switch (block.type) {
    case "header":
      return [block.text.text, "─".repeat(Math.min(72, [...block.text.text].length))];
    case "section": {
      const lines = block.text ? unescapeMrkdwn(block.text.text).split("\n") : [];
      for (const field of block.fields ?? []) {
        const [label, ...value] = unescapeMrkdwn(field.text).split("\n");
        lines.push(`${label?.replace(/^\*(.*)\*$/, "$1")}: ${value.join(" ")}`);
      }
      return lines;
    }
    case "context":
      return block.elements.map((element) => `  ${"text" in element ? unescapeMrkdwn(element.text) : ""}`);
    case "actions":
      return block.elements.map((element) =>
        element.type === "button" ? `[${element.text.text}] ${element.url ?? ""}`.trimEnd() : `[${element.type}]`,
      );
    case "image":
      return [`(image: ${"image_url" in block ? block.image_url : "uploaded file"})`];
    case "divider":
      return ["───"];
    default:
      return [`(${block.type} block)`];
  }
}
