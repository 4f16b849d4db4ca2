/**
 * A reply only the person who pressed sees, through the interaction's
 * response_url (a hooks.slack.com address the payload carries, checked by
 * chatops/interaction.ts).
 */
export async function tellPresser(responseUrl: string, text: string, fetchImpl: typeof fetch = fetch): Promise<void> {
  const response = await fetchImpl(responseUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ response_type: "ephemeral", replace_original: false, text }),
    signal: AbortSignal.timeout(2_000),
  });
  if (!response.ok) throw new Error(`Slack's response_url answered ${response.status}`);
}

/** The pressed message, replaced for everyone in the channel (its buttons gone, the click's result shown). */
export async function replaceOriginal(
  responseUrl: string,
  blocks: Record<string, unknown>[],
  text: string,
  fetchImpl: typeof fetch = fetch,
): Promise<void> {
  const response = await fetchImpl(responseUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ replace_original: true, text, blocks }),
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`Slack's response_url answered ${response.status}`);
}
