// Interface strings in Korean, Traditional and Simplified Chinese and English; the choice is kept in localStorage.

const STORAGE_KEY = "assistant.uiLanguage";

export const LANGUAGES = [
  ["ko", "한국어"],
  ["zh-Hant", "繁體中文"],
  ["zh-Hans", "简体中文"],
  ["en", "English"],
];

const STRINGS = {
  en: {
    appTitle: "Document assistant",
    newConversation: "New conversation",
    conversations: "Conversations",
    noConversations: "No conversations yet.",
    toggleSidebar: "Show or hide the conversation list",
    languageLabel: "Interface language",
    inputLabel: "Your question",
    placeholder: "Ask about your documents (Enter sends, Shift+Enter adds a line)",
    placeholderTouch: "Ask about your documents",
    send: "Send",
    stop: "Stop",
    welcomeTitle: "Ask about your Korean and Chinese documents",
    welcomeText: "Answers quote the documents; click a numbered source to see the passage it comes from.",
    samplesTitle: "Try one of these",
    you: "You",
    assistant: "Assistant",
    waiting: "Searching the documents…",
    streaming: "Writing the answer…",
    stopped: "Stopped. Your question is back in the box if you want to ask again.",
    fallback: "The language model failed{reason}, so this answer was extracted from the documents instead.",
    reason: " ({reason})",
    noPassages: "No relevant passages were found in the documents.",
    ungrounded: "Some sentences could not be checked against the cited passages.",
    errorServer: "The server could not answer: {message}",
    errorNetwork: "The server could not be reached. Check the connection and try again.",
    retryHint: "Your question is still in the box; press Enter to try again.",
    sources: "Sources",
    shortAnswer: "Answer",
    related: "Related documents",
    relatedOne: "Related document",
    relatedHint: "Not sources: these passages come closest to the question but do not answer it.",
    openRelated: "Show the related passage: {title}",
    copy: "Copy answer",
    copied: "Copied",
    copyFailed: "Could not copy",
    helpful: "Helpful",
    notHelpful: "Not helpful",
    feedbackFailed: "Feedback was not saved: {message}",
    openCitation: "Show source {n}",
    unsupported: "This passage may not support the sentence",
    close: "Close",
    openSource: "Open the original",
    section: "Section",
    keyTitle: "API key needed",
    keyText: "This service asks for an API key. It is kept in this browser only.",
    keyLabel: "API key",
    keySave: "Save",
    keyCancel: "Cancel",
    keyRejected: "That key was refused. Check it and try again.",
    keyMissing: "An API key is needed to use this service.",
    turns: "{n} questions",
    loadFailed: "The conversation could not be loaded: {message}",
    untitled: "(untitled)",
  },
  ko: {
    appTitle: "문서 도우미",
    newConversation: "새 대화",
    conversations: "대화 목록",
    noConversations: "아직 대화가 없습니다.",
    toggleSidebar: "대화 목록 보이기/숨기기",
    languageLabel: "화면 언어",
    inputLabel: "질문",
    placeholder: "문서에 대해 질문하세요 (Enter: 보내기, Shift+Enter: 줄바꿈)",
    placeholderTouch: "문서에 대해 질문하세요",
    send: "보내기",
    stop: "중지",
    welcomeTitle: "한국어·중국어 문서에 대해 물어보세요",
    welcomeText: "답변은 문서를 인용합니다. 번호가 붙은 출처를 누르면 근거 문단을 볼 수 있습니다.",
    samplesTitle: "이런 질문을 해 보세요",
    you: "나",
    assistant: "도우미",
    waiting: "문서를 찾는 중…",
    streaming: "답변을 쓰는 중…",
    stopped: "중지했습니다. 다시 물어보시려면 질문이 입력창에 그대로 있습니다.",
    fallback: "언어 모델이 실패하여{reason} 문서에서 추출한 답변을 대신 보여 드립니다.",
    reason: " ({reason})",
    noPassages: "문서에서 관련 문단을 찾지 못했습니다.",
    ungrounded: "일부 문장은 인용한 문단으로 확인하지 못했습니다.",
    errorServer: "서버가 답하지 못했습니다: {message}",
    errorNetwork: "서버에 연결할 수 없습니다. 연결을 확인하고 다시 시도하세요.",
    retryHint: "질문이 입력창에 그대로 있습니다. Enter를 눌러 다시 시도하세요.",
    sources: "출처",
    shortAnswer: "답",
    related: "관련 문서",
    relatedOne: "관련 문서",
    relatedHint: "출처가 아닙니다. 질문과 가장 가까운 문단이지만 답은 들어 있지 않습니다.",
    openRelated: "관련 문단 보기: {title}",
    copy: "답변 복사",
    copied: "복사했습니다",
    copyFailed: "복사하지 못했습니다",
    helpful: "도움이 됨",
    notHelpful: "도움이 안 됨",
    feedbackFailed: "평가를 저장하지 못했습니다: {message}",
    openCitation: "출처 {n} 보기",
    unsupported: "이 문단이 문장을 뒷받침하지 않을 수 있습니다",
    close: "닫기",
    openSource: "원문 열기",
    section: "절",
    keyTitle: "API 키가 필요합니다",
    keyText: "이 서비스는 API 키를 요구합니다. 키는 이 브라우저에만 저장됩니다.",
    keyLabel: "API 키",
    keySave: "저장",
    keyCancel: "취소",
    keyRejected: "키가 거부되었습니다. 확인 후 다시 입력하세요.",
    keyMissing: "이 서비스를 쓰려면 API 키가 필요합니다.",
    turns: "질문 {n}개",
    loadFailed: "대화를 불러오지 못했습니다: {message}",
    untitled: "(제목 없음)",
  },
  "zh-Hant": {
    appTitle: "文件助理",
    newConversation: "新對話",
    conversations: "對話紀錄",
    noConversations: "還沒有對話。",
    toggleSidebar: "顯示或隱藏對話紀錄",
    languageLabel: "介面語言",
    inputLabel: "您的問題",
    placeholder: "詢問文件內容（Enter 送出，Shift+Enter 換行）",
    placeholderTouch: "詢問文件內容",
    send: "送出",
    stop: "停止",
    welcomeTitle: "詢問您的韓文與中文文件",
    welcomeText: "答案會引用文件；點選編號來源即可查看出處段落。",
    samplesTitle: "試試這些問題",
    you: "您",
    assistant: "助理",
    waiting: "正在搜尋文件…",
    streaming: "正在撰寫答案…",
    stopped: "已停止。問題仍在輸入框中，可以再問一次。",
    fallback: "語言模型失敗{reason}，以下答案改為從文件中擷取。",
    reason: "（{reason}）",
    noPassages: "文件中找不到相關段落。",
    ungrounded: "部分句子無法以引用的段落核對。",
    errorServer: "伺服器無法回答：{message}",
    errorNetwork: "無法連線到伺服器。請檢查連線後再試一次。",
    retryHint: "問題仍在輸入框中，按 Enter 即可重試。",
    sources: "來源",
    shortAnswer: "答案",
    related: "相關文件",
    relatedOne: "相關文件",
    relatedHint: "這些不是來源：以下段落與問題最接近，但沒有回答問題。",
    openRelated: "查看相關段落：{title}",
    copy: "複製答案",
    copied: "已複製",
    copyFailed: "無法複製",
    helpful: "有幫助",
    notHelpful: "沒有幫助",
    feedbackFailed: "評價未儲存：{message}",
    openCitation: "查看來源 {n}",
    unsupported: "此段落可能無法支持這個句子",
    close: "關閉",
    openSource: "開啟原文",
    section: "章節",
    keyTitle: "需要 API 金鑰",
    keyText: "此服務需要 API 金鑰，金鑰只會保存在這個瀏覽器中。",
    keyLabel: "API 金鑰",
    keySave: "儲存",
    keyCancel: "取消",
    keyRejected: "金鑰遭拒，請檢查後再試。",
    keyMissing: "使用此服務需要 API 金鑰。",
    turns: "{n} 個問題",
    loadFailed: "無法載入對話：{message}",
    untitled: "（無標題）",
  },
  "zh-Hans": {
    appTitle: "文档助理",
    newConversation: "新对话",
    conversations: "对话记录",
    noConversations: "还没有对话。",
    toggleSidebar: "显示或隐藏对话记录",
    languageLabel: "界面语言",
    inputLabel: "您的问题",
    placeholder: "询问文档内容（Enter 发送，Shift+Enter 换行）",
    placeholderTouch: "询问文档内容",
    send: "发送",
    stop: "停止",
    welcomeTitle: "询问您的韩文和中文文档",
    welcomeText: "答案会引用文档；点击编号来源即可查看出处段落。",
    samplesTitle: "试试这些问题",
    you: "您",
    assistant: "助理",
    waiting: "正在搜索文档…",
    streaming: "正在撰写答案…",
    stopped: "已停止。问题仍在输入框中，可以再问一次。",
    fallback: "语言模型失败{reason}，以下答案改为从文档中提取。",
    reason: "（{reason}）",
    noPassages: "文档中找不到相关段落。",
    ungrounded: "部分句子无法用引用的段落核对。",
    errorServer: "服务器无法回答：{message}",
    errorNetwork: "无法连接到服务器。请检查连接后再试一次。",
    retryHint: "问题仍在输入框中，按 Enter 即可重试。",
    sources: "来源",
    shortAnswer: "答案",
    related: "相关文件",
    relatedOne: "相关文件",
    relatedHint: "这些不是来源：以下段落与问题最接近，但没有回答问题。",
    openRelated: "查看相关段落：{title}",
    copy: "复制答案",
    copied: "已复制",
    copyFailed: "无法复制",
    helpful: "有帮助",
    notHelpful: "没有帮助",
    feedbackFailed: "评价未保存：{message}",
    openCitation: "查看来源 {n}",
    unsupported: "此段落可能无法支持这个句子",
    close: "关闭",
    openSource: "打开原文",
    section: "章节",
    keyTitle: "需要 API 密钥",
    keyText: "此服务需要 API 密钥，密钥只会保存在这个浏览器中。",
    keyLabel: "API 密钥",
    keySave: "保存",
    keyCancel: "取消",
    keyRejected: "密钥被拒绝，请检查后再试。",
    keyMissing: "使用此服务需要 API 密钥。",
    turns: "{n} 个问题",
    loadFailed: "无法加载对话：{message}",
    untitled: "（无标题）",
  },
};

let current = "en";

/** The interface language for a BCP 47 tag, or null when we have none for it. */
export function matchLanguage(tag) {
  const lower = String(tag || "").toLowerCase();
  if (lower.startsWith("ko")) return "ko";
  if (lower.startsWith("zh")) return /hant|-tw|-hk|-mo/.test(lower) ? "zh-Hant" : "zh-Hans";
  if (lower.startsWith("en")) return "en";
  return null;
}

/** The saved choice, else the browser's first language we speak, else English. */
export function initialLanguage() {
  let saved = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    saved = null;
  }
  if (saved && STRINGS[saved]) return saved;
  const preferred = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
  for (const tag of preferred) {
    const found = matchLanguage(tag);
    if (found) return found;
  }
  return "en";
}

export function currentLanguage() {
  return current;
}

/** The string `key` in the interface language with `{name}` placeholders filled. */
export function t(key, vars = {}) {
  const text = (STRINGS[current] && STRINGS[current][key]) || STRINGS.en[key] || key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** Switch the interface language, remember it, and relabel every element that asks for a string. */
export function setLanguage(language, root = document) {
  current = STRINGS[language] ? language : "en";
  try {
    localStorage.setItem(STORAGE_KEY, current);
  } catch {
    // private mode: the choice lasts for this page only
  }
  document.documentElement.lang = current;
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nLabel));
    if (node.hasAttribute("title")) node.setAttribute("title", t(node.dataset.i18nLabel));
  }
  // keyboard hints (Enter sends…) only where a keyboard is likely: not on touch-only screens
  const touchOnly = window.matchMedia && window.matchMedia("(hover: none) and (pointer: coarse)").matches;
  for (const node of root.querySelectorAll("[data-i18n-placeholder]")) {
    const key = node.dataset.i18nPlaceholder;
    node.setAttribute("placeholder", t(touchOnly && STRINGS.en[key + "Touch"] ? key + "Touch" : key));
  }
  document.title = t("appTitle");
}
