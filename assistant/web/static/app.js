// The chat page: ask, stream the cited answer, show sources, keep conversations per browser, take feedback.

import { copyAnswer, feedbackButtons } from "./actions.js";
import { ApiError, createClient } from "./api.js";
import { LANGUAGES, currentLanguage, initialLanguage, setLanguage, t } from "./i18n.js";
import {
  el,
  fillCitation,
  icon,
  relatedList,
  renderAnswerText,
  shortAnswerLine,
  sourcesList,
  statusLine,
} from "./render.js";
import { readEvents } from "./sse.js";

const $ = (id) => document.getElementById(id);
const USER_KEY = "assistant.userId";

const state = {
  conversationId: null, // the conversation follow-ups continue (null: the next question starts one)
  turns: 0, // answers stored in it so far: the next answer's turn number, for feedback
  controller: null, // the AbortController of the answer being streamed
  conversations: [],
};

/** A random id for this browser, kept in localStorage, so its conversations can be listed after a reload. */
function browserId() {
  let id = null;
  try {
    id = localStorage.getItem(USER_KEY);
  } catch {
    id = null;
  }
  if (!id) {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    id = `web-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
    try {
      localStorage.setItem(USER_KEY, id);
    } catch {
      // private mode: conversations are listed for this page only
    }
  }
  return id;
}

const userId = browserId();
const client = createClient({ askKey, keyMissingMessage: () => t("keyMissing") });

/** The API-key dialog; resolves to the key typed, or null when cancelled. */
function askKey(rejected) {
  const dialog = $("key-dialog");
  const form = $("key-form");
  const input = $("key-input");
  $("key-error").textContent = rejected ? t("keyRejected") : "";
  $("key-error").hidden = !rejected;
  input.value = "";
  return new Promise((resolve) => {
    const finish = (value) => {
      form.removeEventListener("submit", onSubmit);
      $("key-cancel").removeEventListener("click", onCancel);
      dialog.removeEventListener("cancel", onCancel);
      if (dialog.open) dialog.close();
      resolve(value);
    };
    const onSubmit = (event) => {
      event.preventDefault();
      if (input.value.trim()) finish(input.value.trim());
    };
    const onCancel = (event) => {
      event.preventDefault();
      finish(null);
    };
    form.addEventListener("submit", onSubmit);
    $("key-cancel").addEventListener("click", onCancel);
    dialog.addEventListener("cancel", onCancel);
    dialog.showModal();
    input.focus();
  });
}

/** Show a cited passage in the dialog, its supporting span marked (`related`: a related passage, not a citation). */
function openCitation(citation, related = false) {
  const dialog = $("citation-dialog");
  dialog.classList.toggle("related-passage", related);
  fillCitation(
    {
      number: $("citation-number"),
      title: $("citation-title"),
      section: $("citation-section"),
      source: $("citation-source"),
      warning: $("citation-warning"),
      text: $("citation-text"),
    },
    citation,
    { related },
  );
  dialog.showModal();
  $("citation-close").focus();
}

function scrollToEnd(force = false) {
  const box = $("messages");
  if (force || box.scrollHeight - box.scrollTop - box.clientHeight < 160) box.scrollTop = box.scrollHeight;
}

/** A question bubble and an empty answer bubble; returns the answer's parts. */
function addTurn(question) {
  $("welcome").hidden = true;
  const status = el("div", { className: "answer-status" });
  const short = el("div", { className: "answer-short" });
  const notices = el("div", { className: "answer-notices" });
  const text = el("div", { className: "answer-text" });
  const extra = el("div", { className: "answer-extra" });
  const answer = el(
    "div",
    { className: "bubble assistant" },
    el("span", { className: "sr-only", text: t("assistant"), dataset: { i18n: "assistant" } }),
    status,
    short,
    notices,
    text,
    extra,
  );
  const turn = el(
    "article",
    { className: "turn" },
    el(
      "div",
      { className: "bubble user" },
      el("span", { className: "sr-only", text: t("you"), dataset: { i18n: "you" } }),
      el("p", { className: "question", text: question }),
    ),
    answer,
  );
  $("messages").append(turn);
  scrollToEnd(true);
  return { turn, answer, status, short, notices, text, extra, question };
}

/** The answer's state (waiting, streaming, stopped, error, done), as data-state and a status line. */
function setStatus(view, kind) {
  const busy = kind === "waiting" || kind === "streaming";
  view.answer.dataset.state = kind;
  view.answer.setAttribute("aria-busy", busy ? "true" : "false");
  const shown = busy || kind === "stopped";
  view.status.replaceChildren(shown ? statusLine(t(kind), busy) : "");
}

function notice(view, kind, message, role, hint = "") {
  const box = el("div", { className: `notice ${kind}`, attrs: { role } }, el("p", { text: message }));
  if (hint) box.append(el("p", { className: "hint", text: hint }));
  view.notices.append(box);
}

/**
 * The final state of an answer: the short answer, text with chips, notices, sources, copy and feedback buttons.
 * The done event is authoritative: an abstained answer shows no chips or sources even though the `citations`
 * event listed the retrieved passages, and its related passages get their own section.
 */
function finishAnswer(view, answer, turn, conversationId) {
  const abstained = answer.abstained === true;
  const citations = abstained ? [] : answer.citations || [];
  const related = abstained ? answer.related || [] : [];
  setStatus(view, "");
  view.answer.dataset.state = "done";
  view.answer.dataset.abstained = String(abstained);
  if (answer.language && answer.language !== "other") view.answer.lang = answer.language;
  view.short.replaceChildren(!abstained && answer.short_answer ? shortAnswerLine(answer.short_answer) : "");
  if (answer.fallback && !view.notices.querySelector(".fallback")) {
    const reason = answer.fallback_reason ? t("reason", { reason: answer.fallback_reason }) : "";
    notice(view, "fallback", t("fallback", { reason }), "status");
  }
  renderAnswerText(view.text, answer.answer || "", citations, openCitation);
  // An abstained answer's text already says the documents do not answer; no notice repeats it.
  if (!abstained && !citations.length) notice(view, "empty", t("noPassages"), "status");
  else if (!abstained && answer.grounded === false) notice(view, "ungrounded", t("ungrounded"));
  const copy = el(
    "button",
    {
      className: "icon-button copy",
      attrs: { type: "button", "aria-label": t("copy"), title: t("copy") },
      dataset: { i18nLabel: "copy" },
      on: { click: () => copyAnswer(copy, answer.answer || "", citations) },
    },
    icon("copy"),
  );
  view.extra.replaceChildren(
    citations.length ? sourcesList(citations, openCitation) : "",
    related.length ? relatedList(related, (hit) => openCitation(hit, true)) : "",
    el("div", { className: "actions" }, copy, ...feedbackButtons(client, conversationId, turn, answer.feedback || 0)),
  );
}

function showError(view, error) {
  setStatus(view, "error");
  const message = error.status === 0 ? t("errorNetwork") : t("errorServer", { message: error.message });
  notice(view, "error", message, "alert", t("retryHint"));
}

function setBusy(busy) {
  $("send").hidden = busy;
  $("stop").hidden = !busy;
  $("composer").setAttribute("aria-busy", String(busy));
}

/** Ask a question in the current conversation and stream the answer into a new turn. */
async function ask(question) {
  if (state.controller) return;
  const input = $("question");
  const view = addTurn(question);
  const controller = new AbortController();
  state.controller = controller;
  setBusy(true);
  setStatus(view, "waiting");
  input.value = "";
  let text = "";
  let hits = [];
  let done = false;
  try {
    const body = { question, user: userId };
    if (state.conversationId) body.conversation_id = state.conversationId;
    const response = await client.send("v1/chat", { method: "POST", body, signal: controller.signal });
    for await (const { event, data } of readEvents(response.body)) {
      if (event === "citations") {
        state.conversationId = data.conversation_id || state.conversationId;
        hits = data.hits || [];
        setStatus(view, "streaming");
      } else if (event === "delta") {
        text += data.text || "";
        setStatus(view, "streaming");
        renderAnswerText(view.text, text, hits, openCitation);
        scrollToEnd();
      } else if (event === "fallback") {
        text = "";
        view.text.replaceChildren();
        notice(view, "fallback", t("fallback", { reason: data.reason ? t("reason", { reason: data.reason }) : "" }));
      } else if (event === "done") {
        done = true;
        state.conversationId = data.conversation_id || state.conversationId;
        finishAnswer(view, data, state.turns, state.conversationId);
        state.turns += 1;
      } else if (event === "error") {
        const error = data.error || {};
        throw new ApiError(500, error.code || "internal_error", error.message || "");
      }
    }
    if (!done) throw new ApiError(0, "network_error", "the answer stream ended early");
    refreshConversations();
  } catch (error) {
    if (error.name === "AbortError") setStatus(view, "stopped");
    else showError(view, error instanceof ApiError ? error : new ApiError(0, "network_error", String(error)));
    if (!input.value.trim()) input.value = question;
  } finally {
    state.controller = null;
    setBusy(false);
    scrollToEnd();
    if (!done) input.focus();
  }
}

function stop() {
  if (state.controller) state.controller.abort();
}

function clearChat() {
  for (const turn of $("messages").querySelectorAll(".turn")) turn.remove();
  $("welcome").hidden = false;
}

function newConversation() {
  stop();
  clearChat();
  state.conversationId = null;
  state.turns = 0;
  renderConversations();
  $("question").focus();
}

async function openConversation(id) {
  stop();
  closeSidebar();
  clearChat();
  state.conversationId = id;
  state.turns = 0;
  renderConversations();
  try {
    const conversation = await client.json(`v1/conversations/${encodeURIComponent(id)}`);
    if (state.conversationId !== id) return;
    conversation.turns.forEach((turn, index) => {
      const view = addTurn(turn.question);
      finishAnswer(view, { ...turn, grounded: true }, index, id);
    });
    state.turns = conversation.turns.length;
    scrollToEnd(true);
  } catch (error) {
    const view = addTurn("");
    view.turn.querySelector(".bubble.user").remove();
    setStatus(view, "error");
    notice(view, "error", t("loadFailed", { message: error.message }), "alert");
  }
}

async function refreshConversations() {
  try {
    const data = await client.json(`v1/conversations?user=${encodeURIComponent(userId)}`);
    state.conversations = data.conversations || [];
    renderConversations();
  } catch (error) {
    $("conversation-empty").hidden = false;
    $("conversation-empty").textContent = error.message;
  }
}

/** The empty state's sample questions (ones the loaded documents answer); a click asks one. */
async function loadSamples() {
  let questions = [];
  try {
    questions = (await client.json("v1/sample-questions")).questions || [];
  } catch {
    questions = []; // the welcome text stands alone
  }
  const items = questions.map((question) =>
    el(
      "li",
      {},
      el("button", { className: "sample", text: question, attrs: { type: "button" }, on: { click: () => ask(question) } }),
    ),
  );
  $("sample-list").replaceChildren(...items);
  $("samples").hidden = items.length === 0;
}

function renderConversations() {
  const list = $("conversation-list");
  const format = new Intl.DateTimeFormat(currentLanguage(), { dateStyle: "medium", timeStyle: "short" });
  const items = state.conversations.map((c) =>
    el(
      "li",
      {},
      el(
        "button",
        {
          className: "conversation",
          attrs: { type: "button", "aria-current": c.id === state.conversationId ? "true" : undefined },
          dataset: { id: c.id },
          on: { click: () => openConversation(c.id) },
        },
        el("span", { className: "conversation-title", text: c.title || t("untitled") }),
        el("span", {
          className: "conversation-meta",
          text: `${t("turns", { n: c.turns })} · ${format.format(new Date(c.updated_at * 1000))}`,
        }),
      ),
    ),
  );
  list.replaceChildren(...items);
  const empty = $("conversation-empty");
  empty.hidden = items.length > 0;
  empty.textContent = t("noConversations");
}

function closeSidebar() {
  document.body.classList.remove("sidebar-open");
  $("toggle-sidebar").setAttribute("aria-expanded", "false");
}

function wire() {
  const input = $("question");
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (question) ask(question);
  });
  input.addEventListener("keydown", (event) => {
    // Enter while an IME is composing Hangul or Han characters confirms the syllable; it must not send.
    if (event.isComposing || event.keyCode === 229) return;
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("composer").requestSubmit();
    } else if (event.key === "Escape" && state.controller) {
      stop();
    }
  });
  $("stop").addEventListener("click", () => {
    stop();
    input.focus();
  });
  $("new-conversation").addEventListener("click", newConversation);
  $("citation-close").addEventListener("click", () => $("citation-dialog").close());
  $("citation-dialog").addEventListener("click", (event) => {
    if (event.target === $("citation-dialog")) $("citation-dialog").close(); // a click on the backdrop
  });
  $("toggle-sidebar").addEventListener("click", () => {
    const open = document.body.classList.toggle("sidebar-open");
    $("toggle-sidebar").setAttribute("aria-expanded", String(open));
  });
  // On phones the list lies over the chat: a tap on the chat or Escape closes it.
  document.querySelector(".chat").addEventListener("click", closeSidebar);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && document.body.classList.contains("sidebar-open")) closeSidebar();
  });
  const select = $("language");
  for (const [code, name] of LANGUAGES) select.append(el("option", { text: name, attrs: { value: code, lang: code } }));
  select.value = currentLanguage();
  select.addEventListener("change", () => {
    setLanguage(select.value);
    renderConversations();
  });
}

setLanguage(initialLanguage());
wire();
refreshConversations();
loadSamples();
$("question").focus();
