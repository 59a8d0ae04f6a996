"""The answer to a Chinese question for another name ("又叫什么", "俗名叫什么", "被称为什么"): the words after the
sentence's own naming word (又名, 也称为, 俗名为, 简称 …), up to the end of the clause.

The noun reader sees a naming sentence as any other and often answers with its subject or a gloss ("ivermectin"
of "伊维菌素（ivermectin）也称为爱获灭"); the name stands right after the naming word, an enumeration of names
("又名扬子陆块、华南陆块、华南克拉通") with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..languages import normalize
from .readers import Phrase

# normalised (Simplified): a question for another name
_ASKS = re.compile(
    r"(?:又|也|亦|俗|别|还|另|被|简|通)被?(?:叫做?|称为?|称作|名为?|译为?|译成|译作)(?:为|是|作)?(?:什么|甚么|何)|"
    r"(?:别名|别称|俗名|简称|俗称|外号|绰号|昵称|又名|通称)(?:为|是|叫)?(?:什么|甚么|何)|(?:称为|称作|叫做)(?:什么|甚么)"
)
# a sentence's naming word: the name follows it
_NAMING = re.compile(
    r"(?:又|也|亦|俗|别|简|通|或|另)被?(?:称为?|称作|名为?|叫做?|译为?|译作|译)|"
    r"(?:俗名|别名|别称|简称|俗称|通称|昵称|外号|绰号)(?:为|是|叫)?|被?称为|称作|叫做|名为"
)
_END = re.compile(r"[，,。；;：:（(）)!！?？]|等")
_EDGE = "\"'“”‘’「」『』 :："
MAX_CHARS = 40
SCORE = 2.0  # as sure as a slot that lines up (phrase_slots.SURE_SLOT)
READ = 3  # the best sentences looked into


def asks_alias(question: str) -> bool:
    """Whether the question asks what else something is called."""
    return bool(_ASKS.search(normalize(question)))


def alias_phrase(question: str, sentences: Sequence[str]) -> Phrase | None:
    """The name after the naming word of the best sentence (of the first ``READ``) that has one, or None."""
    asked = normalize(question)
    for i, sentence in enumerate(sentences[:READ]):
        normal = normalize(sentence)
        if len(normal) != len(sentence):
            continue
        for naming in _NAMING.finditer(normal):
            start = naming.end()
            while start < len(normal) and normal[start] in _EDGE:
                start += 1
            stop = _END.search(normal, start)
            end = stop.start() if stop else len(normal)
            while end > start and normal[end - 1] in _EDGE:
                end -= 1
            name = normal[start:end]
            if 0 < len(name) <= MAX_CHARS and name not in asked:
                return Phrase(sentence[start:end], i, start, end, SCORE - 0.5 * i)
    return None
