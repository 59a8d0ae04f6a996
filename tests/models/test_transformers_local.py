"""The in-process transformers backend, for real: a tiny random Llama with a word-level tokenizer built offline."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import ConfigurationError, ModelTimeoutError, ModelUnavailableError
from assistant.models.base import CHAT_MODELS, ChatMessage, ChatModel, ChatRequest, Chunk, complete
from assistant.models.transformers_local import StopFilter, TransformersModel
from assistant.settings import ModelSettings

SENTENCES = [
    "서울시 메타버스 계획 은 2022 년 부터 시작 된다",
    "首尔 市 元宇宙 规划 从 2022 年 开始",
    "the plan starts in 2022 and covers culture economy and education",
]
TEMPLATE = (
    "{% for m in messages %}{{ m['role'] }} : {{ m['content'] }} </s> {% endfor %}"
    "{% if add_generation_prompt %}assistant :{% endif %}"
)
REQUEST = ChatRequest(messages=[ChatMessage("system", "the plan"), ChatMessage("user", "서울시 메타버스 계획 은")])


@pytest.fixture(scope="module")
def tiny_llm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-layer random Llama and a word-level tokenizer with a chat template, saved as a model folder."""
    torch = pytest.importorskip("torch")
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    specials = ["<unk>", "<s>", "</s>", "<pad>"]
    words = sorted({word for sentence in SENTENCES for word in sentence.split()} | {"system", "user", "assistant", ":"})
    vocabulary = {token: index for index, token in enumerate([*specials, *words])}
    backend = Tokenizer(models.WordLevel(vocab=vocabulary, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, unk_token="<unk>", bos_token="<s>", eos_token="</s>", pad_token="<pad>"
    )
    tokenizer.chat_template = TEMPLATE
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(vocabulary), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
        num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=128,
        bos_token_id=1, eos_token_id=2, pad_token_id=3,
    )  # fmt: skip
    folder = tmp_path_factory.mktemp("tiny-llm") / "model"
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def make_model(path: Path | str, **overrides: Any) -> TransformersModel:
    options: dict[str, Any] = {"name": "transformers", "model": str(path), "temperature": 0.0, "max_tokens": 8}
    return TransformersModel(ModelSettings(**(options | overrides)))


def reference_answer(path: Path, max_new_tokens: int) -> str:
    """What plain greedy ``generate`` answers, decoded at once."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer: Any = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model: Any = AutoModelForCausalLM.from_pretrained(path, local_files_only=True)
    messages = [{"role": message.role, "content": message.content} for message in REQUEST.messages]
    inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    output = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=3)
    return str(tokenizer.decode(output[0, inputs["input_ids"].shape[-1] :], skip_special_tokens=True))


def run(model: TransformersModel, request: ChatRequest = REQUEST) -> list[Chunk]:
    async def collect() -> list[Chunk]:
        return [chunk async for chunk in model.stream(request)]

    return asyncio.run(collect())


def test_streams_the_greedy_answer_in_chunks_with_usage(tiny_llm: Path) -> None:
    model = make_model(tiny_llm)
    chunks = run(model)
    *texts, last = chunks
    assert texts and all(chunk.text and chunk.usage is None for chunk in texts)
    assert "".join(chunk.text for chunk in texts) == reference_answer(tiny_llm, 8).strip() != ""
    assert last.text == "" and last.usage is not None
    # system : the plan </s> user : 서울시 메타버스 계획 은 </s> assistant :
    assert last.usage.prompt_tokens == 14 and 1 <= last.usage.completion_tokens <= 8
    assert model.id == f"transformers:{tiny_llm}"


def test_request_limits_and_sampling(tiny_llm: Path) -> None:
    model = make_model(tiny_llm, temperature=0.7)
    text, usage = asyncio.run(complete(model, ChatRequest(messages=REQUEST.messages, max_tokens=3)))
    assert 1 <= usage.completion_tokens <= 3 and isinstance(text, str)
    greedy, _usage = asyncio.run(complete(model, ChatRequest(messages=REQUEST.messages, temperature=0.0)))
    assert greedy == reference_answer(tiny_llm, 8).strip()


def test_a_stop_string_ends_the_answer_before_it(tiny_llm: Path) -> None:
    reference = reference_answer(tiny_llm, 8).strip()
    words = reference.split()
    assert len(words) >= 2, "the random model answered too little to test stop strings"
    stop = " " + words[1]
    text, _usage = asyncio.run(complete(make_model(tiny_llm), ChatRequest(messages=REQUEST.messages, stop=(stop,))))
    assert text == reference[: reference.index(stop)]


def test_a_reader_that_leaves_early_frees_the_model(tiny_llm: Path) -> None:
    model = make_model(tiny_llm, max_tokens=64)

    async def first_then_again() -> tuple[str, str]:
        stream = model.stream(REQUEST)
        first = await anext(stream)
        await stream.aclose()  # type: ignore[attr-defined]
        text, _usage = await asyncio.wait_for(complete(model, REQUEST), timeout=10)
        return first.text, text

    first, again = asyncio.run(first_then_again())
    assert first and again.startswith(first)


def test_no_text_within_the_timeout_is_a_timeout(tiny_llm: Path) -> None:
    with pytest.raises(ModelTimeoutError, match="ASSISTANT_MODEL__TIMEOUT"):
        run(make_model(tiny_llm, timeout=1e-6))


def test_a_closed_model_says_so(tiny_llm: Path) -> None:
    model = make_model(tiny_llm)
    asyncio.run(model.aclose())
    with pytest.raises(ModelUnavailableError, match="closed"):
        run(model)


def test_a_missing_folder_or_uncached_name_says_how_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="ASSISTANT_MODEL__MODEL"):
        make_model(tmp_path / "no-such-model")
    with pytest.raises(ConfigurationError, match=r"snapshot_download\('some-org/not-cached'\)"):
        make_model("some-org/not-cached")


def test_a_model_without_chat_template_is_refused(tiny_llm: Path, tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    folder = tmp_path / "base-model"
    shutil.copytree(tiny_llm, folder)
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    tokenizer.chat_template = None
    (folder / "chat_template.jinja").unlink(missing_ok=True)
    tokenizer.save_pretrained(folder)
    with pytest.raises(ConfigurationError, match="no chat template"):
        make_model(folder)


def test_stop_filter_holds_back_possible_starts() -> None:
    stops = StopFilter(["</answer>"])
    assert stops.feed("서울 </an") == "서울 "
    assert stops.feed("s") == ""
    assert stops.feed("x") == "</ansx"
    assert stops.feed(" </") == " "
    assert stops.flush() == "</" and not stops.stopped
    stops = StopFilter(["\n\n", "[END]"])
    assert stops.feed("one\n") == "one"
    assert stops.feed("two [EN") == "\ntwo "
    assert stops.feed("D] three") == "" and stops.stopped
    assert stops.feed("more") == "" and stops.flush() == ""
    assert StopFilter([]).feed("anything") == "anything"


def test_registered_under_transformers_and_follows_the_contract(tiny_llm: Path) -> None:
    assert CHAT_MODELS.load("transformers") is TransformersModel
    assert isinstance(make_model(tiny_llm), ChatModel)
