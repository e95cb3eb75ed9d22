"""The node's TOML files (``node.toml``), read by ``tomllib`` and written by ``tomli-w``.

One reader and one writer for every TOML file the node and ``consortium init`` touch, so
what is written always reads back as written. TOML has no null: ``None`` values are left
out when writing (an absent key means "the default"); ``header`` lines become comments.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomli_w

from govchain_node.errors import ConfigError


def read(path: Path) -> dict[str, Any]:
    """The document at ``path``; :class:`ConfigError` if unreadable or not TOML."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc


def _without_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_without_none(v) for v in value]
    return value


def dumps(document: Mapping[str, Any], header: str = "") -> str:
    """``document`` as TOML text; ``header`` becomes leading ``#`` comment lines."""
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    body = tomli_w.dumps(_without_none(document))
    return comments + ("\n" if comments and body else "") + body


def write(path: Path, document: Mapping[str, Any], header: str = "") -> None:
    """Write ``document`` to ``path`` (UTF-8), see :func:`dumps`."""
    path.write_text(dumps(document, header), encoding="utf-8")
