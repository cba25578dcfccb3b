"""README's coverage section is what the shipped registers produce, not typed by hand."""

from pipelines import settings
from pipelines.reporting.coverage import coverage_markdown, readme_section


def test_readme_coverage_matches_the_data(warehouse):
    expected = coverage_markdown(warehouse)
    assert readme_section(settings.PROJECT_ROOT / "README.md") == expected, (
        "README coverage is stale: run `python -m pipelines coverage --write` after `make run`"
    )
