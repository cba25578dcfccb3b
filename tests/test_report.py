"""Reviewer outputs after a full run: charts, executed notebooks, a report with no dead links."""

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

from pipelines import settings
from pipelines.assets.charts import measured_indicators
from pipelines.reporting.notebooks import discover_notebooks


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"href", "src"} and value:
                self.targets.append(value)


def local_targets(page: Path) -> list[str]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return [t for t in parser.targets if not urlparse(t).scheme and not t.startswith("#")]


def test_a_chart_per_measured_indicator_in_three_formats(built):
    charts = built / "report" / "charts"
    for entry in measured_indicators():
        for ext in ("png", "svg", "html"):
            assert (charts / f"{entry['id']}.{ext}").stat().st_size > 1000, (entry["id"], ext)
        page = (charts / f"{entry['id']}.html").read_text(encoding="utf-8")
        assert "cdn.jsdelivr" not in page and "<script src=" not in page  # Vega is inlined


def test_every_notebook_executed_without_error(built):
    for spec in discover_notebooks(settings.NOTEBOOKS_DIR):
        notebook = json.loads((built / "report" / "notebooks" / f"{spec.name}.ipynb").read_text())
        code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
        assert code and all(c.get("execution_count") for c in code), spec.name
        errors = [o for c in code for o in c.get("outputs", []) if o["output_type"] == "error"]
        assert not errors, spec.name
        assert (built / "report" / "notebooks" / f"{spec.name}.html").is_file()


def test_report_links_resolve(built):
    report = built / "report"
    pages = [report / "index.html", *report.glob("*.html"), *report.glob("commitments/*.html"),
             *report.glob("notebooks/*.html")]  # fmt: skip
    assert len(list(report.glob("commitments/*.html"))) == 41
    dead = []
    for page in pages:
        for target in local_targets(page):
            path = (page.parent / unquote(target.split("#")[0])).resolve()
            if not path.exists():
                dead.append(f"{page.relative_to(report)} -> {target}")
    assert not dead, dead


def test_report_uses_no_cdn(built):
    for page in (built / "report").glob("**/*.html"):
        if "data_docs" in page.parts:
            continue
        text = page.read_text(encoding="utf-8")
        assert (
            '<script src="http' not in text and '<link rel="stylesheet" href="http' not in text
        ), page


def test_a_failing_cell_fails_its_notebook_and_names_the_cell(tmp_path):
    import pytest

    from pipelines.reporting.notebooks import NotebookCellError, NotebookSpec, execute_notebook

    path = tmp_path / "broken.py"
    path.write_text(
        "# %% [markdown]\n# # Broken\n\n# %%\nx = 1\n\n# %%\nraise ValueError('bad data')\n"
    )
    spec = NotebookSpec("broken", path, (), ())
    with pytest.raises(NotebookCellError) as error:
        execute_notebook(spec, tmp_path / "out", env={})
    assert "broken.py: cell 3" in str(error.value)
    assert "raise ValueError('bad data')" in str(error.value)
    assert str(error.value).endswith("failed: ValueError: bad data")
