"""Make Great Expectations' Data Docs self-contained: no request leaves the reader's machine.

Data Docs pages load Bootstrap, jQuery, Font Awesome and Vega from CDNs and a logo from an S3
bucket that records each visit. Offline they render unstyled, online they tell a third party who
read them. Each known CDN file is replaced by the same version vendored under `vendor/data_docs/`
(VENDORED.md names packages, versions and licences); any other external resource is removed.
Links a reader may follow (`<a href>`) are left alone: they load nothing until clicked.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
from pathlib import Path

from bs4 import BeautifulSoup

VENDOR_DIR = Path(__file__).parent / "vendor" / "data_docs"
# Which CDN address each vendored file replaces (the address as Data Docs writes it, no query).
VENDORED = dict(
    csv.reader((VENDOR_DIR / "cdn_files.csv").read_text(encoding="utf-8").splitlines()[1:])
)
_RESOURCE_ATTRIBUTES = {"script": "src", "link": "href", "img": "src", "iframe": "src"}
_EXTERNAL = re.compile(r"^(https?:)?//", re.IGNORECASE)
_CSS_EXTERNAL_URL = re.compile(r"url\(\s*['\"]?(https?:)?//[^)]*\)", re.IGNORECASE)


def make_offline(site: Path, pages: list[Path] | None = None) -> int:
    """Rewrite the pages (every page under `site` by default) and every stylesheet; return how
    many external loads were cut. Pages rewritten before load nothing external already."""
    target = site / "static" / "vendor"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(VENDOR_DIR, target, ignore=shutil.ignore_patterns("*.md", "*.csv"))
    changed = 0
    for page in site.rglob("*.html") if pages is None else pages:
        html, n = _offline_page(page.read_text(encoding="utf-8"), page.parent, target)
        if n:
            page.write_text(html, encoding="utf-8")
            changed += n
    for sheet in site.rglob("*.css"):
        if target in sheet.parents:
            continue
        css = sheet.read_text(encoding="utf-8")
        offline, n = _CSS_EXTERNAL_URL.subn("none", css)
        if n:
            sheet.write_text(offline, encoding="utf-8")
            changed += n
    return changed


def _offline_page(html: str, folder: Path, vendor: Path) -> tuple[str, int]:
    soup = BeautifulSoup(html, "html.parser")
    changed = 0
    for tag_name, attribute in _RESOURCE_ATTRIBUTES.items():
        for tag in soup.find_all(tag_name):
            url = tag.get(attribute) or ""
            if (
                tag_name == "link"
                and "stylesheet" not in (tag.get("rel") or [])
                and not url.endswith(".css")
            ):
                continue  # a plain link (canonical, icon by site path) loads nothing external here
            if not _EXTERNAL.match(url):
                continue
            local = VENDORED.get(url.split("?", 1)[0])
            if local:
                tag[attribute] = os.path.relpath(vendor / local, folder)
                tag.attrs.pop("integrity", None)  # the hash was of the CDN's bytes
                tag.attrs.pop("crossorigin", None)
            else:
                tag.decompose()  # a tracking image or an unknown CDN file
            changed += 1
    return (str(soup), changed) if changed else (html, 0)
