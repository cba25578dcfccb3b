"""rule_keyword_hits and the evidence_rule_matches built on it give exactly what the rules'
regular expressions give: the regex form (tests/reference/) is the oracle, compared row for row on
the bundled registers and on generated rows whose texts aim at keywords, word boundaries, case,
punctuation, exclusions and the spaces that join two fields."""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import pytest

from pipelines import settings
from pipelines.assets.rule_keyword_hits import column_batches, write_rule_keyword_hits
from pipelines.mapping.keyword_matcher import KeywordMatcher, KeywordSet, UnsupportedPattern, expand

REFERENCE = Path(__file__).parent / "reference" / "evidence_rule_matches_regex.sql"
MODEL = settings.SQL_DIR / "mapping" / "evidence_rule_matches.sql"
_INPUTS = ("event_rows", "event_sources", "same_events", "evidence_rules")


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return sorted(con.execute(sql).fetchall(), key=repr)


def _both(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple], list[tuple]]:
    """(the regex oracle's rows, the model's rows), each sorted."""
    expected = _rows(con, REFERENCE.read_text(encoding="utf-8"))
    write_rule_keyword_hits(con)
    return expected, _rows(con, MODEL.read_text(encoding="utf-8"))


def test_expansion_follows_re2_preference():
    assert expand(r"\bCBRN?\b") == [("\\b", *"cbrn", "\\b"), ("\\b", *"cbr", "\\b")]
    assert ["".join(o) for o in expand("defen[cs]e (forum|dialogue)")] == [
        "defence forum", "defence dialogue", "defense forum", "defense dialogue",
    ]  # fmt: skip
    assert ["".join(o) for o in expand("a(b)??c")] == ["ac", "abc"]


@pytest.mark.parametrize(
    "pattern", ["a.b", "ab*", "a+", "(?i)x", r"\d", "[^a]", "a{2}", "é", r"\b", "(a"]
)
def test_patterns_outside_the_finite_subset_are_refused(pattern):
    with pytest.raises(UnsupportedPattern):
        KeywordMatcher([KeywordSet(pattern, ("name",))], ["name"])


def test_unknown_fields_are_refused():
    with pytest.raises(UnsupportedPattern, match="nmae"):
        KeywordMatcher([KeywordSet("x", ("nmae",))], ["name"])


_TRICKY = [
    r"\bCBRN?\b|chemical", "counter[- ]?terror|terror", r"under (the )?(RPSS|ACSA)|\bACSA\b",
    r"Chief of (the )?(Air |Naval )?Staff", "ask|kelvin", r"\b(CDS|COAS)\b", r"a\Bb|b", "s s",
]  # fmt: skip


def _texts(rng: random.Random, words: list[str], n: int) -> list[str]:
    # separators, word characters, non-ASCII letters (two of which fold to ASCII ones), a NUL
    glue = [" ", "  ", "-", "_", ".", ",", "(", ")", "x", "1", "é", "ſ", "\u212a", "İ", "", "\n", "\x00"]  # fmt: skip
    texts = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(0, 7)):
            word = rng.choice(words)
            cut = rng.random()
            if cut < 0.15:
                word = word[: rng.randint(1, len(word))]
            elif cut < 0.3:
                word = word[rng.randint(0, len(word) - 1) :]
            word = "".join(c.upper() if rng.random() < 0.3 else c for c in word)
            word = word.replace("s", "ſ") if rng.random() < 0.05 else word
            word = word.replace("k", "\u212a") if rng.random() < 0.05 else word
            parts += [word, rng.choice(glue)]
        texts.append("".join(parts[: rng.randint(0, len(parts))]))
    return texts


def _patterns(con: duckdb.DuckDBPyConnection, rules: str) -> list[str]:
    rows = con.execute(
        f"SELECT keywords FROM {rules} WHERE keywords <> '' "  # noqa: S608
        f"UNION SELECT exclude_keywords FROM {rules} WHERE exclude_keywords <> ''"
    ).fetchall()
    return sorted(p for (p,) in rows)


def _words(patterns: list[str]) -> list[str]:
    return sorted({"".join(c for c in o if len(c) == 1) for p in patterns for o in expand(p)})


def test_matches_equal_regexp_extract_all_on_random_texts():
    rng = random.Random(20)
    con = duckdb.connect()
    rules = settings.DATA_DIR / "mapping" / "evidence_rules.csv"
    con.execute("CREATE TABLE rules AS SELECT * FROM read_csv(?, all_varchar = true)", [str(rules)])
    patterns = _patterns(con, "rules") + _TRICKY
    fields = ("name", "notes")
    sets = [KeywordSet(p, f) for p in patterns for f in (("name",), fields, ("notes", "name"))]
    matcher = KeywordMatcher(sets, fields)
    words = _words(patterns)
    names, notes = _texts(rng, words, 3000), _texts(rng, words, 3000)
    ours = [matcher.match_row([a, b]) for a, b in zip(names, notes, strict=True)]
    con.execute("CREATE TABLE t AS SELECT unnest($1) AS name, unnest($2) AS notes, unnest(range(len($1))) AS i",
                [names, notes])  # fmt: skip
    hits = 0
    for number, s in enumerate(sets):
        text = " || ' ' || ".join(s.fields)
        expected = con.execute(
            f"SELECT i, regexp_extract_all({text}, '(?i)' || $1), regexp_matches({text}, '(?i)' || $1) "  # noqa: S608
            "FROM t ORDER BY i", [s.pattern],
        ).fetchall()  # fmt: skip
        for i, found, any_match in expected:
            assert ours[i].get(number, []) == found, (s, names[i], notes[i])
            assert (number in ours[i]) == any_match
            hits += bool(found)
    assert hits > 5000  # the texts did hit the keywords


def _generated(con: duckdb.DuckDBPyConnection, n: int, seed: int) -> None:
    """Replace event_rows with n rows drawn from the bundled ones: attributes mixed across rows,
    texts generated from the rules' own words, and a few rules that exercise every anchor."""
    rng = random.Random(seed)
    con.execute(
        "INSERT INTO evidence_rules (rule_id, commitment_id, family, exercise_type, mechanism, stage, "
        "service, host, multilateral, japan_any, india_any, valid_from, keywords, keyword_fields, "
        "exclude_keywords, exclude_fields, rationale) VALUES "
        "('T-ALL', '9.1', '', '', '', '', '', '', '', '', '', '', '', '', '', '', 'every row'),"
        "('T-HOST', '9.2', '', '', '', '', '', 'JP', '', '', '', '', '', '', 'terror', 'notes;name', 'host'),"
        "('T-SERVICE', '9.3', '', '', '', '', 'navy', '', '', '', '', '2020-01-01', '', '', '', '', 'service'),"
        "('T-INDIA', '9.4', '', '', '', '', '', '', 'true', '', 'IN-NAVY|ICG', '', '', '', '', '', 'india'),"
        "('T-FAMILY', '9.5', 'dialogues', '', '', '', '', '', '', '', '', '', '', '', '', '', 'family'),"
        "('T-SPAN', '9.6', '', '', '', '', '', '', '', '', '', '', 'counter terror|s s|\\bquad\\b', "
        "'notes;technology_area;name', 'cyber defen', 'technology_area;name', 'span'),"
        "('T-EMPTY', '9.7', '', '', '', '', '', '', '', '', '', '', 'x', 'location', '', '', 'nothing')"
    )
    words = _words(_patterns(con, "evidence_rules"))
    columns = [
        c for (c,) in con.execute("SELECT column_name FROM (DESCRIBE event_rows)").fetchall()
    ]
    bundled = con.execute("SELECT * FROM event_rows").fetchall()
    texts = {c: _texts(rng, words, n) for c in ("name", "notes", "technology_area", "source_title")}
    rows = []
    for i in range(n):
        row = dict(zip(columns, rng.choice(bundled), strict=True))
        other = dict(zip(columns, rng.choice(bundled), strict=True))
        for c in ("host", "multilateral", "japan_participants", "india_participants", "start_date"):
            row[c] = other[c] if rng.random() < 0.5 else row[c]
        for c, generated in texts.items():
            row[c] = None if rng.random() < 0.05 else generated[i]
        row["event_id"] = f"GEN-{i}"
        rows.append(tuple(row[c] for c in columns))
    con.execute("DELETE FROM event_rows")
    con.executemany(f"INSERT INTO event_rows VALUES ({', '.join('?' * len(columns))})", rows)  # noqa: S608
    con.execute("DELETE FROM same_events")
    sql = (settings.SQL_DIR / "staging" / "events.sql").read_text(encoding="utf-8")
    con.execute(f"CREATE OR REPLACE TABLE events AS {sql}")


@pytest.fixture()
def inputs(built) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"ATTACH '{built / 'warehouse.duckdb'}' AS built (READ_ONLY)")
    for table in (*_INPUTS, "events"):
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM built.{table}")  # noqa: S608
    yield con
    con.close()


def test_model_equals_the_regex_oracle_on_the_bundled_registers(inputs, warehouse):
    expected, ours = _both(inputs)
    assert len(expected) > 100
    assert ours == expected
    assert _rows(warehouse, "SELECT * FROM evidence_rule_matches") == expected


def test_model_equals_the_regex_oracle_on_generated_rows(inputs):
    _generated(inputs, 4000, seed=7)
    expected, ours = _both(inputs)
    by_rule = {r[3] for r in expected}
    assert {"T-ALL", "T-HOST", "T-SERVICE", "T-INDIA", "T-FAMILY", "T-SPAN"} <= by_rule
    assert len(by_rule) > 40
    assert ours == expected


def test_column_batches_give_every_row_its_values_in_order():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE event_rows AS SELECT * FROM (VALUES ('a', 'Quad x', NULL), ('b', NULL, 'é ſ'), "
        "('c', '', 'z'), ('d', 'JIMEX', 'k')) AS t(event_id, name, notes)"
    )
    con.execute("DELETE FROM event_rows WHERE event_id = 'b'")  # a gap in the row ids
    # lengths are counted in code points on both sides: combining marks and astral characters too
    con.execute("INSERT INTO event_rows VALUES ('e', 'ſ\u212a e\u0301 \U0001f600', 'last')")
    rows = []
    for ids, texts, lengths in column_batches(con, ["name", "notes"], rows=2):
        for row, event_id in enumerate(ids):
            values = []
            for text, column in zip(texts, lengths, strict=True):
                start = sum(n + 2 for n in column[:row])
                values.append(text[start : start + column[row]])
                assert text[start + column[row]] == " "  # each value is followed by ' '
            rows.append((event_id, *values))
    assert rows == [
        ("a", "Quad x", ""),
        ("c", "", "z"),
        ("d", "JIMEX", "k"),
        ("e", "ſ\u212a e\u0301 \U0001f600", "last"),
    ]


def test_hits_do_not_depend_on_the_batch_size(inputs, monkeypatch):
    write_rule_keyword_hits(inputs)
    whole = _rows(inputs, "SELECT * FROM rule_keyword_hits")
    monkeypatch.setattr("pipelines.assets.rule_keyword_hits.BATCH_ROWS", 7)
    write_rule_keyword_hits(inputs)
    assert _rows(inputs, "SELECT * FROM rule_keyword_hits") == whole
    assert len(whole) > 100
