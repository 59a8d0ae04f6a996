"""Editable prompt templates per answer language, and the fenced, budgeted prompt built from them.

The templates ship inside the package (``assistant/prompts/``). A user's folder overrides them file by file:
``answer.prompts_dir`` (``ASSISTANT_ANSWER__PROMPTS_DIR``) when set, else a ``prompts/`` folder in the current
folder when there is one; every template that folder lacks comes from the package.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from ..errors import ConfigurationError
from ..languages import CHINESE, same_language
from ..models.base import ChatMessage
from ..records import Hit, Language, Turn

log = logging.getLogger(__name__)

PACKAGED: Traversable = resources.files("assistant") / "prompts"  # the default templates, shipped in the package
CURRENT_FOLDER = Path("prompts")  # overrides read from the current folder when no folder is configured
TEMPLATE_FILES = ("system", "answer", "rewrite", "not_found", "quoted")
FOLDERS = {
    Language.KOREAN: "ko",
    Language.TRADITIONAL: "zh-Hant",
    Language.SIMPLIFIED: "zh-Hans",
    Language.OTHER: "en",
}
# A fence tag however it is written: spaces or invisible characters inside, fullwidth or small forms of "<", "/"
# and the letters (matched on a same-length ASCII folding of the text).
_FENCE = re.compile(r"<[\s\u200b-\u200d\u2060\ufeff]*(/?)[\s\u200b-\u200d\u2060\ufeff]*passage", re.IGNORECASE)
_ASCII_FORMS = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0xFE64: ord("<"), 0x2215: ord("/")}
_HISTORY_LABELS = {
    Language.KOREAN: ("이전 질문", "이전 답변", "이전 대화"),
    Language.TRADITIONAL: ("先前的問題", "先前的回答", "先前的對話"),
    Language.SIMPLIFIED: ("之前的问题", "之前的回答", "之前的对话"),
    Language.OTHER: ("Earlier question", "Earlier answer", "Earlier conversation"),
}

# Document languages (Korean, Chinese in either script, anything else) as each answer language names them.
_LANGUAGE_NAMES = {
    Language.KOREAN: ("한국어", "중국어", "외국어", "·"),
    Language.TRADITIONAL: ("韓文", "中文", "外文", "、"),
    Language.SIMPLIFIED: ("韩文", "中文", "外文", "、"),
    Language.OTHER: ("Korean", "Chinese", "other", " and "),
}


@dataclass(frozen=True, slots=True)
class PromptSet:
    """The templates of one language."""

    language: Language
    system: str
    answer: str
    rewrite: str
    not_found: str
    quoted: str  # the line before an extractive answer quoting documents in another language than the question's


def render(template: str, **values: str) -> str:
    """Fill ``{name}`` placeholders; any other brace in the template stays as written."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def quoted_line(template: str, answer: Language, quoted: Iterable[Language]) -> str:
    """The quoted-language line (``quoted.txt``) naming, in the answer's language, the languages of the quoted
    sentences that are not the answer's (``{languages}``); empty when every quoted sentence is in its language."""
    names = _LANGUAGE_NAMES[answer]
    foreign = sorted({_kind(language) for language in quoted if not same_language(language, answer)})
    if not foreign:
        return ""
    return render(template, languages=names[3].join(names[i] for i in foreign))


def _kind(language: Language) -> int:
    return 0 if language is Language.KOREAN else 1 if language in CHINESE else 2


def fence(text: str) -> str:
    """Neutralise passage fences inside document text, so a document cannot end its own fence."""
    folded = text.translate(_ASCII_FORMS)  # same length as the text: offsets carry over
    parts: list[str] = []
    last = 0
    for match in _FENCE.finditer(folded):
        parts.append(text[last : match.start()])
        parts.append(f"&lt;{match.group(1)}passage")
        last = match.end()
    parts.append(text[last:])
    return "".join(parts)


def _attribute(value: str) -> str:
    return fence(value).replace('"', "&quot;").replace("\n", " ")


def render_passages(hits: Sequence[Hit], budget: int) -> str:
    """Number and fence the passages, in order, until ``budget`` characters of passage text are used."""
    blocks: list[str] = []
    left = budget
    for n, hit in enumerate(hits, start=1):
        if left <= 0:
            break
        passage = hit.passage
        text = passage.text if len(passage.text) <= left else passage.text[:left] + "…"
        left -= len(passage.text)
        head = f'<passage n="{n}" title="{_attribute(passage.title)}" source="{_attribute(passage.source)}">'
        blocks.append(f"{head}\n{fence(text)}\n</passage>")
    return "\n".join(blocks)


def render_history(turns: Sequence[Turn], language: Language, budget: int) -> str:
    """The most recent turns that fit in ``budget`` characters, oldest first, labelled in ``language``."""
    question_label, answer_label, _ = _HISTORY_LABELS[language]
    lines: list[str] = []
    used = 0
    for turn in reversed(turns):
        block = f"{question_label}: {turn.question}\n{answer_label}: {turn.answer}"
        if used + len(block) > budget:
            break
        lines.insert(0, block)
        used += len(block)
    return "\n".join(lines)


def user_folder(configured: Path | None) -> Path | None:
    """The folder whose templates override the packaged ones: the configured one (which must exist), else
    ``prompts/`` in the current folder when there is one, else none."""
    if configured is None:
        return CURRENT_FOLDER if CURRENT_FOLDER.is_dir() else None
    if not configured.is_dir():
        raise ConfigurationError(
            f"The prompts folder '{configured}' (ASSISTANT_ANSWER__PROMPTS_DIR) is not a folder. Point it at a "
            "folder holding the templates you changed (e.g. ko/system.txt), or unset it to use the packaged ones."
        )
    return configured


class PromptLibrary:
    """All prompt sets, read once: the packaged templates, each overridden by the user folder's copy if it has one."""

    def __init__(self, folder: Path | None = None) -> None:
        """``folder``: the user folder (see ``user_folder``); ``None`` reads the packaged templates alone."""
        self.folder = folder
        self.overrides: list[Path] = []  # the user's files in use
        self._sets = {language: self._read(language, name) for language, name in FOLDERS.items()}
        if folder is not None:
            self._warn_about_strays(folder)
            log.info("prompt templates: %d of the packaged ones overridden from %s", len(self.overrides), folder)

    @classmethod
    def from_settings(cls, configured: Path | None) -> PromptLibrary:
        """The library for ``answer.prompts_dir``."""
        return cls(user_folder(configured))

    def _read(self, language: Language, name: str) -> PromptSet:
        texts = {}
        for template in TEMPLATE_FILES:
            own = self.folder / name / f"{template}.txt" if self.folder is not None else None
            if own is not None and own.is_file():
                texts[template] = _read_text(own, "Fix the file or delete it to use the packaged template.")
                self.overrides.append(own)
            else:
                texts[template] = _read_text(
                    PACKAGED / name / f"{template}.txt", "The installed package is incomplete: reinstall it."
                )
        return PromptSet(language=language, **texts)

    def _warn_about_strays(self, folder: Path) -> None:
        known = {(name, template) for name in FOLDERS.values() for template in TEMPLATE_FILES}
        strays = [path for path in folder.glob("*/*.txt") if (path.parent.name, path.stem) not in known]
        if strays:
            log.warning(
                "prompt files not used (the templates are %s.txt in the folders %s): %s",
                "/".join(TEMPLATE_FILES), ", ".join(FOLDERS.values()), ", ".join(map(str, sorted(strays))),
            )  # fmt: skip

    def fingerprint(self) -> str:
        """A hash of every template in use, packaged or overridden."""
        digest = hashlib.sha256()
        for language in FOLDERS:
            for part in astuple(self._sets[language]):
                digest.update(f"{part}\x00".encode())
        return digest.hexdigest()

    def for_language(self, language: Language) -> PromptSet:
        """The prompt set for an answer language."""
        return self._sets[language]

    def answer_messages(
        self,
        question: str,
        hits: Sequence[Hit],
        history: Sequence[Turn],
        language: Language,
        *,
        context_chars: int,
        history_chars: int,
    ) -> list[ChatMessage]:
        """System and user messages asking for a cited answer from the numbered passages."""
        prompts = self.for_language(language)
        history_text = render_history(history, language, history_chars)
        if history_text:
            history_text = f"{_HISTORY_LABELS[language][2]}:\n{history_text}\n\n"
        user = render(
            prompts.answer,
            passages=render_passages(hits, context_chars),
            history=history_text,
            question=question,
        )
        return [ChatMessage("system", prompts.system), ChatMessage("user", user)]

    def rewrite_messages(
        self, question: str, history: Sequence[Turn], language: Language, *, history_chars: int
    ) -> list[ChatMessage]:
        """A single user message asking the model for a standalone version of a follow-up question."""
        prompts = self.for_language(language)
        history_text = render_history(history, language, history_chars)
        return [ChatMessage("user", render(prompts.rewrite, history=history_text, question=question))]


def _read_text(path: Path | Traversable, fix: str) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ConfigurationError(f"Prompt template {path} cannot be read ({reason}). {fix}") from error
