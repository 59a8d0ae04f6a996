"""The ``Assistant``: a question (and its conversation) in, a cited answer out, streamed or whole.

The CLI, the HTTP API and the evaluation all call this one object. CPU work (retrieval, citation
checks) runs in threads; the language model is consumed in its own task so a deadline or a client
that goes away can cancel it cleanly.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from .answering.answerability import Verdict, calibration_for, judge
from .answering.citations import SupportChecker, ground
from .answering.declines import is_decline
from .answering.events import AnswerEvent, Delta, Done, Fallback, Retrieved
from .answering.follow_up import carry_terms, clean_rewrite
from .answering.prompts import PromptLibrary
from .answering.readers import create_reader
from .answering.sentence_scoring import content_words
from .answering.short_answer import Lead, find_lead
from .conversations.access import ConversationAccess
from .conversations.base import ConversationStore, create_store
from .errors import InvalidQueryError, ModelCircuitOpenError, ModelError
from .heap import release_free_memory
from .languages import CHINESE, chinese_script, detect_language
from .models.base import ChatMessage, ChatModel, ChatRequest, Usage, complete, create_chat_model
from .models.guarded import GuardedModel, stream_until
from .records import Answer, Hit, Language, Turn
from .retrieval.retriever import MAX_QUERY_CHARS, Retriever, SearchOptions
from .settings import Settings
from .text.validation import check_text

if TYPE_CHECKING:
    from .models.extractive import ExtractiveModel

log = logging.getLogger(__name__)

T = TypeVar("T")
REWRITE_DEADLINE = 10.0
FALLBACK_RESERVE = 0.5  # seconds of an answer's deadline kept for the extractive fallback


class Assistant:
    """Retrieval, composition, citation checks and conversation memory behind ``ask`` and ``stream``."""

    def __init__(
        self,
        settings: Settings,
        retriever: Retriever,
        model: ChatModel | None,
        store: ConversationStore,
        prompts: PromptLibrary | None = None,
    ) -> None:
        """``model`` None means the extractive composer, which also serves as every other model's fallback."""
        from .models.extractive import ExtractiveModel

        self.settings = settings
        self.retriever = retriever
        self.store = store
        self.prompts = prompts or PromptLibrary.from_settings(settings.answer.prompts_dir)
        answer = settings.answer
        self.extractive: ExtractiveModel = ExtractiveModel(
            max_sentences=answer.max_sentences, max_chars=answer.max_chars
        )
        self.model: ChatModel = GuardedModel(model, settings.model) if model is not None else self.extractive
        self.checker = SupportChecker()
        self.reader = create_reader(answer)
        self.calibration = calibration_for(retriever.embedder_id)
        # One worker thread for CPU work and the store: the loop stays free for I/O, and answers do not
        # contend for the GIL with each other (more threads only add switching on a GIL-bound path).
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assistant-cpu")
        self.conversations = ConversationAccess(store, self._in_worker)

    @classmethod
    def from_settings(cls, settings: Settings, retriever: Retriever | None = None) -> Assistant:
        """An assistant over the index, model and conversation store the settings name."""
        from .indexing.builder import open_retriever

        retriever = retriever or open_retriever(settings)
        model = None if settings.model.name == "extractive" else create_chat_model(settings.model)
        return cls(settings, retriever, model, create_store(settings.conversations, settings.redis))

    @property
    def uses_model(self) -> bool:
        """Whether answers come from a language model rather than the extractive composer."""
        return self.model.id != self.extractive.id

    def model_breaker(self) -> str:
        """The model's circuit breaker: 'closed', 'open' or 'half_open' ('' when answers are extractive)."""
        return self.model.breaker.state.value if isinstance(self.model, GuardedModel) else ""

    def ask(self, question: str, conversation_id: str | None = None, **options: object) -> Answer:
        """The whole answer, for callers without an event loop (the CLI)."""
        return asyncio.run(self.answer(question, conversation_id, **options))

    async def answer(
        self,
        question: str,
        conversation_id: str | None = None,
        **options: Any,
    ) -> Answer:
        """The whole answer to a question, in the context of a conversation (options as for ``stream``)."""
        final: Answer | None = None
        async for event in self.stream(question, conversation_id, **options):
            if isinstance(event, Done):
                final = event.answer
        assert final is not None
        return final

    async def stream(
        self,
        question: str,
        conversation_id: str | None = None,
        *,
        top_k: int | None = None,
        language: Language | None = None,
        user: str | None = None,
        owner: str | None = None,
        start: bool = False,
        history: Sequence[Turn] | None = None,
        remember: bool = True,
        deadline: float | None = None,
    ) -> AsyncIterator[AnswerEvent]:
        """Answer events: the retrieved passages, text deltas as they come, then the verified answer.

        ``owner`` is who asks (a key id; ``None`` on a service without keys): another owner's conversation is
        refused as unknown. An unknown ``conversation_id`` is refused unless ``start`` (bots name their users'
        conversations). ``history`` gives earlier turns inline instead of (or after) a stored
        conversation; with ``remember=False`` nothing is written to the conversation store. ``deadline``: seconds
        the whole answer may take (``answer.deadline`` by default); the model is cut short for the fallback.
        """
        started = time.perf_counter()
        budget = deadline or self.settings.answer.deadline
        until = asyncio.get_running_loop().time() + budget - min(FALLBACK_RESERVE, budget / 4)
        question = _valid_question(question)
        settings = self.settings.answer
        timings: dict[str, float] = {}
        if conversation_id is None:  # a new conversation reads nothing from the store: no thread hop
            conversation, past = self.conversations.open(None, owner, settings.history_turns, start)
        else:
            conversation, past = await self._in_worker(
                self.conversations.open, conversation_id, owner, settings.history_turns, start
            )
        if history and settings.history_turns:
            past = [*past, *history][-settings.history_turns :]
        asked: Language = language or _language_of(question, past)

        clock = time.perf_counter()
        query = await self._standalone(question, past, asked, until)
        timings["rewrite"] = _ms(clock)

        clock = time.perf_counter()
        found, verdict, lead, script = await self._in_worker(self._retrieve, query, top_k, asked, question)
        language = script
        hits = found if verdict.answerable else ()
        timings["retrieval"] = _ms(clock)
        yield Retrieved(query, hits, conversation)

        clock = time.perf_counter()
        model_id, fallback_reason, usage = self.model.id, "", Usage()
        prompts = self.prompts.for_language(language)
        not_found = prompts.not_found
        quoted = prompts.quoted if hits else ""  # the extractive composer says so when it quotes another language
        if not hits:
            text = not_found
            model_id = "none"
            yield Delta(text)
        else:
            parts: list[str] = []
            request = self._request(query, hits, past, language, lead, quoted)
            try:
                async for chunk in stream_until(self.model, request, until):
                    if chunk.usage is not None:
                        usage = chunk.usage
                    if chunk.text:
                        parts.append(chunk.text)
                        yield Delta(chunk.text)
                if not "".join(parts).strip():
                    raise ModelError("The model returned an empty answer.")
            except Exception as error:  # any failure falls back; the question is never lost
                fallback_reason = _reason(error)
                # a skipped model was logged once, when its breaker opened
                level = logging.DEBUG if isinstance(error, ModelCircuitOpenError) else logging.WARNING
                log.log(level, "model %s failed (%s); answering extractively", self.model.id, fallback_reason)
                if not isinstance(error, ModelError):
                    log.exception("unexpected error from model %s", self.model.id)
                if parts:
                    yield Fallback(fallback_reason)
                model_id = self.extractive.id
                extractive_request = ChatRequest(
                    messages=(), question=query, passages=hits, language=language, lead=lead, quoted=quoted
                )
                parts = []
                async for chunk in self.extractive.stream(extractive_request):
                    parts.append(chunk.text)
                    yield Delta(chunk.text)
            text = "".join(parts)
        timings["generation"] = _ms(clock)

        clock = time.perf_counter()
        if hits and model_id != self.extractive.id and is_decline(text, not_found):
            log.info("model %s declined: the passages do not answer %r", model_id, query)
            hits, text = (), not_found
        if hits:
            # Extractive text quotes its passages verbatim, so checking it is a few substring tests: no thread hop.
            if model_id == self.extractive.id:
                # the quoted-language line is ours, not a claim: only what follows it is checked
                head = parts[0] if quoted and parts and parts[0].endswith("\n") else ""
                grounding = ground(text[len(head) :], hits, settings.support_threshold, self.checker)
                text = head + grounding.text
            else:
                # our not-found text inside a model's answer claims nothing
                grounding = await self._in_worker(
                    ground, text, hits, settings.support_threshold, self.checker, (not_found,)
                )
                text = grounding.text
            citations, grounded = grounding.citations, grounding.grounded
        else:
            citations, grounded = (), False
        timings["grounding"] = _ms(clock)
        timings["total"] = _ms(started)
        short = lead.phrase if lead and hits and (model_id == self.extractive.id or lead.phrase in text) else ""

        answer = Answer(
            text=text,
            citations=citations,
            hits=found,
            model=model_id,
            grounded=grounded,
            language=language,
            query=query,
            fallback=bool(fallback_reason),
            fallback_reason=fallback_reason,
            conversation_id=conversation,
            timings_ms=timings,
            usage={"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens},
            short_answer=short,
            abstained=not hits,
            related=() if hits else found[: settings.related],
        )
        if not hits:
            log.debug("abstained on %r (answerable p=%.2f, %s)", query, verdict.probability, verdict.signals)
        if remember:
            turn = Turn(question, query, text, citations, language, answer.fallback, time.time())
            await self._in_worker(self.store.append, conversation, turn, user, owner)
        yield Done(answer)

    def _retrieve(
        self, query: str, top_k: int | None, language: Language, turn: str
    ) -> tuple[tuple[Hit, ...], Verdict, Lead | None, Language]:
        """The closest passages, whether they answer the query, the answering phrase when they do, and the script
        to answer in (a Chinese query whose characters are the same in both scripts takes its best passage's).
        ``turn`` is the user's own question: what a rewritten follow-up asks is judged on the user's words."""
        settings = self.settings.answer
        found = tuple(self.retriever.search(query, SearchOptions(top_k=top_k, min_score=0.0)))
        tied = language in CHINESE and chinese_script(query, default=Language.OTHER) is Language.OTHER
        if tied and found and found[0].passage.language in CHINESE:
            language = found[0].passage.language
        relevant = bool(found) and self.retriever.relevance(found[0]) >= self.retriever.settings.min_score
        if settings.abstain and relevant:
            rarity = self.retriever.rarity(sorted(content_words(query) | content_words(turn)))
            verdict = judge(query, found, rarity, self.calibration, threshold=settings.answerable_threshold, turn=turn)
        else:
            verdict = Verdict(relevant, float(relevant), None)
        if verdict.answerable:  # the passages around the best one: its answer often sits just across its edge
            found += tuple(self.retriever.neighbours(found, settings.context_passages))
        if not verdict.answerable or self.reader is None:
            return found, verdict, None, language
        return found, verdict, find_lead(self.reader, query, found, language), language

    async def _standalone(self, question: str, history: Sequence[Turn], language: Language, until: float) -> str:
        """The question as a standalone search query, rewritten from the conversation when it is a follow-up."""
        if not history or not self.settings.answer.rewrite_follow_ups:
            return question
        if self.uses_model:
            messages = self.prompts.rewrite_messages(
                question, history, language, history_chars=self.settings.answer.history_chars
            )
            request = ChatRequest(
                messages=messages, question=question, language=language, temperature=0.0, max_tokens=128
            )
            try:
                half = (until - asyncio.get_running_loop().time()) / 2  # the other half is the answer's
                text, _ = await asyncio.wait_for(complete(self.model, request), max(min(REWRITE_DEADLINE, half), 0))
                rewritten = clean_rewrite(text, question)
                if rewritten:
                    return rewritten
            except (ModelError, TimeoutError) as error:
                level = logging.DEBUG if isinstance(error, ModelCircuitOpenError) else logging.WARNING
                log.log(level, "follow-up rewrite by %s failed (%s); carrying terms instead", self.model.id, error)
        return await self._in_worker(carry_terms, question, history, language)

    def _request(
        self,
        query: str,
        hits: Sequence[Hit],
        history: Sequence[Turn],
        language: Language,
        lead: Lead | None,
        quoted: str,
    ) -> ChatRequest:
        settings = self.settings.answer
        messages: tuple[ChatMessage, ...] = ()
        if self.uses_model:
            messages = tuple(
                self.prompts.answer_messages(
                    query,
                    hits,
                    history,
                    language,
                    context_chars=settings.context_chars,
                    history_chars=settings.history_chars,
                )
            )
        return ChatRequest(
            messages=messages, question=query, passages=tuple(hits), language=language, lead=lead, quoted=quoted
        )

    async def warm_up(self) -> None:
        """Load the tokenizers, script converters and index pages before the first real question needs them."""
        samples = ("메타버스 산업 계획은 무엇인가요?", "元宇宙計畫的預算是多少？", "元宇宙计划的预算是多少？")
        for sample in samples:
            language = detect_language(sample)
            hits = await self._in_worker(self.retriever.search, sample, SearchOptions(min_score=0.0))
            request = ChatRequest(messages=(), question=sample, passages=tuple(hits), language=language)
            text, _ = await complete(self.extractive, request)
            if hits:
                ground(text, hits, self.settings.answer.support_threshold, self.checker)
        await self._in_worker(release_free_memory)  # what loading freed but the C heap kept (~15 MB, mixed index)

    async def _in_worker(self, function: Callable[..., T], *args: Any) -> T:
        """Run blocking work on the assistant's worker thread."""
        return await asyncio.get_running_loop().run_in_executor(self._worker, functools.partial(function, *args))

    async def aclose(self) -> None:
        """Close the model's connections and the conversation store."""
        await self.model.aclose()
        self._worker.shutdown(wait=True)
        self.store.close()


def _valid_question(question: str) -> str:
    question = check_text(question or "", "question").strip()
    if not question:
        raise InvalidQueryError("The question is empty. Type a question about your documents.")
    if len(question) > MAX_QUERY_CHARS:
        raise InvalidQueryError(
            f"The question is {len(question)} characters long; the limit is {MAX_QUERY_CHARS}. Shorten it."
        )
    return question


def _language_of(question: str, history: Sequence[Turn]) -> Language:
    """The question's language and script; an ambiguous Chinese follow-up keeps the conversation's script."""
    previous = history[-1].language if history else Language.SIMPLIFIED
    default = previous if previous in CHINESE else Language.SIMPLIFIED
    detected = detect_language(question, default_chinese=default)
    if detected is Language.OTHER and history and len(question) < 20:
        return history[-1].language
    return detected


def _reason(error: BaseException) -> str:
    if isinstance(error, ModelError):
        return f"{error.code}: {error}"
    return f"model_error: {type(error).__name__}: {error}"


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000
