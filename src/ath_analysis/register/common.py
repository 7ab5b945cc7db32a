"""Small shared pieces of the national register: its error type, dates, code padding, checksums."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeAlias

import numpy as np
import pandas as pd

from ath_analysis.errors import AthError

DateLike: TypeAlias = "str | dt.date | pd.Timestamp"


class RegisterError(AthError):
    """The national reference data (fetched, imported or loaded) are missing, malformed or inconsistent."""


def day(value: DateLike, what: str = "date") -> pd.Timestamp:
    """A calendar day from 'YYYY-MM-DD', a date or a Timestamp; anything else is a one-line error."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T].*)?", value.strip()):
        raise RegisterError(f"{what} {value!r} is not a date (expected YYYY-MM-DD)")
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise RegisterError(f"{what} {value!r} is not a date (expected YYYY-MM-DD)") from None
    if pd.isna(stamp):
        raise RegisterError(f"{what} is missing (expected YYYY-MM-DD)")
    return stamp.normalize()


def pad(codes: pd.Series, width: int) -> pd.Series:
    """Numeric codes zero-padded to `width` ('91' → '091'); other text is kept, blanks become <NA>.

    The sources disagree on padding (geofi stores integers, the classification service padded strings), so every
    reader passes codes through here once.
    """
    text = codes.astype("string").str.strip()
    text = text.mask(text == "")
    numeric = text.str.fullmatch(r"\d+(\.0+)?").fillna(False)
    digits = text.where(~numeric, text.str.replace(r"\.0+$", "", regex=True))
    return digits.where(~numeric, digits.str.zfill(width))


def per_code(codes: pd.Series, width: int, lookup: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """`lookup` applied to the distinct padded codes only, then spread back over the rows (index kept).

    A million respondents have a few hundred distinct municipality codes: the text work runs on those.
    """
    labels, uniques = pd.factorize(codes.astype("string"))
    distinct = pad(pd.Series(uniques, dtype="string"), width)
    values = lookup(distinct).to_numpy(dtype=object)
    out = np.full(len(labels), None, dtype=object)
    hit = labels >= 0
    out[hit] = values[labels[hit]]
    return pd.Series(out, index=codes.index)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def shown(values: Iterable[object], limit: int = 6) -> str:
    """'a, b, c' for a message, cut after `limit` items with the count of the rest."""
    items = [str(v) for v in values]
    head = ", ".join(items[:limit])
    return head + (f" and {len(items) - limit} more" if len(items) > limit else "")


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def read_csv_text(path: str | Path) -> pd.DataFrame:
    """A CSV with every cell as text ('' for empty); a malformed table is a one-line error naming the file."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else exc.__class__.__name__
        raise RegisterError(f"{path}: not a readable CSV table ({reason})") from None
