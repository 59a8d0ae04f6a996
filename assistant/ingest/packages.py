"""Zip packages of XML (.docx, .hwpx): opened with a cap on their unpacked size, XML read without entities.

An uploaded file is untrusted: a few kilobytes of zip can unpack to gigabytes, and XML entities can expand
or reach out to the network, so both are refused before any reader sees the content.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from ..errors import DocumentError

OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
"""The first bytes of an OLE compound file: legacy .hwp, .doc, .xls."""
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
"""The most a document package may unpack to, all parts together."""


def open_package(data: bytes, path: str, kind: str) -> zipfile.ZipFile:
    """The zip archive of a ``kind`` file ('a .docx file'); ``DocumentError`` when it is none or unpacks too large."""
    if not data.strip():
        raise DocumentError(f"{path}: the file is empty.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise DocumentError(f"{path}: not {kind} (it is not a zip package); save it again in that format.") from error
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_UNPACKED_BYTES:
        raise DocumentError(
            f"{path}: unpacks to {unpacked // 2**20} MiB, more than the {MAX_UNPACKED_BYTES // 2**20} MiB "
            "a document may have; split it into smaller files."
        )
    return archive


def read_part(archive: zipfile.ZipFile, name: str, path: str) -> bytes:
    """One member of the package, read at most to its declared size."""
    try:
        with archive.open(name) as member:
            return member.read(archive.getinfo(name).file_size + 1)
    except (KeyError, zipfile.BadZipFile, OSError) as error:
        raise DocumentError(f"{path}: the part '{name}' is missing or damaged ({error}).") from error


def parse_xml(data: bytes, path: str, part: str) -> Any:
    """The root element of an XML part, parsed without DTDs, entities or network access."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise DocumentError(f"{path}: '{part}' is not well-formed XML ({error}).") from error


def local_name(element: Any) -> str:
    """An element's tag without its namespace (``hp:p`` → ``p``); '' for comments and processing instructions."""
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
