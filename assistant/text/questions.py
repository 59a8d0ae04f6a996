"""Query words that say what is asked, not what it is about, blanked out before keyword matching.

A question names its subject ("天城文", "梵語") around words that stand in for the answer (什麼, 哪一年,
誰) and function words (的, 是, 在). Passages hold the answer, not the question word, so those words
only match passages that happen to ask or quote something, and their character pairs ("是哪", "的單")
join unrelated terms. Chinese has no spaces, so the words are found by jieba on each Han run and replaced
with spaces, which also keeps bigrams from spanning them. Korean is left as it is: the morpheme field
keeps content tags only, which already leaves out most question words (무엇, 누구, 어디 are pronouns;
몇, 어느 determiners), and blanking them from the bigram field too made no measurable difference.
"""

from __future__ import annotations

from ..languages import han_runs, normalize
from .morphemes import jieba_words

# Simplified forms (queries are normalised first). Any word starting with 哪 is a question word too.
# fmt: off
QUESTION_WORDS = frozenset({
    "什么", "甚么", "什么样", "啥", "谁", "多少", "为什么", "为何", "如何", "怎么", "怎样", "怎么样",
    "何时", "何处", "何年", "何种", "何人", "何地", "何者", "几", "几个", "几年", "几次", "几种",
    "吗", "呢", "吧", "啊",
})
FUNCTION_WORDS = frozenset({
    "的", "是", "在", "了", "和", "与", "为", "于", "被", "由", "而", "以", "及", "其", "之", "所", "将", "把", "对",
    "从", "到", "着", "过", "也", "都", "就", "又", "还", "并", "或", "有", "会", "曾", "该", "此", "这", "那", "个",
    "一个",
})
# fmt: on


def is_query_filler(word: str) -> bool:
    """Whether a Chinese word asks (什么, 哪一年) or only joins (的, 是) rather than names something."""
    return word in QUESTION_WORDS or word in FUNCTION_WORDS or word.startswith("哪")


def mask_query(query: str) -> str:
    """The normalised query with Chinese question and function words replaced by spaces."""
    normal = normalize(query)
    pieces: list[str] = []
    for is_han, start, end in han_runs(normal):
        run = normal[start:end]
        if is_han:
            pieces.extend(" " * len(word) if is_query_filler(word) else word for word in jieba_words(run))
        else:
            pieces.append(run)
    return "".join(pieces)
