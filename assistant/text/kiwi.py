"""The ``Kiwi`` analysers of the process (building one is expensive): one shared by all users, and one per
user dictionary in force (its words added with ``Kiwi.add_user_word``).

Whether they load kiwi's built-in multi-word dictionary and its default dictionary of proper nouns is one choice
for the whole process (``dictionary.korean_multi_words`` and ``dictionary.korean_default_words``, applied by
``use_multi_words`` and ``use_default_words`` when an index is opened or built): every user of kiwi (terms,
sentence split, phrase rules) must see the same analysis as the index was built with.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from ..languages import normalize
from .dictionaries import UserWord

_lock = threading.Lock()
_multi_words = True  # kiwi's default; see ``use_multi_words``
_default_words = True  # kiwi's default; see ``use_default_words``


def use_multi_words(on: bool) -> None:
    """Make the process's ``Kiwi`` analysers load kiwi's multi-word dictionary (``on``, kiwi's default) or not.

    Without it a ``Kiwi`` builds and warms up about 2 s (CPU) faster and holds about 190 MB less, but analyses
    some multi-word names differently (see the README). Analysers already built for the other choice are kept,
    not rebuilt, should it change back."""
    global _multi_words
    _multi_words = on


def multi_words() -> bool:
    """Whether the process's ``Kiwi`` analysers load kiwi's multi-word dictionary."""
    return _multi_words


def use_default_words(on: bool) -> None:
    """Make the process's ``Kiwi`` analysers load kiwi's default dictionary of proper nouns (``on``, kiwi's
    default: headwords of Wikipedia and Namuwiki) or not.

    Without it a ``Kiwi`` builds about 1.4 s (CPU) faster and holds about 65 MB less, and analyses some names
    differently (see the README). Analysers already built for the other choice are kept, not rebuilt."""
    global _default_words
    _default_words = on


def default_words() -> bool:
    """Whether the process's ``Kiwi`` analysers load kiwi's default dictionary of proper nouns."""
    return _default_words


def shared_kiwi() -> Any:
    """The process-wide ``kiwipiepy.Kiwi`` instance (no user words)."""
    return _shared(_multi_words, _default_words)


def kiwi_with(words: tuple[UserWord, ...]) -> Any:
    """A ``Kiwi`` that knows ``words`` as well (the shared one when there are none); one per dictionary."""
    return _with(words, _multi_words, _default_words) if words else shared_kiwi()


@lru_cache(maxsize=2)
def _shared(multi_words: bool, default_words: bool = True) -> Any:
    return _build((), multi_words, default_words)


@lru_cache(maxsize=4)
def _with(words: tuple[UserWord, ...], multi_words: bool, default_words: bool = True) -> Any:
    return _build(words, multi_words, default_words)


def _build(words: tuple[UserWord, ...], multi_words: bool, default_words: bool = True) -> Any:
    from kiwipiepy import Kiwi

    with _lock:
        kiwi = Kiwi(
            num_workers=min(os.cpu_count() or 1, 8), load_multi_dict=multi_words, load_default_dict=default_words
        )
    for word in words:
        kiwi.add_user_word(normalize(word.word), word.tag or "NNP", word.weight or 0.0)
    return kiwi


def analyse(texts: Sequence[str], words: tuple[UserWord, ...] = ()) -> list[list[Any]]:
    """kiwi's tokens of each text, all texts in one batch (kiwi spreads a batch over its workers)."""
    if not texts:
        return []
    kiwi = kiwi_with(words)
    return list(kiwi.tokenize(texts)) if len(texts) > 1 else [kiwi.tokenize(texts[0])]


def kiwi_version() -> str:
    """The installed kiwipiepy version."""
    import kiwipiepy

    return str(kiwipiepy.__version__)
