"""Reviewer outputs after a full run: charts, executed notebooks, a report with no dead links."""

import json
import re
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


def test_a_kernel_started_ahead_gives_the_same_notebook_and_is_stopped(tmp_path):
    from pipelines.reporting import notebooks

    path = tmp_path / "probe.py"
    path.write_text(
        "# %% [markdown]\n# # Probe\n\n# %%\n"
        "from pipelines.reporting.notebook_helpers import safe_link\nprint(6 * 7)\n\n"
        "# %%\nsafe_link('https://example.org/a', 'a')\n"
    )
    spec = notebooks.NotebookSpec("probe", path, (), ())
    env = {"TRACKER_BUILD_DIR": str(tmp_path / "build")}
    cold = notebooks.execute_notebooks([spec], tmp_path / "cold", env)["probe"]
    notebooks.start_kernels(2, env, tmp_path)
    try:
        warm = notebooks.execute_notebooks([spec], tmp_path / "warm", env)["probe"]
        assert len(notebooks._warm.kernels) == 1  # one taken and stopped, one left
    finally:
        notebooks.stop_kernels()
    assert notebooks._warm.kernels == []
    # The preload is silent: same cells, outputs and execution counts, byte for byte.
    assert [f.read_bytes() for f in warm] == [f.read_bytes() for f in cold]
    assert "42" in warm[1].read_text(encoding="utf-8")


class _Elements(HTMLParser):
    """Start tags with their attributes, and the text of each <th>."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.headers: list[str] = []
        self._in_th = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "th":
            self._in_th = True
            self.headers.append("")

    def handle_endtag(self, tag):
        if tag == "th":
            self._in_th = False

    def handle_data(self, data):
        if self._in_th:
            self.headers[-1] += data


def _parse(page: Path) -> _Elements:
    parser = _Elements()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _report_pages(report: Path) -> list[Path]:
    return [
        p
        for p in report.rglob("*.html")
        if "data_docs" not in p.parts and p.parent.name != "charts"
    ]


def test_every_table_header_has_a_scope(built):
    missing = {
        str(page.relative_to(built / "report")): n
        for page in _report_pages(built / "report")
        if (n := sum(1 for tag, attrs in _parse(page).tags if tag == "th" and "scope" not in attrs))
    }
    assert missing == {}


def test_notebook_tables_and_images_speak_to_a_reader(built):
    for page in (built / "report" / "notebooks").glob("*.html"):
        parsed = _parse(page)
        raw = [h for h in parsed.headers if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", h.strip())]
        assert raw == [], (page.name, raw)  # n_baseline, p_value ... read as words
        alts = [attrs.get("alt", "") for tag, attrs in parsed.tags if tag == "img"]
        assert all(len(alt) > 20 and "No description" not in alt for alt in alts), (page.name, alts)
    maritime = _parse(built / "report" / "notebooks" / "maritime.html")
    assert sum(1 for tag, _ in maritime.tags if tag == "img") >= 2


def test_every_chart_file_carries_its_title_and_summary(built):
    charts = built / "report" / "charts"
    svgs = list(charts.glob("*.svg"))
    assert len(svgs) >= 10
    for svg in svgs:
        head = svg.read_text(encoding="utf-8")[:3000]
        assert re.match(r'<svg\b[^>]*\brole="img"[^>]*\baria-labelledby="[^"]+"', head), svg.name
        assert re.search(
            r"<title id=\"[^\"]+\">[^<]+</title><desc id=\"[^\"]+\">[^<]{10,}</desc>", head
        ), svg.name
    for page in charts.glob("*.html"):
        parsed = _parse(page)
        assert ("html", {"lang": "en"}) in parsed.tags, page.name
        assert any(tag == "title" for tag, _ in parsed.tags), page.name
        vis = [attrs for tag, attrs in parsed.tags if attrs.get("id") == "vis"]
        assert vis and vis[0].get("role") == "img" and len(vis[0].get("aria-label", "")) > 20, (
            page.name
        )


def test_commitment_pages_print_dates_at_their_precision_notes_and_english_titles(built, warehouse):
    from markupsafe import escape

    from pipelines.reporting.dates import at_precision, machine_date

    rows = warehouse.execute(
        "SELECT ev.commitment_id, e.start_date, e.date_precision, e.notes, e.source_title_en "
        "FROM evidence AS ev JOIN events AS e USING (event_id)"
    ).fetchall()
    months = [r for r in rows if r[2] == "month"]
    assert months and any(r[3] for r in rows) and any(r[4] for r in rows)
    for commitment_id, start, precision, notes, title_en in rows:
        page = (built / "report" / "commitments" / f"{commitment_id}.html").read_text(
            encoding="utf-8"
        )
        shown = f'<time datetime="{machine_date(start, precision)}">{at_precision(start, precision)}</time>'
        assert shown in page, (commitment_id, start, precision)
        if notes:
            assert str(escape(notes)) in page, (commitment_id, notes[:40])
        if title_en:
            assert f"(English: {escape(title_en)})" in page, (
                commitment_id,
                title_en,
            )
    month_start = months[0][1].isoformat()
    page = (built / "report" / "commitments" / f"{months[0][0]}.html").read_text(encoding="utf-8")
    assert f">{month_start}<" not in page  # never the 1st of the month as if it were the day


def test_no_rate_ratio_where_none_is_meaningful(built, warehouse):
    rows = warehouse.execute(
        "SELECT commitment_id, status, basis, n_baseline, n_post FROM scorecard WHERE kind = 'activity'"
    ).fetchall()
    too_few = [r for r in rows if r[1] == "too few events to tell"]
    assert too_few and any(r[3] == 0 and r[4] == 0 for r in too_few)  # a 0-vs-0 case is covered
    for commitment_id, _, basis, *_ in too_few:
        assert "rate ratio" not in basis and "interval" not in basis, basis
        page = (built / "report" / "commitments" / f"{commitment_id}.html").read_text(
            encoding="utf-8"
        )
        rate = page[page.index('id="rate"') : page.index('id="evidence-section"')]
        assert "too few to compare the rates" in rate and "∞" not in rate, commitment_id
    for commitment_id, status, basis, *_ in rows:
        if status != "too few events to tell" and "rate ratio" in basis:
            page = (built / "report" / "commitments" / f"{commitment_id}.html").read_text(
                encoding="utf-8"
            )
            assert '<a href="#evidence-section">' in page[page.index('id="rate"') :], commitment_id


def test_every_number_of_the_scorecard_links_to_the_section_behind_it(built):
    report = built / "report"
    index = (report / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr class="commitment-row">(.*?)</tr>', index, flags=re.DOTALL)
    assert len(rows) == 41
    linked = 0
    for row in rows:
        basis = re.findall(r"<td>(.*?)</td>", row, flags=re.DOTALL)[-1]
        text = re.sub(r"<[^>]+>", "", basis)
        if not re.search(r"\d", text) or "Never searched" in text or "kind-not-measurable" in row:
            continue  # no number, or nothing searched to rest one on
        href = re.match(r'\s*<a href="([^"]+)">', basis)
        assert href, text
        page, fragment = href.group(1).split("#")
        assert fragment in {a.get("id") for _, a in _parse(report / page).tags}, href.group(1)
        linked += 1
    assert linked > 20
