"""Reading SPSS files safely: what a file is, its dictionary, and only the columns a wave needs.

ReadStat (through pyreadstat) is C code: a damaged file can crash it, and a crash would kill the whole
workflow job with a signal and no word about the file. So every read runs in a child process and a crash
becomes a message that names the file. The dictionary (names, types, labels, user-missing codes, encoding)
is read first, without the data, so that names and types are checked before anything large is read; then
only the columns asked for are read (`usecols`), with dates left as numbers (SPSS seconds since
1582-10-14), which is what every numeric check needs and never overflows. The data are read with the
header's case count blanked, so the reader counts the cases itself and a header that claims fewer (or more)
cases than the file holds is caught instead of silently dropping rows.
"""

from __future__ import annotations

import codecs
import faulthandler
import multiprocessing
import re
import signal
import struct
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal, cast

import numpy as np
import pandas as pd
import pyreadstat

from ath_analysis.errors import AthError, DataError

Kind = Literal["numeric", "string", "date", "datetime", "time"]

SAV_MAGIC = {b"$FL2": "sav", b"$FL3": "zsav"}
DATE_FORMATS = frozenset({"DATE", "ADATE", "EDATE", "JDATE", "SDATE", "QYR", "MOYR", "WKYR"})
DATETIME_FORMATS = frozenset({"DATETIME", "YMDHMS"})
TIME_FORMATS = frozenset({"TIME", "DTIME", "MTIME"})
# SPSS counts dates in seconds from the start of the Gregorian calendar
SPSS_EPOCH = np.datetime64("1582-10-14T00:00:00", "s")
_CASE_COUNT = slice(80, 84)  # int32 in the file header; -1 = "not recorded"
_HEADER_SIZE = 176
_SUGGESTED_ENCODING = "windows-1252"
_LAST_SECOND = float((np.datetime64("9999-12-31T23:59:59", "s") - SPSS_EPOCH).astype(np.int64))
_CODE_PAGES = {2: "US-ASCII", 3: "8-bit ASCII", 65001: "UTF-8", 1252: "windows-1252", 28591: "ISO-8859-1",
               28605: "ISO-8859-15", 20127: "US-ASCII"}


@dataclass(frozen=True)
class Variable:
    """One variable of an SPSS dictionary."""

    name: str
    label: str | None
    format: str  # SPSS print format: F8.2, A20, ADATE10 ...
    kind: Kind
    value_labels: Mapping[Any, str] = field(default_factory=dict)
    missing: tuple[Mapping[str, Any], ...] = ()  # user-missing codes and ranges, {"lo": .., "hi": ..}

    @property
    def is_date(self) -> bool:
        return self.kind in ("date", "datetime", "time")


@dataclass(frozen=True)
class SavInfo:
    """The dictionary of an SPSS file: everything but the data.

    The pyreadstat-style attributes (`column_names`, `variable_value_labels`, `missing_ranges` ...) are kept
    for code written against pyreadstat's metadata.
    """

    path: str
    format: str  # "sav" (uncompressed or bytecode) or "zsav" (zlib)
    encoding: str | None  # what the text was decoded as: the file's own encoding or the one asked for
    claimed_encoding: str | None  # what the file says it is
    file_label: str | None
    rows: int | None  # cases the header claims; None when the header does not say
    variables: Mapping[str, Variable]
    mr_sets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return list(self.variables)

    @property
    def column_labels(self) -> list[str | None]:
        return [v.label for v in self.variables.values()]

    @property
    def variable_value_labels(self) -> dict[str, Mapping[Any, str]]:
        return {n: v.value_labels for n, v in self.variables.items() if v.value_labels}

    @property
    def missing_ranges(self) -> dict[str, list[Mapping[str, Any]]]:
        return {n: list(v.missing) for n, v in self.variables.items() if v.missing}

    @property
    def original_variable_types(self) -> dict[str, str]:
        return {n: v.format for n, v in self.variables.items()}

    @property
    def number_rows(self) -> int | None:
        return self.rows

    @property
    def file_encoding(self) -> str | None:
        return self.encoding


# --- what kind of file is it ------------------------------------------------------------------------------

def sniff_format(path: str | Path) -> str:
    """'sav', 'zsav', 'por' (portable), 'encrypted', 'empty' or 'unknown', from the first bytes."""
    with open(path, "rb") as handle:
        head = handle.read(1024)
    if not head:
        return "empty"
    if head[:4] in SAV_MAGIC:
        return SAV_MAGIC[head[:4]]
    if head[8:20] == b"ENCRYPTEDSAV":
        return "encrypted"
    flat = head.replace(b"\r", b"").replace(b"\n", b"")
    if b"SPSSPORT" in flat or b"SPSS PORT FILE" in flat:
        return "por"
    return "unknown"


def check_spss_file(path: str | Path, where: str = "") -> str:
    """The file's format ('sav' or 'zsav'), or a DataError that says what the file is and what to do."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{where}data file {path} not found")
    kind = sniff_format(path)
    if kind in ("sav", "zsav"):
        return kind
    if kind == "empty":
        raise DataError(f"{where}data file {path} is empty")
    if kind == "por":
        raise DataError(
            f"{where}{path} is an SPSS portable file (.por), which is not read directly: convert it to .sav with "
            f"GNU PSPP (`pspp-convert {path} {path.with_suffix('.sav')}`) or open it in SPSS and save as .sav"
        )
    if kind == "encrypted":
        raise DataError(
            f"{where}{path} is an encrypted SPSS file: decrypt it with GNU PSPP (`pspp-convert -p PASSWORD {path} "
            f"{path.with_name(path.stem + '_decrypted.sav')}`) or save it unencrypted in SPSS"
        )
    with open(path, "rb") as handle:
        head = handle.read(4)
    raise DataError(
        f"{where}{path} is not an SPSS .sav file (it starts with {head!r}, not '$FL2'); "
        "export the data from SPSS as .sav"
    )


# --- the dictionary, walked in Python (never crashes) ------------------------------------------------------

@dataclass(frozen=True)
class Record:
    """One dictionary record: its type (2 variable, 3/4 value labels, 6 document, 7 extension), subtype
    (extensions only), where it starts and where its payload starts and ends."""

    type: int
    subtype: int | None
    start: int
    payload: int
    end: int


def header_fields(head: bytes) -> dict[str, Any]:
    """Byte order, compression and case count from the 176-byte file header."""
    order = "<" if struct.unpack("<i", head[64:68])[0] in (2, 3) else ">"
    compression, _, cases = struct.unpack(order + "iii", head[72:84])
    return {"byte_order": order, "compression": compression, "cases": None if cases < 0 else cases}


def dictionary_records(path: str | Path) -> list[Record]:
    """The dictionary's records in file order, up to the termination record (999) or the first bytes that do
    not parse (then the list ends early): a plain walk with small reads, which cannot crash on a damaged file."""
    records: list[Record] = []
    with open(path, "rb") as handle:
        head = handle.read(_HEADER_SIZE)
        if len(head) < _HEADER_SIZE or head[:4] not in SAV_MAGIC:
            return records
        order = header_fields(head)["byte_order"]
        size = Path(path).stat().st_size

        def ints(n: int) -> tuple[int, ...] | None:
            chunk = handle.read(4 * n)
            return struct.unpack(f"{order}{n}i", chunk) if len(chunk) == 4 * n else None

        while True:
            start = handle.tell()
            first = ints(1)
            if first is None:
                break
            (rec_type,) = first
            subtype = None
            if rec_type == 2:
                fields = ints(7)  # type, has_label, n_missing, print, write, name (8 bytes)
                if fields is None:
                    break
                if fields[1]:
                    length = ints(1)
                    if length is None or length[0] < 0:
                        break
                    handle.seek((length[0] + 3) // 4 * 4, 1)
                handle.seek(8 * abs(fields[2]), 1)
            elif rec_type == 3:
                count = ints(1)
                if count is None or count[0] < 0:
                    break
                for _ in range(count[0]):
                    label = handle.read(9)
                    if len(label) < 9:
                        break
                    handle.seek((label[8] + 8) // 8 * 8 - 1, 1)
            elif rec_type in (4, 6):
                count = ints(1)
                if count is None or count[0] < 0:
                    break
                handle.seek((4 if rec_type == 4 else 80) * count[0], 1)
            elif rec_type == 7:
                fields = ints(3)
                if fields is None or fields[1] < 0 or fields[2] < 0:
                    break
                subtype = fields[0]
                handle.seek(fields[1] * fields[2], 1)
            elif rec_type == 999:
                records.append(Record(999, None, start, start + 8, start + 8))
                break
            else:
                break
            end = handle.tell()
            if end > size:
                break
            records.append(Record(rec_type, subtype, start, start + (16 if rec_type == 7 else 8), end))
    return records


def claimed_encoding(path: str | Path) -> str | None:
    """The character encoding the file says it uses (its encoding record, else its code page), if any."""
    try:
        records = dictionary_records(path)
        with open(path, "rb") as handle:
            order = header_fields(handle.read(_HEADER_SIZE))["byte_order"]
            for record in records:
                if record.type == 7 and record.subtype == 20:
                    handle.seek(record.payload)
                    return handle.read(record.end - record.payload).decode("ascii", "replace").strip() or None
            for record in records:
                if record.type == 7 and record.subtype == 3 and record.end - record.payload == 32:
                    handle.seek(record.payload)
                    code_page = struct.unpack(order + "8i", handle.read(32))[7]
                    return _CODE_PAGES.get(code_page, f"code page {code_page}")
    except (OSError, struct.error):
        return None
    return None


def header_case_count(path: str | Path) -> int | None:
    """The number of cases the file header claims (None when it says -1, "unknown")."""
    with open(path, "rb") as handle:
        head = handle.read(_HEADER_SIZE)
    if len(head) < _HEADER_SIZE:
        return None
    return header_fields(head)["cases"]


# --- reading in a child process -----------------------------------------------------------------------------

def _child(sender: Any, target: Callable[..., Any], args: tuple[Any, ...]) -> None:
    faulthandler.disable()  # a crash is reported by the parent, in one line, not as a stack dump
    try:
        outcome: tuple[Any, ...] = ("ok", target(*args))
    except AthError as exc:
        outcome = ("user", type(exc).__name__, str(exc))
    except BaseException as exc:  # a bug: pass the traceback to the parent
        outcome = ("bug", f"{type(exc).__name__}: {exc}", traceback.format_exc())
    try:
        sender.send(outcome)
    finally:
        sender.close()


def _context() -> Any:
    # fork is fast and needs nothing importable; elsewhere (macOS, Windows) spawn is the safe default
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")


def run_isolated(target: Callable[..., Any], *args: Any, path: str | Path, where: str = "") -> Any:
    """`target(*args)` in a child process; a crash of the C reader becomes a DataError that names `path`.

    `target` must be a module-level function whose arguments and result can be pickled.
    """
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, target, args))
    process.start()
    sender.close()
    try:
        outcome = receiver.recv()
    except EOFError:  # the child died without answering
        outcome = None
    except BaseException:  # interrupted: do not leave the child behind
        process.kill()
        raise
    finally:
        receiver.close()
        process.join()
    if outcome is None:
        code = process.exitcode
        how = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit code {code}"
        raise DataError(f"{where}cannot read {path}: the SPSS reader crashed on it ({how}; damaged file?)")
    if outcome[0] == "user":
        raise DataError(outcome[2])
    if outcome[0] == "bug":
        raise RuntimeError(f"reading {path} failed in the child process: {outcome[1]}\n{outcome[2]}")
    return outcome[1]


# --- pyreadstat, with its errors turned into messages --------------------------------------------------------

def check_encoding_name(encoding: str | None, where: str = "") -> None:
    """Refuse an encoding name nobody knows (pyreadstat would say only "unsupported character set")."""
    if encoding is None:
        return
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise DataError(f"{where}unknown encoding '{encoding}' (use a name such as windows-1252, "
                        f"ISO-8859-15 or UTF-8)") from None


def _read_error(exc: Exception, path: str, encoding: str | None, where: str) -> DataError:
    text = str(exc)
    claimed = claimed_encoding(path)
    if "convert string" in text or "character set" in text or isinstance(exc, UnicodeDecodeError):
        if encoding:
            return DataError(f"{where}cannot decode the text of {path} as {encoding} (the encoding asked for; the "
                             f"file claims {claimed or 'none'}): try another `encoding:` for the wave")
        suggestion = _SUGGESTED_ENCODING if (claimed or "").upper() != "WINDOWS-1252" else "ISO-8859-15"
        return DataError(
            f"{where}cannot decode the text of {path}: it is not valid {claimed or 'in the encoding it claims'} "
            f"(the encoding the file claims); if you know its real encoding, set it for the wave in config "
            f"(`encoding: {suggestion}`) or try `ath-analysis inspect --encoding {suggestion} {path}`"
        )
    return DataError(f"{where}cannot read {path}: {text} (is the file truncated or corrupt?)")


def _kind(fmt: str, readstat_type: str | None) -> Kind:
    match = re.match(r"[A-Z]+", fmt.upper())
    prefix = match.group(0) if match else ""
    if readstat_type == "string" or prefix in ("A", "AHEX"):
        return "string"
    if prefix in DATETIME_FORMATS:
        return "datetime"
    if prefix in DATE_FORMATS:
        return "date"
    if prefix in TIME_FORMATS:
        return "time"
    return "numeric"


def load_info(path: str | Path, encoding: str | None = None, where: str = "") -> SavInfo:
    """The file's dictionary (no data), read in this process: call `read_info` unless already in a child."""
    path = Path(path)
    fmt = check_spss_file(path, where)
    check_encoding_name(encoding, where)
    try:
        _, meta = pyreadstat.read_sav(str(path), metadataonly=True, user_missing=True, encoding=encoding,
                                      disable_datetime_conversion=True)
    except Exception as exc:  # pyreadstat raises several types for damaged files
        raise _read_error(exc, str(path), encoding, where) from None
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    formats = {name: str(meta.original_variable_types.get(name) or "") for name in meta.column_names}
    variables = {
        name: Variable(
            name=name,
            label=labels.get(name),
            format=formats[name],
            kind=_kind(formats[name], meta.readstat_variable_types.get(name)),
            value_labels=dict(meta.variable_value_labels.get(name, {})),
            missing=tuple(cast(list[Mapping[str, Any]], meta.missing_ranges.get(name, []))),
        )
        for name in meta.column_names
    }
    return SavInfo(path=str(path), format=fmt, encoding=encoding or meta.file_encoding,
                   claimed_encoding=claimed_encoding(path), file_label=meta.file_label,
                   rows=header_case_count(path), variables=variables,
                   mr_sets=dict(getattr(meta, "mr_sets", None) or {}))


def read_info(path: str | Path, encoding: str | None = None, where: str = "") -> SavInfo:
    """The file's dictionary (no data), read in a child process; every failure is a DataError naming the file."""
    check_spss_file(path, where)
    check_encoding_name(encoding, where)
    return run_isolated(load_info, str(path), encoding, where, path=path, where=where)


class _CountingReader:
    """A read-only view of the file whose header says "case count unknown", so the reader counts cases."""

    def __init__(self, handle: BinaryIO):
        self.handle = handle

    def read(self, size: int | None = -1, /) -> bytes:
        start = self.handle.tell()
        data = self.handle.read(-1 if size is None else size)
        lo, hi = max(start, _CASE_COUNT.start), min(start + len(data), _CASE_COUNT.stop)
        if lo < hi:
            patched = bytearray(data)
            patched[lo - start:hi - start] = b"\xff" * (hi - lo)
            data = bytes(patched)
        return data

    def seek(self, pos: int, whence: int = 0, /) -> int:
        return self.handle.seek(pos, whence)

    def tell(self) -> int:
        return self.handle.tell()


def _load_frame(path: str, columns: list[str] | None, encoding: str | None, where: str) -> pd.DataFrame:
    try:
        with open(path, "rb") as handle:
            frame, _ = pyreadstat.read_sav(_CountingReader(handle), usecols=columns, user_missing=True,
                                           encoding=encoding, disable_datetime_conversion=True)
    except Exception as exc:
        raise _read_error(exc, path, encoding, where) from None
    return frame


def _wanted(path: str | Path, columns: Sequence[str] | None, info: SavInfo) -> list[str] | None:
    if columns is None:
        return None
    unknown = [c for c in columns if c not in info.variables]
    if unknown:  # pyreadstat would drop them silently
        raise ValueError(f"columns not in {path}: {', '.join(unknown)}")
    return list(dict.fromkeys(columns))


def _checked_rows(frame: pd.DataFrame, info: SavInfo, path: str | Path, where: str) -> pd.DataFrame:
    rows = len(frame)
    if info.rows is not None and rows != info.rows:
        more = "more" if rows > info.rows else "fewer"
        raise DataError(
            f"{where}{path}: the file header says {info.rows:,} cases but the file holds {rows:,} ({more} than it "
            "says): it was damaged or rewritten by a faulty tool; re-export it from SPSS or rewrite it with "
            f"`pspp-convert {path} fixed.sav`"
        )
    return frame


def load_columns(path: str | Path, columns: Sequence[str] | None, info: SavInfo, encoding: str | None = None,
                 where: str = "") -> pd.DataFrame:
    """`read_columns` in this process (for code that already runs in a child)."""
    frame = _load_frame(str(path), _wanted(path, columns, info), encoding, where)
    return _checked_rows(frame, info, path, where)


def read_columns(path: str | Path, columns: Sequence[str] | None, info: SavInfo, encoding: str | None = None,
                 where: str = "") -> pd.DataFrame:
    """The named columns (all when None), in file order, with user-missing codes kept and dates as SPSS
    seconds, read in a child process.

    `columns` must be names from `info` (pyreadstat drops unknown names silently). The cases are counted
    while reading: a header that claims another number is an error.
    """
    frame = run_isolated(_load_frame, str(path), _wanted(path, columns, info), encoding, where, path=path,
                         where=where)
    return _checked_rows(frame, info, path, where)


# --- dates and text ---------------------------------------------------------------------------------------

def spss_seconds_to_datetime(seconds: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(datetime64[s] values, mask of values that are a real calendar date, years 1582-9999).

    SPSS stores dates as seconds since 1582-10-14; a value outside the calendar (a typo, year 201416) is
    reported, not converted: that is what made one stray timestamp stop a whole wave before.
    """
    values = np.asarray(seconds, dtype=float)
    valid = np.isfinite(values) & (values >= 0) & (values <= _LAST_SECOND)
    out = np.full(values.shape, np.datetime64("NaT"), dtype="datetime64[s]")
    out[valid] = SPSS_EPOCH + values[valid].astype(np.int64).astype("timedelta64[s]")
    return out, valid


_C1_CONTROLS = re.compile("[\u0080-\u009f]")


def mojibake_warning(texts: Sequence[str], info: SavInfo, where: str = "") -> str | None:
    """A warning when decoded text has C1 control characters, the mark of windows-1252 bytes read as
    ISO-8859-1 (€ – “ ” become invisible controls): the file's encoding record is probably wrong."""
    bad = next((t for t in texts if isinstance(t, str) and _C1_CONTROLS.search(t)), None)
    if bad is None:
        return None
    return (f"{where}{info.path}: text decoded as {info.encoding} contains control characters "
            f"(e.g. {bad[:40]!r}): the file is probably windows-1252; set `encoding: windows-1252` for the wave "
            "(or `ath-analysis inspect --encoding windows-1252`)")
