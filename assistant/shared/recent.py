"""The values of the last N distinct keys, for work that depends on its key alone (query vectors, text terms)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Generic, TypeVar

V = TypeVar("V")


class Recent(Generic[V]):
    """Thread-safe: the missing values of a batch are computed together, outside the lock, once per distinct key."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.hits = 0  # keys asked for (each time) whose value was kept
        self.misses = 0  # distinct keys computed
        self._values: OrderedDict[str, V] = OrderedDict()
        self._lock = threading.Lock()

    def many(self, keys: Sequence[str], compute: Callable[[list[str]], Iterable[V]]) -> dict[str, V]:
        """The value of every key: kept ones moved to the newest end, the others computed in one call and kept."""
        found: dict[str, V] = {}
        with self._lock:
            for key in keys:
                value = self._values.get(key)
                if value is not None:
                    self._values.move_to_end(key)
                    found[key] = value
            self.hits += sum(1 for key in keys if key in found)
        missing = list(dict.fromkeys(key for key in keys if key not in found))
        if missing:
            fresh = dict(zip(missing, compute(missing), strict=True))
            found.update(fresh)
            with self._lock:
                self.misses += len(missing)
                for key, value in fresh.items():
                    self._values[key] = value
                    self._values.move_to_end(key)
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
        return found

    def __len__(self) -> int:
        return len(self._values)
