"""Follow-up questions ("그럼 예산은?", "那首爾呢？") turned into standalone search queries.

With a language model, the rewrite prompt asks it for the standalone question. Without one (or when the
call fails), a rule carries the previous turn's key terms into the new query: a follow-up names only
what changes, so what it leaves out is what the last question was about.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..languages import to_traditional
from ..records import Language, Turn
from ..text.questions import is_query_filler
from ..text.tokenizers import TOKENIZERS

# Openers, endings and references ("this sum") that mark a question as leaning on the one before it.
_CUES = re.compile(
    r"^\s*(그럼|그러면|그렇다면|그건|그거|그것|그곳|거기|이건|이거|그리고|또|또한|그\s|那|那麼|那么|那麽|它|还有|還有|另外|此外|其)"
    r"|(呢|呢？|呢\?)\s*$|^\s*(what|how) about\b|^\s*and\b"
    r"|這筆|这笔|這個|这个|該項|该项",  # "this sum", "this one", "that item": what the last turn named
    re.IGNORECASE,
)
# Korean question and function words, Chinese follow-up openers, English question words: no topic in them.
# Chinese question and function words come from ``text.questions`` (the words retrieval blanks out too).
_NO_TOPIC = frozenset(
    "무엇 뭐 뭔가 얼마 얼마나 어디 누구 언제 어떻 어떤 어느 왜 몇 그럼 그러면 그렇 그것 그거 이것 이거 알리 말하"  # noqa: SIM905
    " 하 있 없 되 이 그 저 것 수 등 때"
    " 那么 这个 那个 还有 另外 请问"
    " what how which who when where why the a an is are of about".split()
)
_SHORT = 12


def looks_like_follow_up(question: str) -> bool:
    """Whether a question probably depends on the conversation before it."""
    compact = re.sub(r"\s+", "", question)
    return bool(_CUES.search(question)) or len(compact) <= _SHORT // 2


def key_terms(text: str) -> list[str]:
    """Topic terms of a question, in order, without question words; Chinese comes out Simplified."""
    terms = TOKENIZERS.create("morphemes").tokenize([text])[0]
    seen: set[str] = set()
    keep: list[str] = []
    for term in terms:
        if term in _NO_TOPIC or is_query_filler(term) or term in seen:
            continue
        seen.add(term)
        keep.append(term)
    return keep


def carry_terms(question: str, history: Sequence[Turn], language: Language) -> str:
    """The rule-based standalone query: the question plus the previous query's topic terms it lacks."""
    if not history or not looks_like_follow_up(question):
        return question
    present = set(key_terms(question))
    carried = [term for term in key_terms(history[-1].query or history[-1].question) if term not in present]
    if not carried:
        return question
    words = " ".join(carried)
    if language is Language.TRADITIONAL:
        words = to_traditional(words)
    return f"{words} {question.strip()}"


def clean_rewrite(text: str, question: str) -> str | None:
    """The first line of a model's rewrite, or ``None`` when it is empty or implausibly long."""
    line = next((line.strip() for line in text.strip().splitlines() if line.strip()), "")
    line = re.sub(r"^[\"'“「『]|[\"'”」』]$", "", line).strip()
    if not line or len(line) > 3 * len(question) + 200:
        return None
    return line
