"""Figures drawn once per content: an indicator's figures are kept under a key made of everything they are
drawn from, and a rerun whose inputs for that indicator are unchanged copies them instead of drawing again.

A label edit reruns the reports, but only the edited indicator's figures are drawn again. The key cannot come
from the drawn figure (a pickled matplotlib Figure differs from process to process), so it comes from the
inputs: the indicator's content, the area's spec, what the report knows of the data and the maps, the
indicator's own estimate rows, and the code that draws (every module of `ath_analysis.report`, the package and
matplotlib versions). An input the digest does not know how to read makes it refuse (`Undigestible`): that
indicator is then drawn as if there were no cache, never taken from a stale one.

The cache is a folder of derived files (data/processed/cache/figures/ in the workflow); deleting it is always
safe. An entry is written whole (a folder renamed into place) or not at all, so jobs running side by side
cannot see half of one.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.path import Path as MplPath

from ath_analysis import __version__

ENTRY_FILE = "figures.json"


class Undigestible(TypeError):
    """An input of a kind the digest does not read: the figures are drawn, not cached."""


def _feed(h: Any, value: Any) -> None:  # noqa: C901 - one branch per kind of input
    """Add `value` to the hash `h`, each kind tagged so that different values never feed the same bytes."""
    if value is None or isinstance(value, bool | int | float | str | bytes):
        h.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, enum.Enum):
        h.update(f"enum:{type(value).__qualname__}.{value.name};".encode())
    elif isinstance(value, Path):
        h.update(f"path:{value};".encode())
    elif isinstance(value, np.generic):
        _feed(h, value.item())
    elif isinstance(value, np.ndarray):
        if value.dtype == object:
            h.update(f"objects{value.shape};".encode())
            for item in value.ravel():
                _feed(h, item)
        else:
            h.update(f"array:{value.dtype.str}{value.shape};".encode())
            h.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, pd.DataFrame):
        h.update(f"frame:{len(value)};".encode())
        _feed(h, [str(c) for c in value.columns])
        _feed(h, [str(t) for t in value.dtypes])
        _feed(h, [str(i) for i in value.index[:0].names])
        try:
            rows = pd.util.hash_pandas_object(value, index=True).to_numpy()
        except TypeError as exc:  # unhashable cells (lists, dicts)
            raise Undigestible(f"a table with unhashable cells: {exc}") from exc
        h.update(rows.tobytes())
    elif isinstance(value, pd.Series):
        h.update(f"series:{value.name!r}:{value.dtype};".encode())
        _feed(h, value.to_frame("value"))
    elif isinstance(value, pd.Index):
        _feed(h, value.to_frame(index=False))
    elif isinstance(value, MplPath):
        _feed(h, value.vertices)
        _feed(h, value.codes)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        h.update(f"dataclass:{type(value).__qualname__};".encode())
        for f in dataclasses.fields(value):
            if not f.compare:  # derived (e.g. an expression's parse tree: its text says what it is)
                continue
            h.update(f"{f.name}=".encode())
            _feed(h, getattr(value, f.name))
    elif isinstance(value, Mapping):
        h.update(f"mapping:{len(value)};".encode())
        for key, item in value.items():  # in order: the order of a mapping can change what is drawn
            _feed(h, key)
            _feed(h, item)
    elif isinstance(value, list | tuple):
        h.update(f"{type(value).__name__}:{len(value)};".encode())
        for item in value:
            _feed(h, item)
    elif isinstance(value, set | frozenset):
        _feed(h, sorted(value, key=repr))
    else:
        raise Undigestible(f"cannot digest a {type(value).__qualname__}")


def digest(*values: Any) -> str:
    """The sha256 (hex) of the values; raises `Undigestible` for a kind it does not read."""
    h = hashlib.sha256()
    for value in values:
        _feed(h, value)
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """What draws the figures: every module of ath_analysis.report, the package and the plotting versions."""
    h = hashlib.sha256(f"{__version__};{matplotlib.__version__};{np.__version__};{pd.__version__};".encode())
    package = resources.files("ath_analysis.report")
    for entry in sorted(package.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".py"):
            h.update(entry.name.encode())
            h.update(entry.read_bytes())
    return h.hexdigest()


def _restore_pairs(value: Any) -> Any:
    """JSON made the figures' (label, value) pairs lists; the page expects them as they were."""
    if isinstance(value, dict):
        return {k: ([tuple(p) for p in v] if k == "table" and isinstance(v, list) else _restore_pairs(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_restore_pairs(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON: {type(value).__qualname__}")


def _load(entry: Path, directory: Path) -> Any | None:
    """The saved result with its figures copied into `directory`; None if the entry is missing or damaged."""
    try:
        saved = json.loads((entry / ENTRY_FILE).read_text(encoding="utf-8"))
        names = [str(n) for n in saved["files"]]
        for name in names:
            if Path(name).name != name or not (entry / name).is_file():
                return None
        directory.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copyfile(entry / name, directory / name)
        return _restore_pairs(saved["result"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store(entry: Path, drawn: Path, files: list[str], text: str) -> None:
    entry.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{entry.name[:12]}.", dir=entry.parent))
    try:
        for name in files:
            shutil.copyfile(drawn / name, scratch / name)
        (scratch / ENTRY_FILE).write_text(text, encoding="utf-8")
        os.replace(scratch, entry)  # whole or not at all; another job that got there first wins
    except OSError:
        pass
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def cached(cache_dir: Path | None, key: str | None, directory: Path, draw: Callable[[Path], Any]) -> Any:
    """draw(folder) (which writes its figures into the folder and returns what the page needs of them), its
    figures in `directory`; or, when the cache holds `key`, its figures copied into `directory` and its saved
    result. The result must be JSON-able apart from (label, value) pairs under "table" keys.

    No cache_dir or no key: just draw(directory). Otherwise draw writes into a folder of its own, so that
    other processes drawing into `directory` at the same time are not taken for this entry's files."""
    if cache_dir is None or key is None:
        return draw(directory)
    entry = cache_dir / key[:2] / key
    if entry.is_dir():
        result = _load(entry, directory)
        if result is not None:
            return result
    directory.mkdir(parents=True, exist_ok=True)
    drawn = Path(tempfile.mkdtemp(prefix=f".draw-{key[:12]}.", dir=directory))
    try:
        result = draw(drawn)
        files = sorted(p.name for p in drawn.iterdir() if p.is_file())
        for name in files:
            os.replace(drawn / name, directory / name)
        try:
            text = json.dumps({"files": files, "result": result}, ensure_ascii=False, default=_plain)
        except TypeError:  # a result the cache cannot keep: drawn, not kept
            return result
        _store(entry, directory, files, text)
        return result
    finally:
        shutil.rmtree(drawn, ignore_errors=True)
