"""The codebook covers every commitment with a known kind; a gap or an unknown kind fails by name."""

from pathlib import Path

import pytest
import yaml

from pipelines import settings
from pipelines.curated.codebook import CodebookError, read_codebook
from pipelines.curated.declaration import parse_commitments, read_themes

CODEBOOK = settings.DATA_DIR / "codebook.yaml"


@pytest.fixture(scope="module")
def commitment_ids() -> set[str]:
    text = settings.DECLARATION_FILE.read_text(encoding="utf-8")
    return {c.commitment_id for c in parse_commitments(text, read_themes(settings.THEMES_FILE))}


def test_the_codebook_covers_all_41_commitments(commitment_ids):
    book = read_codebook(CODEBOOK, commitment_ids)
    assert len(book.commitments) == 41
    assert set(book.commitments["commitment_id"]) == commitment_ids
    assert book.commitments["kind"].nunique() >= 4
    assert (book.commitments["codebook_version"] == book.version).all()


def test_every_recurring_commitment_has_a_cadence_and_6_1_is_annual(commitment_ids):
    book = read_codebook(CODEBOOK, commitment_ids)
    recurring = set(book.commitments.query("kind == 'recurring'")["commitment_id"])
    assert recurring <= set(book.mechanisms["commitment_id"])
    assert (book.mechanisms["cadence_months"] > 0).all()
    nsa = book.mechanisms.query("commitment_id == '6.1'").iloc[0]
    assert (nsa["cadence_months"], nsa["cadence_basis"]) == (12, "declared")
    milestones = set(book.commitments.query("kind == 'milestone'")["commitment_id"])
    assert milestones == set(book.rungs["commitment_id"])


def _edited(tmp_path: Path, edit) -> Path:
    document = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    edit(document)
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_a_missing_commitment_fails_naming_it(tmp_path, commitment_ids):
    path = _edited(
        tmp_path,
        lambda d: d.update(commitments=[c for c in d["commitments"] if c["id"] != "3.6"]),
    )
    with pytest.raises(CodebookError, match=r"no entry for commitment\(s\) 3\.6"):
        read_codebook(path, commitment_ids)


def test_an_unknown_kind_fails_naming_the_commitment(tmp_path, commitment_ids):
    def edit(document):
        next(c for c in document["commitments"] if c["id"] == "2.1")["kind"] = "aspiration"

    with pytest.raises(CodebookError, match=r"commitment 2\.1: unknown kind 'aspiration'"):
        read_codebook(_edited(tmp_path, edit), commitment_ids)


def test_a_recurring_mechanism_without_cadence_fails(tmp_path, commitment_ids):
    def edit(document):
        entry = next(c for c in document["commitments"] if c["id"] == "6.1")
        del entry["mechanisms"][0]["cadence_months"]

    with pytest.raises(CodebookError, match=r"6\.1 mechanism nsa_dialogue: cadence_months"):
        read_codebook(_edited(tmp_path, edit), commitment_ids)


def test_a_version_without_a_dated_changelog_entry_fails(tmp_path, commitment_ids):
    with pytest.raises(CodebookError, match="changelog has no dated entry"):
        read_codebook(_edited(tmp_path, lambda d: d.update(version="9.0.0")), commitment_ids)
