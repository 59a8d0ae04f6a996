// The buttons under an answer: copy it, and rate it (stored with the turn through the feedback endpoint).

import { t } from "./i18n.js";
import { el, icon } from "./render.js";

/** Thumbs up and down for one stored answer, showing the saved rating (pressed) and any failure. */
export function feedbackButtons(client, conversationId, turn, initial) {
  const message = el("span", { className: "feedback-message", attrs: { role: "status" } });
  const make = (rating, symbol, label) =>
    el(
      "button",
      {
        className: "icon-button thumb",
        attrs: { type: "button", "aria-label": t(label), title: t(label), "aria-pressed": String(initial === rating) },
        dataset: { rating: String(rating), i18nLabel: label },
      },
      icon(symbol),
    );
  const buttons = [make(1, "up", "helpful"), make(-1, "down", "notHelpful")];
  for (const button of buttons) {
    button.addEventListener("click", async () => {
      const rating = button.getAttribute("aria-pressed") === "true" ? 0 : Number(button.dataset.rating);
      const path = `v1/conversations/${encodeURIComponent(conversationId)}/turns/${turn}/feedback`;
      try {
        const saved = await client.json(path, { method: "POST", body: { rating } });
        for (const other of buttons) other.setAttribute("aria-pressed", String(Number(other.dataset.rating) === saved.feedback));
        message.textContent = "";
      } catch (error) {
        message.textContent = t("feedbackFailed", { message: error.message });
      }
    });
  }
  return [...buttons, message];
}

/** Copy the answer and its numbered sources; the button shows a check mark for two seconds. */
export async function copyAnswer(button, text, citations) {
  const sources = citations.map((c) => `[${c.n}] ${c.title}${c.source ? ` — ${c.source}` : ""}`);
  const whole = sources.length ? `${text}\n\n${sources.join("\n")}` : text;
  let copied = false;
  try {
    await navigator.clipboard.writeText(whole);
    copied = true;
  } catch {
    const area = el("textarea", { attrs: { "aria-hidden": "true" } });
    area.value = whole;
    area.className = "offscreen";
    document.body.append(area);
    area.select();
    copied = document.execCommand("copy");
    area.remove();
  }
  button.replaceChildren(icon(copied ? "check" : "copy"));
  button.setAttribute("aria-label", copied ? t("copied") : t("copyFailed"));
  button.title = button.getAttribute("aria-label");
  setTimeout(() => {
    button.replaceChildren(icon("copy"));
    button.setAttribute("aria-label", t("copy"));
    button.title = t("copy");
  }, 2000);
}
