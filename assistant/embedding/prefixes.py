"""The instructions model families were trained to see before queries and passages (e5: ``query: ``/``passage: ``)."""

from __future__ import annotations

_BGE_ZH_QUERY = "为这个句子生成表示以用于检索相关文章："


def default_prefixes(model: str) -> tuple[str, str]:
    """(query prefix, passage prefix) that the model family was trained with."""
    name = model.lower()
    if "e5" in name and "instruct" not in name:
        return "query: ", "passage: "
    if "bge" in name and "zh" in name and "m3" not in name:
        return _BGE_ZH_QUERY, ""
    return "", ""
