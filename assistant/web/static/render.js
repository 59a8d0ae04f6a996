// DOM building for answers and sources. Passage and model text only ever goes through textContent or text nodes,
// never innerHTML, so markup inside a document ("<script>…") shows as text; answers get a Markdown subset
// (markdown.js), built the same way.

import { t } from "./i18n.js";
import { markdownNodes } from "./markdown.js";

const NUMBERS = String.raw`(\d+(?:\s*[,，、]\s*\d+)*)`;
const MARKER = new RegExp(String.raw`\s?(?:\[${NUMBERS}\]|【${NUMBERS}】|［${NUMBERS}］)`, "g");

/** An element with properties: text, className, attrs, dataset, on (event listeners); then child nodes or strings. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs || {})) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? "" : value);
  }
  Object.assign(node.dataset, props.dataset || {});
  for (const [name, handler] of Object.entries(props.on || {})) node.addEventListener(name, handler);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

const SVG = "http://www.w3.org/2000/svg";
// Line icons (24×24, stroked), drawn as SVG so they need no emoji or symbol font.
const ICONS = {
  copy: ["M11 9h9a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2h-9a2 2 0 0 1-2-2v-9a2 2 0 0 1 2-2z", "M5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1"],
  check: ["M20 6 9 17l-5-5"],
  up: ["M7 10v12", "M15 5.9 14 10h5.8a2 2 0 0 1 1.9 2.6l-2.3 7A2 2 0 0 1 17.5 21H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h2.8a2 2 0 0 0 1.8-1.1L12 2a3.1 3.1 0 0 1 3 3.9z"],
  down: ["M17 14V2", "M9 18.1 10 14H4.2a2 2 0 0 1-1.9-2.6l2.3-7A2 2 0 0 1 6.5 3H20a2 2 0 0 1 2 2v7a2 2 0 0 1-2 2h-2.8a2 2 0 0 0-1.8 1.1L12 22a3.1 3.1 0 0 1-3-3.9z"],
};

/** An icon, hidden from screen readers (its button carries the label). */
export function icon(name) {
  const svg = document.createElementNS(SVG, "svg");
  for (const [key, value] of Object.entries({ viewBox: "0 0 24 24", width: "18", height: "18", "aria-hidden": "true" })) {
    svg.setAttribute(key, value);
  }
  svg.classList.add("icon");
  for (const d of ICONS[name]) {
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

/** A link only for http(s) sources; anything else (a file path, "javascript:") stays plain text. */
export function sourceLink(source, label) {
  if (/^https?:\/\//i.test(source || "")) {
    return el("a", { text: label || source, attrs: { href: source, target: "_blank", rel: "noopener noreferrer" } });
  }
  return el("span", { className: "source-path", text: source || "" });
}

/** A numbered chip that opens citation `n`. */
function chip(n, citation, onOpen) {
  const unsupported = citation.supported === false;
  return el("button", {
    className: unsupported ? "chip chip-unsupported" : "chip",
    text: String(n),
    attrs: {
      type: "button",
      "aria-label": t("openCitation", { n }),
      title: unsupported ? t("unsupported") : citation.title || "",
    },
    dataset: { n: String(n) },
    on: { click: () => onOpen(citation) },
  });
}

/** Text as nodes, each known [n] marker turned into a chip. */
function markerNodes(text, byNumber, onOpen) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(MARKER)) {
    const numbers = (match[1] || match[2] || match[3]).split(/\s*[,，、]\s*/).map(Number);
    if (!numbers.every((n) => byNumber.has(n))) continue;
    nodes.push(document.createTextNode(text.slice(last, match.index)));
    for (const n of numbers) nodes.push(chip(n, byNumber.get(n), onOpen));
    last = match.index + match[0].length;
  }
  nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

/** Fill `container` with the answer text as Markdown, each known [n] marker turned into a chip. */
export function renderAnswerText(container, text, citations, onOpen) {
  const byNumber = new Map(citations.map((citation) => [Number(citation.n), citation]));
  container.replaceChildren(...markdownNodes(text, (part) => markerNodes(part, byNumber, onOpen)));
}

/** Citations grouped by document, in the order of their first number. */
function byDocument(citations) {
  const groups = new Map();
  for (const citation of citations) {
    const key = citation.document_id || citation.title || `#${citation.n}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(citation);
  }
  return [...groups.values()];
}

/**
 * The sources under an answer: one entry per document (title, link to the original), listing its cited passages,
 * each with its number, section and opening words, opening the passage in the dialog.
 */
export function sourcesList(citations, onOpen) {
  const items = byDocument(citations).map((group) => {
    const first = group[0];
    const passages = group.map((citation) =>
      el(
        "button",
        {
          className: "source-passage",
          attrs: { type: "button", "aria-label": t("openCitation", { n: citation.n }) },
          on: { click: () => onOpen(citation) },
        },
        el("span", { className: "source-n", text: `[${citation.n}]` }),
        citation.section ? el("span", { className: "source-section", text: citation.section }) : null,
        el("span", { className: "source-excerpt", text: excerpt(citation.text, 60) }),
      ),
    );
    return el(
      "li",
      { className: "source", dataset: { documentId: first.document_id || "" } },
      el(
        "div",
        { className: "source-head" },
        el("span", { className: "source-title", text: first.title || first.document_id || t("untitled") }),
        /^https?:\/\//i.test(first.source || "") ? sourceLink(first.source, "↗") : null,
      ),
      el("div", { className: "source-passages" }, ...passages),
    );
  });
  return el(
    "section",
    { className: "sources", attrs: { "aria-label": t("sources") } },
    el("h3", { text: t("sources"), dataset: { i18n: "sources" } }),
    el("ol", {}, ...items),
  );
}

/** The phrase that answers the question, shown above the answer text: a small label and the phrase in bold. */
export function shortAnswerLine(phrase) {
  return el(
    "p",
    { className: "short-answer" },
    el("span", { className: "short-answer-label", text: t("shortAnswer"), dataset: { i18n: "shortAnswer" } }),
    el("strong", { className: "short-answer-text", text: phrase }),
  );
}

/** The start of a passage on one line, at most `limit` characters (counted by code point, so Hangul stays whole). */
export function excerpt(text, limit = 140) {
  const chars = Array.from(String(text || "").replace(/\s+/g, " ").trim());
  return chars.length <= limit ? chars.join("") : `${chars.slice(0, limit - 1).join("").trimEnd()}…`;
}

/**
 * The passages closest to a question the documents do not answer. They are not citations: unnumbered, set apart
 * from sources, each opening its passage in the dialog.
 */
export function relatedList(hits, onOpen) {
  const items = hits.map((hit) => {
    const title = hit.title || hit.document_id || t("untitled");
    return el(
      "li",
      {},
      el(
        "div",
        { className: "related-head" },
        el(
          "button",
          {
            className: "related-open",
            attrs: { type: "button", "aria-label": t("openRelated", { title }) },
            on: { click: () => onOpen(hit) },
          },
          el("span", { className: "related-title", text: title }),
        ),
        hit.section ? el("span", { className: "related-section", text: hit.section }) : null,
        /^https?:\/\//i.test(hit.source || "") ? sourceLink(hit.source, "↗") : null,
      ),
      el("p", { className: "related-excerpt", text: excerpt(hit.text), attrs: { lang: languageTag(hit.language) } }),
    );
  });
  return el(
    "section",
    { className: "related", attrs: { "aria-label": t("related") }, dataset: { i18nLabel: "related" } },
    el("h3", { text: t("related"), dataset: { i18n: "related" } }),
    el("p", { className: "related-hint", text: t("relatedHint"), dataset: { i18n: "relatedHint" } }),
    el("ul", {}, ...items),
  );
}

function languageTag(language) {
  return language && language !== "other" ? language : undefined;
}

function clamp(value, low, high) {
  return Math.min(Math.max(value, low), high);
}

/**
 * The passage text as nodes, the cited span in a <mark>. Offsets are the service's (Unicode code points in the
 * document), so the text is sliced by code point, not by UTF-16 unit.
 */
export function passageNodes(citation) {
  const chars = Array.from(citation.text || "");
  const base = citation.passage_start;
  if (![base, citation.start, citation.end].every(Number.isInteger)) return [document.createTextNode(chars.join(""))];
  const from = clamp(citation.start - base, 0, chars.length);
  const to = clamp(citation.end - base, 0, chars.length);
  if (to <= from) return [document.createTextNode(chars.join(""))];
  return [
    document.createTextNode(chars.slice(0, from).join("")),
    el("mark", { text: chars.slice(from, to).join("") }),
    document.createTextNode(chars.slice(to).join("")),
  ];
}

/** Fill the citation dialog's parts for one citation (or, with `related`, one related passage: no number). */
export function fillCitation(parts, citation, { related = false } = {}) {
  parts.number.textContent = related ? t("relatedOne") : `[${citation.n}]`;
  parts.title.textContent = citation.title || citation.document_id || t("untitled");
  parts.section.textContent = citation.section || "";
  parts.section.hidden = !citation.section;
  parts.source.replaceChildren(citation.source ? sourceLink(citation.source, t("openSource")) : "");
  parts.source.hidden = !citation.source;
  parts.warning.textContent = citation.supported === false ? t("unsupported") : "";
  parts.warning.hidden = citation.supported !== false;
  parts.text.replaceChildren(...passageNodes(citation));
  parts.text.lang = citation.language && citation.language !== "other" ? citation.language : "";
}

/** Three bouncing dots and a status line for an answer that has not started. */
export function statusLine(text, busy) {
  const line = el("p", { className: busy ? "status busy" : "status" });
  if (busy) line.append(el("span", { className: "dots", attrs: { "aria-hidden": "true" } }, el("i"), el("i"), el("i")));
  line.append(el("span", { text }));
  return line;
}
