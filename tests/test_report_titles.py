"""Source titles in other languages carry an English title, and the column that holds it never
turns older rows into errors."""

import csv
import re

import pytest

from pipelines import settings
from pipelines.curated.registers import (
    EVENT_SOURCE_COLUMNS,
    RegisterError,
    read_register,
    read_rows,
    register_columns,
)

OTHER_SCRIPTS = re.compile(r"[\u0900-\u097f\u3040-\u30ff\u4e00-\u9fff]")
TITLED = ["dialogues", "exercises", "port_calls", "rd_projects", "statements"]


def _titled_rows():
    for family in TITLED:
        path = settings.registers_dir() / f"{family}.csv"
        yield from read_register(path, family).frame.to_dict("records")
    path = settings.registers_dir() / "event_sources.csv"
    yield from read_rows(path, EVENT_SOURCE_COLUMNS).frame.to_dict("records")


def test_every_title_not_in_english_has_an_english_title():
    foreign = [r for r in _titled_rows() if OTHER_SCRIPTS.search(r["source_title"] or "")]
    assert len(foreign) >= 8
    missing = [
        (r["source_file"], r["line_no"])
        for r in foreign
        if not (r["source_title_en"] or "").strip() or OTHER_SCRIPTS.search(r["source_title_en"])
    ]
    assert missing == []


def test_english_titles_sit_only_beside_titles_in_other_languages():
    needless = [
        (r["source_file"], r["line_no"])
        for r in _titled_rows()
        if r["source_title_en"] and not OTHER_SCRIPTS.search(r["source_title"] or "")
    ]
    assert needless == []


def test_the_english_title_column_is_last_in_every_register_that_has_it():
    for family in TITLED + ["event_sources"]:
        with (settings.registers_dir() / f"{family}.csv").open(encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        assert header[-1] == "source_title_en", family


def test_a_row_written_before_the_column_existed_still_loads(tmp_path):
    columns = list(register_columns("dialogues"))
    assert columns[-1] == "source_title_en"
    row = {c: "" for c in columns} | {
        "event_id": "DL-2025-OLD",
        "source_title": "第13回日印外相間戦略対話",
    }
    path = tmp_path / "dialogues.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerow([row[c] for c in columns])  # every field
        writer.writerow([row[c] for c in columns[:-1]])  # stops before source_title_en
        writer.writerow([row[c] for c in columns[:-2]])  # stops before a required column
    frame = read_register(path, "dialogues").frame
    assert frame["load_error"].isna().tolist()[:2] == [True, True]
    assert frame["source_title_en"].isna().tolist()[:2] == [True, True]
    assert (
        frame["load_error"].iloc[2]
        == f"row has {len(columns) - 2} fields, the header has {len(columns)}"
    )


def test_a_register_without_the_column_loads_and_one_missing_another_fails(tmp_path):
    columns = [c for c in register_columns("port_calls") if c != "source_title_en"]
    path = tmp_path / "port_calls.csv"
    path.write_text(",".join(columns) + "\n", encoding="utf-8")
    assert "source_title_en" in read_register(path, "port_calls").frame.columns
    path.write_text(",".join(c for c in columns if c != "source_title") + "\n", encoding="utf-8")
    with pytest.raises(RegisterError, match="lacks column"):
        read_register(path, "port_calls")
