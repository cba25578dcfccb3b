"""Official press releases: India's Press Information Bureau (RSS) and Japan's Ministry of Defense.

Each source has an index (PIB: an RSS feed; MOD: the HTML list of English articles) and one page
per item. Feeds are read with feedparser and pages with BeautifulSoup, never with patterns on
markup. PIB feed items carry only a title and a link holding the release id (PRID); the release
page gives the date ("Posted On: 12 JUL 2023 4:05PM by PIB Delhi") and the ministry. MOD article
addresses hold the year and month (/en/article/YYYY/MM/<40 hex>.html), the fallback date.

A document that cannot be used at all (an index that is not a feed, an unreachable server) is a
FeedError naming the URL and why. An item whose page is missing or lacks a field is kept, with the
gap named in its `problems`: the review queue shows it, and the register checks decide.

A fetch is stored as one snapshot (pipelines.sources.snapshots): its first file is the index and
the others are item pages, each under the URL that asked for it; a page that could not be fetched
is stored as a `.error` file holding the reason, so reading the snapshot gives the same outcome.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import feedparser
import httpx
from bs4 import BeautifulSoup

from pipelines.sources.http import Retryable, get_once, with_retries
from pipelines.sources.snapshots import Captured, SnapshotStore

log = logging.getLogger(__name__)

USER_AGENT = "jiscoop-tracker/0.1 (press-release monitor; one request at a time)"
PARTITION = "feed"


# A press release page is ~100 KB, a feed ~50 KB: anything past this is not one, and parsing
# 50 MB of markup takes minutes and gigabytes. Larger documents are refused, not parsed.
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024


def _bounded(path: Path, what: str) -> bytes:
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise FeedError(
            f"{path.name}: {what} of {size:,} bytes, over {MAX_DOCUMENT_BYTES:,}; not parsed"
        )
    return path.read_bytes()


class FeedError(RuntimeError):
    """A feed or page that cannot be used; the message names the URL and the reason."""


@dataclass
class FeedItem:
    """One press release as far as its source tells it; `problems` names what is missing."""

    source: str
    url: str
    canonical_url: str
    title: str | None = None
    published_date: date | None = None
    date_precision: str | None = None  # day | month
    date_from: str | None = None  # feed | page | url
    ministry: str | None = None
    text: str | None = None
    retrieved_date: date | None = None
    snapshot_id: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def candidate_id(self) -> str:
        """Stable across refreshes: derived from the canonical URL only."""
        return "C" + hashlib.sha256(self.canonical_url.encode()).hexdigest()[:12].upper()

    def flag_missing(self) -> None:
        for name in ("title", "published_date"):
            if getattr(self, name) is None and not any(p.startswith(name) for p in self.problems):
                self.problems.append(f"{name} missing")


@dataclass
class IndexRead:
    items: list[FeedItem]
    warnings: list[str] = field(default_factory=list)


class FeedClient:
    """GET with retries on 429, 5xx and timeouts (backoff); other failures are FeedErrors."""

    def __init__(
        self,
        *,
        timeout_s: float = 30.0,
        max_attempts: int = 4,
        sleep: Callable[[float], None] | None = None,
    ):
        self._http = httpx.Client(
            timeout=timeout_s, headers={"User-Agent": USER_AGENT}, follow_redirects=True
        )
        self._get_with_retries = with_retries(
            self._get_once, max_attempts, max_wait_s=30, sleep=sleep
        )

    def close(self) -> None:
        self._http.close()

    def get(self, url: str) -> bytes:
        try:
            return self._get_with_retries(url)
        except Retryable as error:
            raise FeedError(f"{url}: gave up after retries: {error}") from None

    def _get_once(self, url: str) -> bytes:
        answer = get_once(self._http, url, lambda a: "")
        if answer.status_code != 200:
            raise FeedError(f"{url}: HTTP {answer.status_code} {answer.reason_phrase}".strip())
        if len(answer.content) > MAX_DOCUMENT_BYTES:
            raise FeedError(f"{url}: {len(answer.content):,} bytes, over {MAX_DOCUMENT_BYTES:,}")
        return answer.content


def _text(soup_or_tag) -> str:
    return " ".join(soup_or_tag.get_text(" ", strip=True).replace("\x00", "").split())


def _soup(body: bytes) -> BeautifulSoup:
    # Bytes, so BeautifulSoup detects the encoding (meta charset, BOM, or a best guess).
    return BeautifulSoup(body, "html.parser")


class PibSource:
    """Press Information Bureau, English releases of the Delhi region (all ministries)."""

    name = "pib"
    index_url = "https://pib.gov.in/RssMain.aspx?ModId=6&Lang=1&Regid=3"
    index_suffix = ".xml"
    licence = "Press Information Bureau, Government of India: releases free to reproduce"

    def parse_index(self, body: bytes, url: str) -> IndexRead:
        if not body.strip():
            raise FeedError(f"{url}: the feed is empty (0 bytes); not an RSS document")
        parsed = feedparser.parse(body)
        warnings = []
        error = parsed.get("bozo_exception")
        if not parsed.get("version"):  # an HTML error page, plain text, or bytes past repair
            reason = f": {error}" if error else " (no rss or feed element)"
            raise FeedError(f"{url}: not a readable RSS feed{reason}")
        if parsed.bozo:
            if isinstance(error, feedparser.CharacterEncodingOverride):
                warnings.append(f"declared encoding was wrong, read as {parsed.get('encoding')}")
            else:
                warnings.append(f"feed is not well-formed ({error}); read leniently")
        if not parsed.entries:
            warnings.append("the feed has no items")
        items = []
        for number, entry in enumerate(parsed.entries, start=1):
            link = (entry.get("link") or "").strip()
            if not link:
                warnings.append(f"item {number} has no link and cannot be identified; skipped")
                continue
            if urlsplit(link).scheme.lower() not in ("http", "https"):
                # javascript:, data: and the like are never a release address; shown nowhere
                warnings.append(
                    f"item {number} link is not an http(s) URL ({link[:80]!r}); skipped"
                )
                continue
            item = FeedItem(self.name, link, self.canonical(link), title=_clean(entry.get("title")))
            if entry.get("published_parsed"):
                item.published_date = date(*entry.published_parsed[:3])
                item.date_precision, item.date_from = "day", "feed"
            if entry.get("summary"):
                item.text = _text(_soup(entry.summary.encode()))
            if "PRID=" not in item.canonical_url:
                item.problems.append("link holds no release id (PRID)")
            items.append(item)
        return IndexRead(items, warnings)

    @staticmethod
    def canonical(link: str) -> str:
        """One address per release, whichever page variant the feed links to."""
        query = {k.lower(): v for k, v in parse_qs(urlsplit(link).query).items()}
        prid = query.get("prid", [""])[0]
        if prid.isdigit():
            return f"https://pib.gov.in/PressReleasePage.aspx?PRID={prid}"
        return link

    def page_url(self, item: FeedItem) -> str | None:
        """The release page on the host the feed links to (the canonical address names PIB's)."""
        if "PRID=" not in item.canonical_url:
            return None
        link = urlsplit(item.url)
        return f"{link.scheme}://{link.netloc}/PressReleasePage.aspx?{urlsplit(item.canonical_url).query}"

    def parse_page(self, body: bytes, item: FeedItem) -> None:
        soup = _soup(body)
        ministry = soup.find(class_="MinistryNameSubhead")
        item.ministry = _text(ministry) if ministry else item.ministry
        if item.ministry is None:
            item.problems.append("ministry missing on the release page")
        title = soup.find(id="Titleh2") or soup.find("h2")
        if item.title is None and title is not None:
            item.title = _text(title)
        posted = soup.find(class_="ReleaseDateSubHeaddateTime")
        if posted is None:
            item.problems.append("published_date missing: no 'Posted On' on the release page")
        else:
            stamp = _text(posted)
            day = _posted_on(stamp)
            if day is None:
                item.problems.append(f"published_date unreadable on the release page: {stamp!r}")
            else:
                item.published_date, item.date_precision, item.date_from = day, "day", "page"
        content = soup.find(class_="innner-page-main-about-us-content-right-part") or soup
        paragraphs = [_text(p) for p in content.find_all("p")]
        item.text = " ".join(p for p in paragraphs if p) or item.text


def _posted_on(stamp: str) -> date | None:
    """The day of "Posted On: 12 JUL 2023 4:05PM by PIB Delhi" (time and office ignored)."""
    words = stamp.replace("Posted On:", " ").split()
    try:
        return datetime.strptime(" ".join(words[:3]).title(), "%d %b %Y").date()
    except ValueError:
        return None


# The address of an MOD English article: a URL, so a pattern on it is not a pattern on markup.
MOD_ARTICLE = re.compile(r"^/en/article/(\d{4})/(\d{2})/[0-9a-f]{40}\.html$")


class ModJapanSource:
    """Japan Ministry of Defense, English articles (press releases, exercises, meetings)."""

    name = "mod_jp"
    index_url = "https://www.mod.go.jp/en/article/"
    index_suffix = ".html"
    licence = "Ministry of Defense of Japan website terms: reuse with attribution"

    def parse_index(self, body: bytes, url: str) -> IndexRead:
        if not body.strip():
            raise FeedError(f"{url}: the article list is empty (0 bytes)")
        soup = _soup(body)
        if soup.find("a") is None and soup.find("body") is None:
            raise FeedError(f"{url}: not an HTML page")
        items, seen = [], set()
        for anchor in soup.find_all("a", href=True):
            link = urljoin(url, anchor["href"])
            match = MOD_ARTICLE.match(urlsplit(link).path)
            if not match or link in seen:
                continue
            seen.add(link)
            item = FeedItem(self.name, link, link, title=_clean(_text(anchor)))
            stamp = anchor.find_parent(["li", "tr", "div", "dd"])
            day = _time_element(stamp) if stamp is not None else None
            if day is not None:
                item.published_date, item.date_precision, item.date_from = day, "day", "feed"
            else:
                item.published_date = date(int(match.group(1)), int(match.group(2)), 1)
                item.date_precision, item.date_from = "month", "url"
            items.append(item)
        return IndexRead(items, [] if items else ["the article list links no articles"])

    def page_url(self, item: FeedItem) -> str | None:
        return item.url

    def parse_page(self, body: bytes, item: FeedItem) -> None:
        soup = _soup(body)
        heading = soup.find("h1")
        if heading is not None and _text(heading):
            item.title = _text(heading)
        day = _time_element(soup)
        if day is not None:
            item.published_date, item.date_precision, item.date_from = day, "day", "page"
        main = soup.find("main") or soup.find("article") or soup
        paragraphs = [_text(p) for p in main.find_all("p")]
        item.text = " ".join(p for p in paragraphs if p) or item.text
        item.ministry = "Ministry of Defense (Japan)"


def _time_element(tag) -> date | None:
    found = tag.find("time")
    if found is None:
        return None
    try:
        return date.fromisoformat((found.get("datetime") or _text(found))[:10])
    except ValueError:
        return None


def _clean(value: str | None) -> str | None:
    value = " ".join((value or "").replace("\x00", "").split())
    return value or None


SOURCES = {source.name: source for source in (PibSource(), ModJapanSource())}


def feed_store(folder: Path, source) -> SnapshotStore:
    return SnapshotStore(folder / source.name, source.licence, suffix=".html")


def fetch(
    source,
    client: FeedClient,
    index_url: str | None = None,
    *,
    max_pages: int = 40,
    pause_s: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Captured]:
    """The index and the page of each of its items, ready to store; a dead index is a FeedError."""
    url = index_url or source.index_url
    body = client.get(url)
    read = source.parse_index(body, url)  # an unreadable index fails the fetch: nothing stored
    captured = [Captured(url, body, len(read.items), source.index_suffix)]
    for item in read.items[:max_pages]:
        page = source.page_url(item)
        if page is None:
            continue
        sleep(pause_s)  # one request at a time, spaced: these are public government servers
        try:
            captured.append(Captured(page, client.get(page), 1, ".html"))
        except FeedError as error:
            captured.append(Captured(page, str(error).encode(), 0, ".error"))
    return captured


def read_snapshot(store: SnapshotStore, source) -> IndexRead:
    """Items of the newest stored fetch, their pages applied, every gap named in `problems`."""
    rows = [row for row in store.newest() if row["partition"] == PARTITION]
    if not rows:
        return IndexRead([], [f"{source.name}: no snapshot stored yet"])
    rows.sort(key=lambda row: row["snapshot_id"])
    index, pages = rows[0], {row["url"]: row for row in rows[1:]}
    read = source.parse_index(_bounded(store.path(index), "index"), index["url"])
    retrieved = date.fromisoformat(index["retrieved_at"][:10])
    for item in read.items:
        item.retrieved_date, item.snapshot_id = retrieved, index["snapshot_id"]
        page_url = source.page_url(item)
        page = pages.get(page_url) if page_url else None
        if page_url and page is None:
            item.problems.append("page not fetched")
        elif page is not None and page["file"].endswith(".error"):
            reason = store.path(page).read_text(encoding="utf-8", errors="replace")
            item.problems.append(f"page unavailable: {reason}")
        elif page is not None:
            try:
                source.parse_page(_bounded(store.path(page), "page"), item)
            except FeedError as error:
                item.problems.append(f"page unusable: {error}")
        item.flag_missing()
    return read
