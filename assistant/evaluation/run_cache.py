"""A resumable cache of evaluation answers and judgments, so an interrupted run over a hosted model does not pay twice.

One JSONL file per *fingerprint* in the cache folder: a hash of everything that changes an answer (the model
name, model, server and sampling settings, the retrieval, answer, chunking and embedder settings, the prompt
templates, the index's corpus checksum and the assistant's own code). Each record is appended and flushed as
soon as it is made, so a run stopped at any point keeps what it had; a torn last line is ignored. Answers that
fell back to extraction are not kept, so a rerun asks the model again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from .. import __version__
from ..answering.prompts import PromptLibrary
from ..indexing.manifest import Manifest
from ..settings import Settings
from .answer_records import answer_from_dict, answer_to_dict
from .cases import Case, CaseResult

PACKAGE = Path(__file__).resolve().parents[1]
# Code that does not change answers: editing it keeps the cache.
_NOT_ANSWERING = ("evaluation", "cli", "api", "web")


def index_identity(manifest: Manifest) -> str:
    """What of an index decides its search results: its corpus, tokenizers, embedder and vector index."""
    described = {
        "corpus": manifest.corpus_checksum,
        "chunking": manifest.chunking,
        "tokenizers": manifest.tokenizers,
        "embedder": manifest.embedder,
        "dimension": manifest.dimension,
        "vectors": manifest.vector_index,
        "passages": manifest.passages,
    }
    return _digest(described)


def settings_fingerprint(settings: Settings, index: str) -> str:
    """A hash of every setting, template and source file that can change an answer, with the index's identity."""
    model = settings.model
    described = {
        "model": [model.name, model.model, model.base_url, model.temperature, model.max_tokens],
        "retrieval": settings.retrieval.model_dump(mode="json"),
        "answer": settings.answer.model_dump(mode="json", exclude={"prompts_dir"}),
        "chunking": settings.chunking.model_dump(mode="json"),
        "embedder": settings.embedder.model_dump(mode="json", exclude={"batch_size", "device"}),
        "prompts": PromptLibrary.from_settings(settings.answer.prompts_dir).fingerprint(),  # packaged + overrides
        "code": _files_digest(PACKAGE, "*.py", skip=_NOT_ANSWERING),
        "version": __version__,
        "index": index,
    }
    return _digest(described)


def case_key(case: Case) -> str:
    """A hash of everything in a case."""
    return _digest(dataclasses.asdict(case))


class RunCache:
    """Records of one fingerprint, read when opened and appended to as they are made."""

    def __init__(self, folder: Path, fingerprint: str, *, fresh: bool = False) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"{fingerprint[:24]}.jsonl"
        self.records: dict[str, dict[str, Any]] = {} if fresh else _read(self.path)
        self.reused = 0
        self._file: IO[str] = self.path.open("w" if fresh else "a", encoding="utf-8")
        if self._file.tell() and not self.path.read_bytes().endswith(b"\n"):
            self._file.write("\n")  # end a line torn by an interrupted run before appending

    def get(self, key: str) -> dict[str, Any] | None:
        """The record kept under a key, if any."""
        return self.records.get(key)

    def put(self, key: str, value: dict[str, Any]) -> None:
        """Keep a record, on disk at once."""
        self.records[key] = value
        self._file.write(json.dumps({"key": key, "value": value}, ensure_ascii=False) + "\n")
        self._file.flush()

    def result_for(self, case: Case) -> CaseResult | None:
        """The case's answer from an earlier run, if one was kept."""
        stored = self.get(f"answer:{case_key(case)}")
        if stored is None:
            return None
        self.reused += 1
        return CaseResult(case, answer_from_dict(stored["answer"]), float(stored["seconds"]), cached=True)

    def keep(self, result: CaseResult) -> None:
        """Keep a fresh answer, unless it is a fallback (a rerun should ask the model again)."""
        if not result.answer.fallback and not result.cached:
            key = f"answer:{case_key(result.case)}"
            self.put(key, {"answer": answer_to_dict(result.answer), "seconds": result.seconds})

    def close(self) -> None:
        """Close the file."""
        self._file.close()

    def __enter__(self) -> RunCache:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def _read(path: Path) -> dict[str, dict[str, Any]]:
    records: dict[str, dict[str, Any]] = {}
    if not path.is_file():
        return records
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
            records[str(record["key"])] = dict(record["value"])
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            continue  # a line torn by an interrupted run
    return records


def _digest(data: object) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _files_digest(folder: Path, pattern: str, skip: tuple[str, ...] = ()) -> str:
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(folder.rglob(pattern)):
            relative = path.relative_to(folder)
            if path.is_file() and relative.parts[0] not in skip and "__pycache__" not in relative.parts:
                digest.update(f"{relative.as_posix()}\x00".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
