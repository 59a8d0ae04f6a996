// A small Markdown subset for answers, built as DOM nodes (never innerHTML), so HTML in a document or a model's
// answer ("<img onerror=…>") shows as text. Blocks: paragraphs (line breaks kept), headings, bullet and numbered
// lists, fenced code, tables, block quotes. Inline: `code`, **bold**, *italic*, http(s) links. Text outside code
// goes through `inline(text)`, which turns citation markers into chips. Written here because the page loads no
// third-party script (no CDN, a strict CSP) and needs only this much; it is tolerant of half-streamed input.

const FENCE = /^\s*(```|~~~)/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s*[-*+•·]\s+(.*)$/;
const NUMBERED = /^\s*(\d{1,3})[.)]\s+(.*)$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const TABLE_ROW = /^\s*\|.*\|\s*$/;
const TABLE_RULE = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;
// `code`, **bold**, __bold__, *italic* (not around spaces, so "2 * 3" stays), [label](http…)
const INLINE = /(`+)([^`]|[^`][\s\S]*?[^`])\1|\*\*(?=\S)([\s\S]*?\S)\*\*|__(?=\S)([\s\S]*?\S)__|\*(?=[^\s*])([^*]*?[^\s*])\*|\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g;

function node(tag, className, children = []) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  element.append(...children);
  return element;
}

/** Inline Markdown in `text` as nodes; plain runs go through `inline`. */
export function inlineNodes(text, inline) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) nodes.push(...inline(text.slice(last, match.index)));
    const [, ticks, code, bold, boldUnder, italic, label, href] = match;
    if (ticks) nodes.push(node("code", "", [code]));
    else if (bold || boldUnder) nodes.push(node("strong", "", inlineNodes(bold || boldUnder, inline)));
    else if (italic) nodes.push(node("em", "", inlineNodes(italic, inline)));
    else {
      const link = node("a", "", inlineNodes(label, inline));
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      nodes.push(link);
    }
    last = match.index + match[0].length;
  }
  if (last < text.length) nodes.push(...inline(text.slice(last)));
  return nodes;
}

function lines(text, inline) {
  const nodes = [];
  text.split("\n").forEach((line, index) => {
    if (index) nodes.push(document.createElement("br"));
    nodes.push(...inlineNodes(line, inline));
  });
  return nodes;
}

function cells(row) {
  return row.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((cell) => cell.trim());
}

function table(rows, inline) {
  const [head, , ...body] = rows;
  const headRow = node("tr", "", cells(head).map((cell) => node("th", "", inlineNodes(cell, inline))));
  const bodyRows = body.map((row) => node("tr", "", cells(row).map((cell) => node("td", "", inlineNodes(cell, inline)))));
  return node("div", "md-table", [node("table", "", [node("thead", "", [headRow]), node("tbody", "", bodyRows)])]);
}

/** `text` as block nodes (paragraphs, lists, code, tables, quotes, headings). */
export function markdownNodes(text, inline) {
  const source = String(text || "").replace(/\r\n?/g, "\n").split("\n");
  const blocks = [];
  let paragraph = [];
  const flush = () => {
    if (paragraph.length) blocks.push(node("p", "", lines(paragraph.join("\n"), inline)));
    paragraph = [];
  };
  for (let i = 0; i < source.length; i += 1) {
    const line = source[i];
    if (FENCE.test(line)) {
      flush();
      const fence = line.trim().slice(0, 3);
      const code = [];
      for (i += 1; i < source.length && !source[i].trim().startsWith(fence); i += 1) code.push(source[i]);
      blocks.push(node("pre", "", [node("code", "", [code.join("\n")])]));
    } else if (TABLE_ROW.test(line) && TABLE_RULE.test(source[i + 1] || "") && line.includes("|", 1)) {
      flush();
      const rows = [line, source[i + 1]];
      for (i += 2; i < source.length && TABLE_ROW.test(source[i]); i += 1) rows.push(source[i]);
      i -= 1;
      blocks.push(table(rows, inline));
    } else if (BULLET.test(line) || NUMBERED.test(line)) {
      flush();
      const numbered = !BULLET.test(line);
      const pattern = numbered ? NUMBERED : BULLET;
      const list = node(numbered ? "ol" : "ul");
      if (numbered && Number(line.match(NUMBERED)[1]) !== 1) list.start = Number(line.match(NUMBERED)[1]);
      for (; i < source.length && pattern.test(source[i]); i += 1) {
        const match = source[i].match(pattern);
        list.append(node("li", "", inlineNodes(numbered ? match[2] : match[1], inline)));
      }
      i -= 1;
      blocks.push(list);
    } else if (QUOTE.test(line)) {
      flush();
      const quoted = [];
      for (; i < source.length && QUOTE.test(source[i]); i += 1) quoted.push(source[i].match(QUOTE)[1]);
      i -= 1;
      blocks.push(node("blockquote", "", lines(quoted.join("\n"), inline)));
    } else if (HEADING.test(line)) {
      flush();
      const [, marks, title] = line.match(HEADING);
      blocks.push(node(marks.length <= 2 ? "h4" : "h5", "md-heading", inlineNodes(title, inline)));
    } else if (!line.trim()) {
      flush();
    } else {
      paragraph.push(line);
    }
  }
  flush();
  return blocks;
}
