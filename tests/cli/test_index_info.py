"""How ``index info`` words the manifests it may meet: without an embedder, from before embedder details and corpus
folders were recorded, with a user dictionary, and with text that rich would otherwise read as markup."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from rich.console import Console

from assistant.cli.index_info import IndexSummary, print_summary
from assistant.indexing.manifest import Manifest


def manifest(**changes: Any) -> Manifest:
    fields: dict[str, Any] = {
        "format_version": 1,
        "chunking": {"size": 300, "overlap": 60},
        "tokenizers": {"morphemes": {"name": "morphemes", "kiwipiepy": "0.24.1"}},
        "embedder": "hashing-ngram-1to3-d256-v1",
        "dimension": 256,
        "vector_index": "flat",
        "corpus_checksum": "ab" * 32,
        "documents": 1200,
        "passages": 34567,
        "languages": {"ko": 34567},
        "next_key": 34567,
        "built_at": "2026-01-02T03:04:05+00:00",
        "package_version": "0.1.0",
    }
    return Manifest(**{**fields, **changes})


def shown(summary_manifest: Manifest, corpus: Path | None = None, folder: Path = Path("/srv/index")) -> str:
    summary = IndexSummary(folder, folder / "gen-1", summary_manifest, corpus, 1_234_567, 9)
    out = io.StringIO()
    print_summary(summary, Console(file=out, width=120))
    return out.getvalue()


def test_an_index_without_an_embedder_is_keyword_only_and_numbers_are_grouped() -> None:
    text = shown(manifest(embedder=None, dimension=0, vector_index="none"))
    assert "embedder          none (keyword search only)" in text
    assert "documents         1,200" in text and "passages          34,567" in text
    assert "languages         ko 34,567" in text
    assert "chunking          300 characters, 60 overlapping" in text and "Chinese" not in text
    assert "size on disk      1.2 MB in 9 files" in text
    assert "built at          2026-01-02 03:04:05 UTC by assistant 0.1.0 (index format 1)" in text


def test_an_older_manifest_still_reads_well() -> None:
    text = shown(manifest(built_at="yesterday"))  # no embedder details, no corpus folder on record
    assert "embedder          hashing-ngram-1to3-d256-v1" in text
    assert "256 dimensions, flat vector index" in text
    assert "built from        not recorded" in text
    assert "built at          yesterday by assistant" in text


def test_a_missing_corpus_folder_is_said_and_markup_like_text_is_shown_as_is(tmp_path: Path) -> None:
    corpus = tmp_path / "[bold]gone"
    text = shown(manifest(extra={"note": "[red]kept[/red]"}), corpus=corpus, folder=tmp_path / "[i]index")
    assert f"built from        {corpus} (missing)" in text
    assert "note              [red]kept[/red]" in text
    assert f"index {tmp_path}/[i]index" in text


def test_each_field_lists_its_analysers_its_user_dictionary_and_a_tokenizer_named_otherwise() -> None:
    tokenizers = {
        "morphemes": {"name": "morphemes", "kiwipiepy": "0.24.1", "user_dictionary": "ko 2 words, zh 1 word"},
        "hanja": {"name": "readings", "hanja": "0.15.1", "tags": "A,B"},
    }
    lines = [line.strip() for line in shown(manifest(tokenizers=tokenizers)).splitlines()]
    assert "field       tokenizer   analysers and options" in lines
    start = lines.index("morphemes   morphemes   kiwipiepy 0.24.1")
    assert lines[start + 1] == "user dictionary ko 2 words, zh 1 word"
    assert lines[start + 2 : start + 4] == ["hanja       readings    hanja 0.15.1", "tags A, B"]
    assert "keyword fields    morphemes, hanja" in lines
