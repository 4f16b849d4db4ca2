import { createHash } from "node:crypto";

// The page's only style sheet and script, inline, allowed by their hashes: nothing else may run or style the page.
const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; }
  h1 { font-size: 1.5rem; } input, button { font: inherit; padding: .4rem .6rem; margin: .2rem 0; }
  input[type=text] { width: 100%; box-sizing: border-box; }
  .bar { background: #e8e8ed; border-radius: 4px; overflow: hidden; margin: .2rem 0 .8rem; }
  .bar > span { display: block; background: #0071e3; color: #fff; padding: 0 .4rem; white-space: nowrap; }
  textarea { width: 100%; box-sizing: border-box; }
  .error { color: #b00020; } [hidden] { display: none; }
`;

const SCRIPT = `
  const $ = (id) => document.getElementById(id);
  const show = (message) => { $("message").textContent = message; };
  // The firewall may ask a write to prove a person sent it (CAPTCHA or a silent challenge, stacks/Firewall.ts). Its
  // answer cannot be shown to a fetch: the page keeps the write, reloads itself where the firewall shows the check,
  // and sends the write again once, with the token the check gave.
  const PENDING = "pending-write";
  async function api(path, init = {}, headers = {}) {
    const response = await fetch(path, { ...init, headers: { "content-type": "application/json", ...headers } });
    const check = response.headers.get("x-amzn-waf-action");
    if (check && init.method === "POST" && !sessionStorage.getItem(PENDING)) {
      sessionStorage.setItem(PENDING, JSON.stringify({ path, body: init.body, headers }));
      const next = new URLSearchParams(location.search); next.set("human", "1");
      location.assign("/?" + next);
      return new Promise(() => {});
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(check ? "The firewall could not confirm a person sent this; reload the page and try again." : body.message || response.statusText);
    return body;
  }
  async function resumePendingWrite() {
    const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
    const params = new URLSearchParams(location.search);
    if (params.has("human")) { params.delete("human"); history.replaceState(null, "", "?" + params); }
    if (!pending) return;
    try {
      const answer = await api(pending.path, { method: "POST", body: pending.body }, pending.headers);
      if (answer.id && answer.options) history.replaceState(null, "", "?poll=" + answer.id);
    } catch (error) { show(error.message); }
    finally { sessionStorage.removeItem(PENDING); }
  }
  function render(poll) {
    $("create").hidden = true; $("poll").hidden = false;
    $("question").textContent = poll.question;
    if (!$("choices").children.length) {
      for (const option of poll.options) {
        const label = document.createElement("label");
        const input = Object.assign(document.createElement("input"), { type: "radio", name: "option", value: option.id, required: true });
        label.append(input, " ", option.text, document.createElement("br"));
        $("choices").append(label);
      }
    }
    $("total").textContent = "(" + poll.total + " vote" + (poll.total === 1 ? "" : "s") + ")";
    $("results").replaceChildren(...poll.results.map((r) => {
      const share = poll.total ? Math.round((100 * r.votes) / poll.total) : 0;
      const row = document.createElement("div");
      row.className = "result";
      row.dataset.option = r.optionId;
      const bar = document.createElement("div"); bar.className = "bar";
      const fill = document.createElement("span"); fill.style.width = Math.max(share, 8) + "%";
      if (r.votes === 0) { fill.style.background = "transparent"; fill.style.color = "#6e6e73"; }
      fill.textContent = r.votes + " (" + share + "%)";
      bar.append(fill);
      row.append(r.text, bar);
      return row;
    }));
  }
  async function refresh(id) { render(await api("/api/polls/" + id + "/results")); }
  $("create-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const options = String(form.get("options")).split("\\n").map((s) => s.trim()).filter(Boolean);
    try {
      const poll = await api("/api/polls", { method: "POST", body: JSON.stringify({ question: form.get("question"), options }) });
      history.pushState(null, "", "?poll=" + poll.id);
      await refresh(poll.id);
      setInterval(() => refresh(poll.id).catch(() => {}), 2000);
    } catch (error) { show(error.message); }
  });
  $("vote-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const id = new URLSearchParams(location.search).get("poll");
    const optionId = new FormData(event.target).get("option");
    // One key per click: a retry of this vote (a timeout, a double submit) is counted once.
    const once = { "idempotency-key": crypto.randomUUID() };
    try { await api("/api/polls/" + id + "/votes", { method: "POST", body: JSON.stringify({ optionId }) }, once); await refresh(id); show(""); }
    catch (error) { show(error.message); }
  });
  await resumePendingWrite();
  const existing = new URLSearchParams(location.search).get("poll");
  if (existing) { refresh(existing).catch((error) => show(error.message)); setInterval(() => refresh(existing).catch(() => {}), 2000); }
`;

/** The voting page: create a poll, share its link, vote, watch the results refresh. No build step, no framework. */
export const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vote</title>
<style>${STYLE}</style>
</head>
<body>
<main>
  <section id="create">
    <h1>New poll</h1>
    <form id="create-form">
      <label>Question <input type="text" name="question" required maxlength="200"></label>
      <label>Options, one per line <textarea name="options" rows="4" required></textarea></label>
      <button type="submit">Create poll</button>
    </form>
  </section>
  <section id="poll" hidden>
    <h1 id="question"></h1>
    <form id="vote-form"><div id="choices"></div><button type="submit">Vote</button></form>
    <h2>Results <small id="total"></small></h2>
    <div id="results"></div>
  </section>
  <p id="message" class="error" role="alert"></p>
</main>
<script type="module">${SCRIPT}</script>
</body>
</html>
`;

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

/** Sent with the page: a script or style not in it is refused, and no other site may frame it (clickjacking). */
export const PAGE_SECURITY_HEADERS = {
  "content-security-policy": [
    "default-src 'none'",
    `script-src ${sha256(SCRIPT)}`,
    `style-src ${sha256(STYLE)}`,
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; "),
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};
