"""The declaration parser on the real text and on truncated or altered copies of it."""

import pytest

from pipelines import settings
from pipelines.curated.declaration import DeclarationFormatError, parse_commitments, read_themes

REAL_TEXT = settings.DECLARATION_FILE.read_text(encoding="utf-8")
THEMES = read_themes(settings.THEMES_FILE)


def test_real_text_gives_41_commitments_in_sections_of_9_5_8_5_8_6():
    parsed = parse_commitments(REAL_TEXT, THEMES)
    assert len(parsed) == 41
    counts = [sum(c.section == s for c in parsed) for s in range(1, 7)]
    assert counts == [9, 5, 8, 5, 8, 6]
    assert [c.commitment_id for c in parsed][:3] == ["1.1", "1.2", "1.3"]
    assert parsed[-1].commitment_id == "6.6"


def test_section_4_lead_sentence_spans_the_blank_line():
    section_4 = next(c for c in parse_commitments(REAL_TEXT, THEMES) if c.commitment_id == "4.1")
    assert section_4.section_text.startswith("Find additional opportunities")
    assert "and to respond to the challenges" in section_4.section_text
    assert section_4.section_text.endswith("including by the following ways:")


def test_section_5_items_separated_by_blank_lines_are_all_read():
    by_id = {c.commitment_id: c for c in parse_commitments(REAL_TEXT, THEMES)}
    assert by_id["5.1"].text.startswith("Supporting ASEAN centrality")
    assert by_id["5.8"].text.startswith("Continuing to work together for India's membership")
    assert by_id["5.8"].theme == "India in the NSG"


def test_truncated_text_names_the_missing_sections_and_items():
    truncated = REAL_TEXT[
        : REAL_TEXT.index("- (6) Exploring cooperation opportunities in military")
    ]
    with pytest.raises(DeclarationFormatError) as error:
        parse_commitments(truncated, THEMES)
    message = str(error.value)
    assert "section 3 has 5 items, expected 8; missing item(s) (6), (7), (8)" in message
    assert "section 4 is missing" in message
    assert "section 6 is missing" in message


def test_a_deleted_item_is_reported_not_skipped():
    altered = "\n".join(
        line
        for line in REAL_TEXT.splitlines()
        if not line.startswith("- (3) Enhanced law enforcement")
    )
    with pytest.raises(DeclarationFormatError, match=r"section 2 has 4 items, expected 5"):
        parse_commitments(altered, THEMES)


def test_stray_text_inside_a_section_fails_loudly():
    altered = REAL_TEXT.replace(
        "- (4) Collaboration between Special Operations Units",
        "- (4) Collaboration between Special Operations Units\nAn unnumbered stray paragraph",
    )
    with pytest.raises(DeclarationFormatError, match=r"unexpected text inside section 1"):
        parse_commitments(altered, THEMES)


def test_every_commitment_needs_a_curated_theme():
    themes = {k: v for k, v in THEMES.items() if k != "3.8"}
    with pytest.raises(DeclarationFormatError, match=r"no theme curated for commitment\(s\) 3.8"):
        parse_commitments(REAL_TEXT, themes)


def test_commitments_table_after_materialization(warehouse):
    rows = warehouse.execute(
        "SELECT section, count(*) FROM commitments GROUP BY section ORDER BY section"
    ).fetchall()
    assert rows == [(1, 9), (2, 5), (3, 8), (4, 5), (5, 8), (6, 6)]
    assert warehouse.execute(
        "SELECT count(DISTINCT commitment_id) FROM commitments"
    ).fetchone() == (41,)
