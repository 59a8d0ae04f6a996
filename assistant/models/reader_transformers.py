"""A ``PhraseReader`` that runs an extractive question-answering model from a local folder (never downloaded).

Each candidate sentence is paired with the question in one batch; the best span of at most ``MAX_SPAN_TOKENS``
tokens inside each sentence is mapped back to characters through the tokenizer's offsets, trimmed of surrounding
whitespace and punctuation, and the highest-scoring one over the sentences is the phrase.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from ..answering.readers import Phrase
from ..errors import ConfigurationError, MissingDependencyError
from ..records import Language

MAX_SENTENCES = 5
MAX_SPAN_TOKENS = 30
CANDIDATE_SPANS = 20  # best token spans tried per sentence before giving up on it (all may trim to nothing)
MAX_LENGTH = 512
KEEP_AT_EDGES = frozenset("%‰‱#&@*-")  # punctuation that belongs to an answer ("30%", "-5")
SETTING = "ASSISTANT_ANSWER__READER_MODEL"


class TransformersReader:
    """Picks the answering phrase with a local Hugging Face extractive question-answering model."""

    def __init__(self, model: str, device: str = "cpu") -> None:
        try:
            import torch
            from transformers import AutoModelForQuestionAnswering, AutoTokenizer
        except ImportError as error:
            raise MissingDependencyError("transformers", "st", "The 'transformers' reader") from error
        if not model.strip():
            raise ConfigurationError(
                f"The 'transformers' reader needs a model. Set {SETTING} to the folder of an extractive "
                "question-answering model, or set ASSISTANT_ANSWER__READER=rules."
            )
        folder = Path(model).expanduser()
        if not folder.is_dir():
            raise ConfigurationError(
                f"The reader model folder '{model}' does not exist. Set {SETTING} to the local folder of an "
                "extractive question-answering model (it is never downloaded)."
            )
        self.id = f"transformers:{folder.resolve().name}"
        try:
            self._tokenizer: Any = AutoTokenizer.from_pretrained(folder, local_files_only=True)
            dtype = torch.float32 if device == "cpu" else "auto"
            loaded = AutoModelForQuestionAnswering.from_pretrained(folder, local_files_only=True, dtype=dtype)
        except (OSError, ValueError, KeyError) as error:
            raise ConfigurationError(
                f"The reader model in '{model}' cannot be loaded ({type(error).__name__}: {error}). Set {SETTING} "
                "to a folder holding an extractive question-answering model and its tokenizer."
            ) from error
        if not getattr(self._tokenizer, "is_fast", False):
            raise ConfigurationError(
                f"The reader model in '{model}' has no fast tokenizer (tokenizer.json), which the reader needs for "
                f"character offsets. Set {SETTING} to a model folder that has one."
            )
        try:
            self._model: Any = cast(Any, loaded).to(device).eval()
        except (RuntimeError, AssertionError) as error:
            raise ConfigurationError(
                f"Cannot put the reader model on device '{device}' ({error}). Set ASSISTANT_ANSWER__READER_DEVICE=cpu."
            ) from error
        limits = (self._tokenizer.model_max_length, getattr(self._model.config, "max_position_embeddings", None))
        self._max_length = min([MAX_LENGTH, *(limit for limit in limits if isinstance(limit, int) and limit > 0)])
        self._lock = threading.Lock()

    def read(self, question: str, sentences: Sequence[str], language: Language) -> Phrase | None:
        """The best answering phrase in the first few sentences, or None when none holds a span."""
        indices = [index for index, sentence in enumerate(sentences[:MAX_SENTENCES]) if sentence.strip()]
        if not question.strip() or not indices:
            return None
        import torch

        with self._lock, torch.inference_mode():
            encoding = self._tokenizer(
                [question] * len(indices),
                [sentences[index] for index in indices],
                truncation="longest_first",
                max_length=self._max_length,
                padding=True,
                return_offsets_mapping=True,
                return_tensors="pt",
            )
            offsets = encoding.pop("offset_mapping").tolist()
            inputs = {key: value.to(self._model.device) for key, value in encoding.items()}
            output = self._model(**inputs)
            starts = output.start_logits.float().cpu()
            ends = output.end_logits.float().cpu()
        best: Phrase | None = None
        for row, index in enumerate(indices):
            context = [position for position, part in enumerate(encoding.sequence_ids(row)) if part == 1]
            phrase = _best_span(sentences[index], index, context, offsets[row], starts[row], ends[row])
            if phrase is not None and (best is None or phrase.score > best.score):
                best = phrase
        return best


def _best_span(
    sentence: str, index: int, context: list[int], offsets: list[list[int]], starts: Any, ends: Any
) -> Phrase | None:
    """The highest-scoring span of context tokens that still holds text once trimmed."""
    import torch

    if not context:
        return None
    # Normalised over the context and the first token, where SQuAD 2.0-style models put "no answer".
    positions = torch.tensor([0, *context])
    start_probs = torch.softmax(starts[positions], dim=0)[1:]
    end_probs = torch.softmax(ends[positions], dim=0)[1:]
    scores = start_probs[:, None] * end_probs[None, :]
    width = torch.arange(len(context))
    gap = width[None, :] - width[:, None]
    scores = scores.masked_fill((gap < 0) | (gap >= MAX_SPAN_TOKENS), -1.0)
    flat = scores.flatten()
    top = torch.topk(flat, min(CANDIDATE_SPANS, flat.numel()))
    for score, cell in zip(top.values.tolist(), top.indices.tolist(), strict=True):
        if score < 0:
            break
        first, last = divmod(cell, len(context))
        start, end = _trim(sentence, offsets[context[first]][0], offsets[context[last]][1])
        if start < end:
            return Phrase(text=sentence[start:end], sentence=index, start=start, end=end, score=float(score))
    return None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """``start``/``end`` moved inward past whitespace, punctuation, unmatched brackets and enclosing quotes."""
    while True:
        while start < end and _loose(text[start], text[start:end], at_start=True):
            start += 1
        while start < end and _loose(text[end - 1], text[start:end], at_start=False):
            end -= 1
        if not _enclosed(text[start:end]):
            return start, end
        start, end = start + 1, end - 1


def _enclosed(span: str) -> bool:
    """Whether the span's first bracket closes at its last character: 「서울시」, not (주)삼성(주)."""
    depth = 0
    for position, char in enumerate(span):
        depth += {"Ps": 1, "Pe": -1}.get(unicodedata.category(char), 0)
        if depth <= 0:
            return position == len(span) - 1 and position > 0
    return False


def _loose(char: str, span: str, at_start: bool) -> bool:
    """Whether ``char`` at an edge of ``span`` is not part of the answer."""
    if char.isspace():
        return True
    category = unicodedata.category(char)
    if not category.startswith("P") or char in KEEP_AT_EDGES:
        return False
    opens = sum(unicodedata.category(c) == "Ps" for c in span)
    closes = sum(unicodedata.category(c) == "Pe" for c in span)
    if category == "Ps":  # an opening bracket stays at the start when its closer is in the span
        return not at_start or opens > closes
    if category == "Pe":
        return at_start or closes > opens
    return True
