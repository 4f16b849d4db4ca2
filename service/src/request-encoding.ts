/**
 * Why a request body cannot be read as sent, or undefined. The API reads UTF-8 JSON only: a body declared in another
 * charset, or compressed, would otherwise be parsed as if it were plain UTF-8 and stored wrong.
 */
export function unreadableBodyEncoding(headers: { "content-type"?: string; "content-encoding"?: string }): string | undefined {
  const encoding = headers["content-encoding"]?.trim().toLowerCase();
  if (encoding && encoding !== "identity") return `Content-Encoding ${encoding} is not accepted: send the body uncompressed.`;
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(headers["content-type"] ?? "")?.[1]?.toLowerCase();
  if (charset && charset !== "utf-8" && charset !== "utf8") return `charset=${charset} is not accepted: send UTF-8.`;
  return undefined;
}
