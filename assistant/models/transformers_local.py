"""A Hugging Face causal language model run in-process, loaded from local files only (never downloaded).

The prompt is built with the tokenizer's chat template; generation runs in a worker thread and its text reaches
the event loop through a ``TextIteratorStreamer``. One generation runs at a time per model.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import AsyncIterator, Sequence
from typing import Any, cast

from ..errors import (
    ConfigurationError,
    MissingDependencyError,
    ModelResponseError,
    ModelTimeoutError,
    ModelUnavailableError,
)
from ..settings import ModelSettings
from .base import ChatRequest, Chunk, Usage

log = logging.getLogger(__name__)


class StopFilter:
    """Passes streamed text through until a stop string appears, holding back what may be the start of one."""

    def __init__(self, stops: Sequence[str]) -> None:
        self.stops = [stop for stop in stops if stop]
        self.stopped = False
        self._pending = ""

    def feed(self, text: str) -> str:
        """The part of the text seen so far that is certainly before any stop string."""
        if self.stopped:
            return ""
        self._pending += text
        found = [index for stop in self.stops if (index := self._pending.find(stop)) >= 0]
        if found:
            self.stopped = True
            safe, self._pending = self._pending[: min(found)], ""
            return safe
        prefixes = (stop[:n] for stop in self.stops for n in range(1, len(stop)))
        hold = max((len(prefix) for prefix in prefixes if self._pending.endswith(prefix)), default=0)
        cut = len(self._pending) - hold
        safe, self._pending = self._pending[:cut], self._pending[cut:]
        return safe

    def flush(self) -> str:
        """Whatever was held back, once the stream has ended without a stop string."""
        rest, self._pending = ("" if self.stopped else self._pending), ""
        return rest


class TransformersModel:
    """Generates answers with a local Hugging Face causal LM (a folder, or a name already in the local cache)."""

    def __init__(self, settings: ModelSettings) -> None:
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as error:
            raise MissingDependencyError("transformers", "st", "The 'transformers' language model") from error
        self.settings = settings
        self.id = f"transformers:{settings.model}"
        try:
            self._tokenizer: Any = AutoTokenizer.from_pretrained(settings.model, local_files_only=True)
            dtype = torch.float32 if settings.device == "cpu" else "auto"
            model = AutoModelForCausalLM.from_pretrained(settings.model, local_files_only=True, dtype=dtype)
        except (OSError, ValueError) as error:
            fetch = (
                f"python -c \"from huggingface_hub import snapshot_download; snapshot_download('{settings.model}')\""
            )
            raise ConfigurationError(
                f"The language model '{settings.model}' is not available on this machine ({type(error).__name__}). "
                f"Set ASSISTANT_MODEL__MODEL to a local model folder, or fetch it once on a connected machine "
                f"with: {fetch}"
            ) from error
        if not getattr(self._tokenizer, "chat_template", None):
            raise ConfigurationError(
                f"The model '{settings.model}' has no chat template. Use a chat or instruct model "
                "(its tokenizer_config.json or chat_template.jinja defines one)."
            )
        try:
            self._model: Any = cast(Any, model).to(settings.device).eval()
        except (RuntimeError, AssertionError) as error:
            raise ConfigurationError(
                f"Cannot put the model on device '{settings.device}' ({error}). Set ASSISTANT_MODEL__DEVICE=cpu."
            ) from error
        self._lock = threading.Lock()

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        """Yield the answer's text as the model generates it, then one chunk with the usage."""
        if self._model is None:
            raise ModelUnavailableError(f"The model '{self.settings.model}' was closed. Create the backend again.")
        from transformers import TextIteratorStreamer

        inputs = await asyncio.to_thread(self._encode, request)
        streamer = TextIteratorStreamer(
            self._tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=self.settings.timeout
        )
        cancelled = threading.Event()
        outcome: dict[str, Any] = {}
        worker = threading.Thread(
            target=self._generate, args=(inputs, request, streamer, cancelled, outcome), daemon=True
        )
        worker.start()
        stops = StopFilter(request.stop)
        try:
            while (text := await asyncio.to_thread(self._next_text, streamer)) is not None:
                if text := stops.feed(text):
                    yield Chunk(text)
                if stops.stopped:
                    break
            if text := stops.flush():
                yield Chunk(text)
        finally:
            cancelled.set()  # stops the worker after its current token if the reader left early
        await asyncio.to_thread(worker.join)
        if "error" in outcome:
            error = outcome["error"]
            raise ModelUnavailableError(
                f"The model '{self.settings.model}' failed while generating ({type(error).__name__}: {error}). "
                "Lower ASSISTANT_MODEL__MAX_TOKENS or use a smaller model."
            ) from error
        prompt_tokens = int(inputs["input_ids"].shape[-1])
        yield Chunk(usage=Usage(prompt_tokens, int(outcome.get("generated", 0))))

    async def aclose(self) -> None:
        """Release the model's memory."""
        model, self._model = self._model, None
        if model is not None and self.settings.device.startswith("cuda"):
            import torch

            del model
            torch.cuda.empty_cache()

    def _encode(self, request: ChatRequest) -> Any:
        from jinja2 import TemplateError

        messages = [{"role": message.role, "content": message.content} for message in request.messages]
        try:
            inputs = self._tokenizer.apply_chat_template(
                messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
            )
        except (TemplateError, ValueError) as error:
            raise ModelResponseError(
                f"The chat template of '{self.settings.model}' cannot render this conversation ({error}). "
                "Use a model whose template accepts system, user and assistant messages."
            ) from error
        return inputs.to(self._model.device)

    def _next_text(self, streamer: Any) -> str | None:
        try:
            return str(next(streamer))
        except StopIteration:
            return None
        except queue.Empty:
            raise ModelTimeoutError(
                f"The model '{self.settings.model}' produced nothing for {self.settings.timeout:g} s. "
                "Raise ASSISTANT_MODEL__TIMEOUT or use a smaller model."
            ) from None

    def _generate(
        self, inputs: Any, request: ChatRequest, streamer: Any, cancelled: threading.Event, outcome: dict[str, Any]
    ) -> None:
        temperature = self.settings.temperature if request.temperature is None else request.temperature
        sampling: dict[str, Any] = {"do_sample": True, "temperature": temperature} if temperature > 0 else {}
        limit = self.settings.max_tokens if request.max_tokens is None else request.max_tokens
        pad = self._tokenizer.pad_token_id
        try:
            with self._lock:
                if cancelled.is_set():
                    streamer.end()
                    return
                sequences = self._model.generate(
                    **inputs,
                    **({"do_sample": False} | sampling),
                    max_new_tokens=limit,
                    pad_token_id=self._tokenizer.eos_token_id if pad is None else pad,
                    streamer=streamer,
                    stopping_criteria=_cancellation(cancelled),
                )
            outcome["generated"] = int(sequences.shape[-1] - inputs["input_ids"].shape[-1])
        except Exception as error:  # surfaced to the reader, who would otherwise wait for the timeout
            outcome["error"] = error
            streamer.end()


def _cancellation(cancelled: threading.Event) -> Any:
    """Stopping criteria that end generation once ``cancelled`` is set."""
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList

    class Cancelled(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            return torch.full((input_ids.shape[0],), cancelled.is_set(), dtype=torch.bool, device=input_ids.device)

    return StoppingCriteriaList([Cancelled()])
