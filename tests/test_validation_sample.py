"""Past the default sample size the row-wise checks see a bounded sample and say its size, while
uniqueness, not-null and row counts still cover every row."""

import duckdb
import pytest

from pipelines import settings

ROWS = settings.VALIDATION_SAMPLE_ROWS + 50_000

MINERALS_TRADE = f"""
CREATE TABLE minerals_trade AS SELECT
    2015 + i % 11 AS year, (['JPN', 'IND'])[1 + i % 2] AS reporter,
    (['JPN', 'IND', 'WLD'])[1 + i % 3] AS partner, (['import', 'export'])[1 + i % 2] AS flow,
    'comtrade' AS source, 'snapshot-' || (i // 100000) AS snapshot_id, 'comtrade' AS origin,
    (i % 997) * 1000.0 AS value_usd, (i % 997) * 1000.0 AS value, (i % 1000) * 10.0 AS net_weight_kg,
    CAST(2015 + i % 11 AS VARCHAR) AS period, 'calendar_year' AS period_kind, 'exact' AS hs_match,
    6 AS hs_level, false AS below_rounding, false AS doubtful,
    (['specific', 'mixed'])[1 + i % 2] AS carries, NULL::DOUBLE AS quantity,
    (i % 991) * 5000.0 AS world_usd
FROM range({ROWS}) AS t(i)
"""


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    monkeypatch.delenv("TRACKER_VALIDATION_SAMPLE_ROWS", raising=False)
    monkeypatch.setenv("TRACKER_BUILD_DIR", str(tmp_path))
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    settings.apply_duckdb_config(con)
    con.execute(MINERALS_TRADE)
    yield con
    con.close()


def test_the_default_sample_is_bounded_and_reported_with_its_size(warehouse):
    from pipelines.warehouse.validation import _row_wise_frame, validate_table

    assert settings.validation_sample_rows() == settings.VALIDATION_SAMPLE_ROWS
    result = validate_table(warehouse, "minerals_trade")
    assert result.success, result.failures
    assert result.rows == ROWS
    assert result.rows_validated == settings.VALIDATION_SAMPLE_ROWS < ROWS
    assert result.sampled and result.full_row_checks > 0
    frame = _row_wise_frame(warehouse, "minerals_trade", ["reporter"], ROWS, True)
    assert len(frame) == settings.VALIDATION_SAMPLE_ROWS


def test_a_null_on_the_last_row_is_caught_beyond_the_sample(warehouse):
    from pipelines.warehouse.validation import validate_table

    warehouse.execute(f"UPDATE minerals_trade SET reporter = NULL WHERE rowid = {ROWS - 1}")
    result = validate_table(warehouse, "minerals_trade")
    assert not result.success
    [failure] = [f for f in result.failures if f["checked"] == "all_rows"]
    assert failure["column"] == "reporter" and failure["unexpected_count"] == 1
    assert failure["rows_checked"] == ROWS
