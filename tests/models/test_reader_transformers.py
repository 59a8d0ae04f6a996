"""The transformers phrase reader, for real: a tiny random BERT question-answering model built offline."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from assistant.answering.readers import READERS, Phrase, PhraseReader, create_reader
from assistant.errors import ConfigurationError
from assistant.models.reader_transformers import MAX_SENTENCES, TransformersReader, _trim
from assistant.records import Language
from assistant.settings import AnswerSettings

KOREAN = ["서울시 메타버스 계획은 2022년부터 시작된다.", "계획은 문화, 경제, 교육을 다룬다."]
CHINESE = ["首尔市元宇宙规划从2022年开始。", "规划涵盖文化、经济和教育。"]
WORDS = ["서울시", "메타버스", "계획", "##은", "2022", "##년", "##부터", "시작", "##된다", "문화", "경제", "교육"]
WORDS += [
    "##을",
    "다",
    "##룬다",
    "언제",
    "무엇",
    ".",
    ",",
    "、",
    "。",
    "?",
    *"首尔市元宇宙规划从年开始涵盖文化经济和教育什么时候",
]


@pytest.fixture(scope="module")
def tiny_reader(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-layer random BERT for question answering and a WordPiece tokenizer, saved as a model folder."""
    torch = pytest.importorskip("torch")
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertForQuestionAnswering, PreTrainedTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocabulary = {token: index for index, token in enumerate(dict.fromkeys([*specials, *WORDS]))}
    backend = Tokenizer(models.WordPiece(vocab=vocabulary, unk_token="[UNK]"))
    backend.normalizer = normalizers.BertNormalizer(handle_chinese_chars=True, strip_accents=False, lowercase=False)
    backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    backend.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocabulary["[CLS]"]), ("[SEP]", vocabulary["[SEP]"])],
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]",
        pad_token="[PAD]", mask_token="[MASK]", model_max_length=64,
    )  # fmt: skip
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocabulary), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
        num_attention_heads=2, max_position_embeddings=64, pad_token_id=0,
    )  # fmt: skip
    folder = tmp_path_factory.mktemp("tiny-reader") / "qa-model"
    BertForQuestionAnswering(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def reader(tiny_reader: Path) -> PhraseReader:
    built = create_reader(AnswerSettings(reader="transformers", reader_model=str(tiny_reader)))
    assert built is not None
    return built


def assert_points_at_its_text(phrase: Phrase | None, sentences: list[str]) -> Phrase:
    assert phrase is not None
    assert 0 <= phrase.sentence < len(sentences)
    assert phrase.text == sentences[phrase.sentence][phrase.start : phrase.end]
    assert phrase.text and phrase.text == phrase.text.strip()
    assert 0 < phrase.score <= 1
    return phrase


def test_built_from_the_settings_and_the_registry(tiny_reader: Path, reader: PhraseReader) -> None:
    assert READERS.load("transformers") is TransformersReader
    assert isinstance(reader, TransformersReader) and isinstance(reader, PhraseReader)
    assert reader.id == "transformers:qa-model"
    direct = READERS.create("transformers", model=str(tiny_reader), device="cpu")
    assert isinstance(direct, PhraseReader)


@pytest.mark.parametrize(
    ("question", "sentences", "language"),
    [("계획은 언제 시작된다?", KOREAN, Language.KOREAN), ("规划什么时候开始?", CHINESE, Language.SIMPLIFIED)],
)
def test_reads_a_phrase_inside_one_sentence(
    reader: PhraseReader, question: str, sentences: list[str], language: Language
) -> None:
    first = assert_points_at_its_text(reader.read(question, sentences, language), sentences)
    again = reader.read(question, sentences, language)
    assert again == first


def test_the_phrase_is_the_best_span_by_the_model_logits(tiny_reader: Path, reader: PhraseReader) -> None:
    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    question, sentence = "계획은 언제 시작된다?", KOREAN[0]
    tokenizer = AutoTokenizer.from_pretrained(tiny_reader, local_files_only=True)
    model = AutoModelForQuestionAnswering.from_pretrained(tiny_reader, local_files_only=True).eval()
    encoding = tokenizer(question, sentence, return_offsets_mapping=True, return_tensors="pt")
    offsets = encoding.pop("offset_mapping")[0].tolist()
    with torch.no_grad():
        output = model(**encoding)
    context = [i for i, part in enumerate(encoding.sequence_ids(0)) if part == 1]
    pairs = [(s, e) for s in context for e in context if s <= e]
    s, e = max(pairs, key=lambda pair: float(output.start_logits[0, pair[0]] + output.end_logits[0, pair[1]]))
    start, end = _trim(sentence, offsets[s][0], offsets[e][1])
    assert start < end, "the random model's best span is only punctuation; pick another seed"
    phrase = reader.read(question, [sentence], Language.KOREAN)
    assert phrase is not None and (phrase.start, phrase.end) == (start, end)


def test_each_sentence_alone_gives_a_phrase_and_the_best_wins(reader: PhraseReader) -> None:
    question = "规划什么时候开始?"
    alone = [reader.read(question, [sentence], Language.SIMPLIFIED) for sentence in CHINESE]
    assert all(phrase is not None and phrase.sentence == 0 for phrase in alone)
    both = assert_points_at_its_text(reader.read(question, CHINESE, Language.SIMPLIFIED), CHINESE)
    assert both.score == max(phrase.score for phrase in alone if phrase is not None)


def test_nothing_to_read_gives_none(reader: PhraseReader) -> None:
    assert reader.read("계획은 언제?", [], Language.KOREAN) is None
    assert reader.read("계획은 언제?", ["", "  "], Language.KOREAN) is None
    assert reader.read("", KOREAN, Language.KOREAN) is None


def test_only_the_first_few_sentences_and_long_inputs_are_read(reader: PhraseReader) -> None:
    sentences = [*KOREAN, *CHINESE] * 4
    phrase = assert_points_at_its_text(reader.read("계획 " * 200, sentences, Language.KOREAN), sentences)
    assert phrase.sentence < MAX_SENTENCES
    long_sentence = [" ".join(["메타버스"] * 300) + " 2022년부터 시작된다."]
    assert_points_at_its_text(reader.read("언제 시작된다?", long_sentence, Language.KOREAN), long_sentence)


def test_reads_from_several_threads_agree(reader: PhraseReader) -> None:
    expected = reader.read("계획은 언제 시작된다?", KOREAN, Language.KOREAN)
    results: list[Phrase | None] = []

    def read() -> None:
        results.append(reader.read("계획은 언제 시작된다?", KOREAN, Language.KOREAN))

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4


def test_a_missing_empty_or_unusable_model_names_the_setting(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    for model in ["", "  ", str(tmp_path / "no-such-model")]:
        with pytest.raises(ConfigurationError, match="ASSISTANT_ANSWER__READER_MODEL"):
            create_reader(AnswerSettings(reader="transformers", reader_model=model))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigurationError, match="ASSISTANT_ANSWER__READER_MODEL"):
        TransformersReader(str(tmp_path / "empty"))


def test_trim_drops_edge_punctuation_but_keeps_answer_marks() -> None:
    def trimmed(text: str) -> str:
        start, end = _trim(text, 0, len(text))
        return text[start:end]

    assert trimmed(" “30%”. ") == "30%"
    assert trimmed("「서울시」,") == "서울시"
    assert trimmed("(주)삼성") == "(주)삼성"
    assert trimmed("삼성(주)") == "삼성(주)"
    assert trimmed("(2022年") == "2022年"
    assert trimmed("-5도。") == "-5도"
    assert trimmed("、。 ") == ""
    assert trimmed("(주)삼성(주)") == "(주)삼성(주)"
    assert trimmed("《红楼梦》。") == "红楼梦"
