"""Feed connectors against a local server answering in PIB's and MOD's formats, broken ones too.

Every broken document ends in a clear outcome: the item is kept with what it lacks named in its
problems, or a FeedError names the URL and why; never a raw traceback.
"""

from datetime import date

import pytest

from pipelines.sources.feeds import (
    PARTITION,
    FeedClient,
    FeedError,
    ModJapanSource,
    PibSource,
    feed_store,
    fetch,
    read_snapshot,
)
from tests.feed_documents import (
    MOD_ARTICLES,
    PIB_ITEMS,
    SHINYUU_TEXT,
    UNICORN_TEXT,
    mod_article,
    mod_index,
    pib_feed,
    pib_page,
)

FEED = "/RssMain.aspx"
PAGE = "/PressReleasePage.aspx"


def _client() -> FeedClient:
    return FeedClient(max_attempts=3, sleep=lambda s: None)


def _fetch_and_read(httpserver, tmp_path, source=None):
    source = source or PibSource()
    captured = fetch(source, _client(), httpserver.url_for(FEED), sleep=lambda s: None)
    store = feed_store(tmp_path, source)
    store.save_fetch(PARTITION, captured)
    return read_snapshot(store, source)


def _serve_pages(httpserver, pages: dict[str, bytes | int]) -> None:
    for prid, answer in pages.items():
        request = httpserver.expect_request(PAGE, query_string=f"PRID={prid}")
        if isinstance(answer, int):
            request.respond_with_data("Not Found", status=answer)
        else:
            request.respond_with_data(answer, content_type="text/html; charset=utf-8")


def test_pib_items_get_date_and_ministry_from_their_release_pages(httpserver, tmp_path):
    httpserver.expect_request(FEED).respond_with_data(
        pib_feed(base=httpserver.url_for("").rstrip("/")), content_type="application/rss+xml"
    )
    _serve_pages(httpserver, {
        "2073843": pib_page(PIB_ITEMS[0][0], "Posted On: 16 NOV 2024 3:35PM by PIB Delhi",
                            "Ministry of Defence", UNICORN_TEXT),
        "1903417": pib_page(PIB_ITEMS[1][0], "Posted On: 01 MAR 2023 by PIB Delhi",
                            "Ministry of Defence", SHINYUU_TEXT),
    })  # fmt: skip
    read = _fetch_and_read(httpserver, tmp_path)
    first, second = read.items
    assert first.published_date == date(2024, 11, 16) and first.date_from == "page"
    assert first.ministry == "Ministry of Defence" and "co-development" in first.text
    assert first.canonical_url == "https://pib.gov.in/PressReleasePage.aspx?PRID=2073843"
    assert second.published_date == date(2023, 3, 1)
    assert not first.problems and not second.problems
    assert first.candidate_id != second.candidate_id


def test_a_404_release_page_and_a_page_without_date_keep_the_item_flagged(httpserver, tmp_path):
    httpserver.expect_request(FEED).respond_with_data(
        pib_feed(base=httpserver.url_for("").rstrip("/"))
    )
    _serve_pages(
        httpserver, {"2073843": 404, "1903417": pib_page(PIB_ITEMS[1][0], None, None, "x")}
    )
    first, second = _fetch_and_read(httpserver, tmp_path).items
    assert first.title == PIB_ITEMS[0][0]  # the feed's title survives
    assert any("HTTP 404" in p for p in first.problems)
    assert "published_date missing" in first.problems
    assert "ministry missing on the release page" in second.problems
    assert any(p.startswith("published_date missing") for p in second.problems)


def test_invalid_xml_is_read_leniently_and_says_so(httpserver, tmp_path):
    broken = pib_feed(base=httpserver.url_for("").rstrip("/"))[:-40]  # cut inside the last item
    httpserver.expect_request(FEED).respond_with_data(broken)
    _serve_pages(httpserver, {"2073843": pib_page("t", "Posted On: 16 NOV 2024", "M", "x")})
    read = _fetch_and_read(httpserver, tmp_path)
    assert len(read.items) == 1
    assert any("not well-formed" in w for w in read.warnings)
    assert any("no link" in w for w in read.warnings)


def test_non_utf8_bytes_are_decoded_and_reported(httpserver, tmp_path):
    feed = pib_feed(
        [("Caf\xe9 talks on JIMEX", "1234567")], base=httpserver.url_for("").rstrip("/")
    )
    httpserver.expect_request(FEED).respond_with_data(feed.decode().encode("latin-1"))
    _serve_pages(httpserver, {"1234567": b"<html><p>\xff\xfe broken bytes</p></html>"})
    read = _fetch_and_read(httpserver, tmp_path)
    (item,) = read.items
    assert item.title == "Caf\xe9 talks on JIMEX"
    assert any("encoding" in w for w in read.warnings)
    assert any(p.startswith("published_date missing") for p in item.problems)


def test_an_empty_feed_is_zero_items_not_an_error(httpserver, tmp_path):
    httpserver.expect_request(FEED).respond_with_data(pib_feed([]))
    read = _fetch_and_read(httpserver, tmp_path)
    assert read.items == [] and read.warnings == ["the feed has no items"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"", 200, "the feed is empty"),
        (b"<html><body>Service Unavailable</body></html>", 200, "not a readable RSS feed"),
        (b"Not Found", 404, "HTTP 404"),
        (b"down", 503, "gave up after retries: HTTP 503"),
    ],
)
def test_an_unusable_feed_is_a_clear_error_and_nothing_is_stored(
    httpserver, tmp_path, body, status, message
):
    httpserver.expect_request(FEED).respond_with_data(body, status=status)
    with pytest.raises(FeedError, match=message):
        _fetch_and_read(httpserver, tmp_path)
    assert not (tmp_path / "pib" / "manifest.csv").exists()


def test_mod_articles_are_found_in_the_list_and_dated_from_their_address(httpserver, tmp_path):
    httpserver.expect_request(FEED).respond_with_data(mod_index(), content_type="text/html")
    for href, title in MOD_ARTICLES:
        httpserver.expect_request(href).respond_with_data(
            mod_article(title, "From April 5 to 7 ...")
        )
    read = _fetch_and_read(httpserver, tmp_path, ModJapanSource())
    assert [i.title for i in read.items] == [title for _, title in MOD_ARTICLES]
    assert read.items[0].published_date == date(2021, 10, 1)
    assert read.items[0].date_precision == "month" and read.items[0].date_from == "url"
    assert all(not i.problems for i in read.items)


def test_candidate_ids_depend_on_the_release_not_the_page_variant():
    source = PibSource()
    iframe = source.canonical("https://pib.gov.in/PressReleaseIframePage.aspx?PRID=1903417")
    page = source.canonical("https://pib.gov.in/PressReleasePage.aspx?PRID=1903417&reg=3&lang=1")
    assert iframe == page
