"""Read the analyst-maintained event registers (data/registers/*.csv) exactly as received.

Reading only checks what a CSV parser can: encoding, the header, the number of fields, field
length. Every row comes back, so nothing is lost: a row that cannot be read carries a
`load_error`, and the staging SQL types and validates the rest and sends failures to `quarantine`.
A header that lacks a column makes the whole file unusable, which is a clear error instead.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipelines.inputs import InputError, read_bytes

COMMON_COLUMNS = (
    "event_id", "name", "start_date", "end_date", "date_precision", "location", "host",
    "japan_participants", "india_participants", "other_participants", "multilateral",
    "source_url", "source_title", "published_date", "retrieved_date", "notes",
)  # fmt: skip
FAMILY_COLUMNS = {
    "exercises": ("exercise_type", "domains"),
    "port_calls": ("vessels", "port", "direction", "service"),
    "rd_projects": ("partners", "stage", "technology_area"),
    "dialogues": ("mechanism",),
}
# Passages of joint documents: not events, so they have their own columns and never reach `events`.
STATEMENT_COLUMNS = (
    "statement_id", "document_title", "document_date", "issuer", "document_type", "source_url",
    "source_title", "passage", "commitment_ids", "retrieved_date", "notes",
)  # fmt: skip
# The largest register measured end to end (the benchmark's large size: 250,000 rows a register,
# 3.26 GB peak). A 1,000,000-row register took 23 minutes and 7.6 GB: it is refused by name.
MAX_REGISTER_LINES = 300_000
MAX_REGISTER_BYTES = 256 * 1024 * 1024
# what was searched for each recurring series and year, and what was found (an event id or
# "not found"): the evidence behind each register's complete-through date
SEARCH_LOG_COLUMNS = ("register", "series", "year", "searched_on", "searched", "result", "notes")
# sources beyond the one a register row cites (e.g. an agency repost kept beside the original)
EVENT_SOURCE_COLUMNS = (
    "event_id", "source_url", "source_title", "published_date", "retrieved_date", "notes",
    "source_title_en",
)  # fmt: skip
# Columns added after the registers were first laid out, always at the end of the header: a file
# may lack them, and a row may stop before them (a row written before the column existed, or by
# someone who has no value for it), so adding a column never turns old rows into errors.
# source_title_en: the English title of a source titled in another language, written by the
# analyst who read the page.
OPTIONAL_TRAILING_COLUMNS = ("source_title_en",)
MAX_FIELD_CHARS = 5_000  # longer than any real title or note; guards the report and the warehouse

csv.field_size_limit(64 * 1024 * 1024)  # read oversized fields so they can be rejected by name


class RegisterError(ValueError):
    """A register file that cannot be read at all (its header, typically)."""


@dataclass
class RegisterRead:
    frame: pd.DataFrame
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def n_load_errors(self) -> int:
        return int(self.frame["load_error"].notna().sum())


def register_columns(family: str) -> tuple[str, ...]:
    if family == "statements":
        return STATEMENT_COLUMNS + OPTIONAL_TRAILING_COLUMNS
    return COMMON_COLUMNS + FAMILY_COLUMNS[family] + OPTIONAL_TRAILING_COLUMNS


def read_register(path: Path, family: str, display_name: str | None = None) -> RegisterRead:
    """All rows of one register as text, with file, line and any load error."""
    return read_rows(path, register_columns(family), display_name)


def read_rows(
    path: Path, expected: tuple[str, ...], display_name: str | None = None
) -> RegisterRead:
    """All rows of a curated CSV with the `expected` columns, as text, with file, line and error."""
    name = display_name or path.name
    try:
        raw = read_bytes(path, name, MAX_REGISTER_BYTES)
    except InputError as error:
        raise RegisterError(str(error)) from None
    n_lines = raw.count(b"\n") + raw.count(b"\r") - raw.count(b"\r\n")
    if n_lines > MAX_REGISTER_LINES + 1:
        raise RegisterError(
            f"{name}: {n_lines - 1:,} lines, over the cap of {MAX_REGISTER_LINES:,} rows per "
            "register file; remove rows that are not events (or raise the cap after measuring a run)"
        )
    lines, bad_lines = physical_lines(raw)
    reader = csv.reader(iter(lines), strict=True)
    try:
        header = [column.strip() for column in next(reader)]
    except StopIteration:
        raise RegisterError(f"{name}: the file is empty (expected a header row)") from None
    except csv.Error as error:
        raise RegisterError(f"{name}, line 1: the header cannot be parsed: {error}") from None
    _check_header(name, header, expected)
    ignored = [column for column in header if column not in expected]

    records = []
    line_no = 1
    while True:
        first_line = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            records.append(_error_row(name, first_line, f"CSV cannot be parsed: {error}", ""))
            reader = _resume_after(lines, reader.line_num)
            continue
        line_no = first_line
        if not any(value.strip() for value in fields):
            continue  # blank line
        row_lines = set(range(first_line, reader.line_num + 1))
        fields += [""] * _optional_tail(header, len(fields))
        if row_lines & bad_lines:
            records.append(_error_row(name, line_no, "not valid UTF-8 text", ",".join(fields)))
        elif any("\x00" in value for value in fields):
            reason = "contains a NUL character (binary data?); remove it"
            records.append(_error_row(name, line_no, reason, ",".join(fields).replace("\x00", "")))
        elif len(fields) != len(header):
            reason = f"row has {len(fields)} fields, the header has {len(header)}"
            records.append(_error_row(name, line_no, reason, ",".join(fields)))
        elif too_long := [
            h for h, v in zip(header, fields, strict=True) if len(v) > MAX_FIELD_CHARS
        ]:
            reason = f"field {too_long[0]} is longer than {MAX_FIELD_CHARS} characters"
            records.append(_error_row(name, line_no, reason, ""))
        else:
            row = dict.fromkeys(OPTIONAL_TRAILING_COLUMNS) | {
                h: (v.strip() or None) for h, v in zip(header, fields, strict=True) if h in expected
            }
            records.append(
                {
                    "source_file": name,
                    "line_no": line_no,
                    **row,
                    "load_error": None,
                    "raw_record": None,
                }
            )
    columns = ["source_file", "line_no", *expected, "load_error", "raw_record"]
    frame = pd.DataFrame.from_records(records, columns=columns).astype({"line_no": "int64"})
    frame[list(expected) + ["load_error", "raw_record"]] = frame[
        list(expected) + ["load_error", "raw_record"]
    ].astype("string")
    return RegisterRead(frame, ignored)


def _optional_tail(header: list[str], n_fields: int) -> int:
    """How many empty fields a row stopping after `n_fields` lacks, when only optional trailing
    columns are missing (0 otherwise: a row missing any other column is an error)."""
    tail = header[n_fields:]
    return len(tail) if tail and all(c in OPTIONAL_TRAILING_COLUMNS for c in tail) else 0


def _check_header(name: str, header: list[str], expected: tuple[str, ...]) -> None:
    duplicated = sorted({column for column in header if header.count(column) > 1})
    if duplicated:
        raise RegisterError(f"{name}, line 1: column(s) named twice: {', '.join(duplicated)}")
    missing = [
        column
        for column in expected
        if column not in header and column not in OPTIONAL_TRAILING_COLUMNS
    ]
    if missing:
        raise RegisterError(f"{name}, line 1: the header lacks column(s) {', '.join(missing)}")


def _error_row(name: str, line_no: int, reason: str, raw_record: str) -> dict:
    return {
        "source_file": name,
        "line_no": line_no,
        "load_error": reason,
        "raw_record": raw_record[:500],
    }


def physical_lines(raw: bytes) -> tuple[list[str], set[int]]:
    """The file's lines as text, and the numbers of those that are not valid UTF-8.

    Lines end at \\n, \\r or \\r\\n, exactly where the csv module ends them, and each is decoded on
    its own: line N of the bytes is line N of the text, whatever the line endings. Breaks that
    str.splitlines() would add (U+2028, U+0085, form feed...) are text inside a field.
    """
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    lines, bad = [], set()
    for number, line in enumerate(raw.splitlines(keepends=True), start=1):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(line.decode("utf-8", errors="replace"))
            bad.add(number)
    return lines, bad


def _resume_after(lines: list[str], line_num: int):
    """A reader positioned after a row the CSV parser rejected, keeping physical line numbers."""
    reader = csv.reader(iter(lines[line_num:]), strict=True)
    return _OffsetReader(reader, line_num)


class _OffsetReader:
    def __init__(self, reader, offset: int):
        self._reader, self._offset = reader, offset

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._reader)

    @property
    def line_num(self) -> int:
        return self._reader.line_num + self._offset
