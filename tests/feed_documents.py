"""Documents in the real formats of the official sources, and broken variants of them.

The PIB feed and release page follow the markup PIB serves (items with only title and link; the
page's MinistryNameSubhead, Titleh2 and ReleaseDateSubHeaddateTime). Texts are those of two real
releases in data/classifier/labelled_items.jsonl.
"""

PIB_ITEMS = [
    ("MEMORANDUM OF IMPLEMENTATION SIGNED WITH GOVERNMENT OF JAPAN FOR CO-DEVELOPMENT OF UNICORN "
     "MASTS FOR THE INDIAN NAVY", "2073843"),
    ("EXERCISE SHINYUU MAITRI: INDIAN AIR FORCE TRANSPORT AIRCRAFT EXERCISE WITH THE JAPANESE AIR "
     "SELF DEFENCE FORCE", "1903417"),
]  # fmt: skip


def pib_feed(items=PIB_ITEMS, base: str = "https://pib.gov.in") -> bytes:
    entries = "".join(
        f"<item><title>{title}</title>"
        f"<link>{base}/PressReleaseIframePage.aspx?PRID={prid}</link></item>"
        for title, prid in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Press Information Bureau</title><link>https://pib.gov.in</link>"
        f"<description>PIB releases</description>{entries}</channel></rss>"
    ).encode()


def pib_page(title: str, posted: str | None, ministry: str | None, text: str) -> bytes:
    ministry_div = (
        f'<div class="MinistryNameSubhead text-center">{ministry}</div>' if ministry else ""
    )
    posted_div = (
        f'<div class="ReleaseDateSubHeaddateTime text-center pt20">{posted}</div>' if posted else ""
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>PIB</title></head><body>"
        '<div class="innner-page-main-about-us-content-right-part">'
        f'{ministry_div}<h2 id="Titleh2">{title}</h2>{posted_div}'
        f"<p>{text}</p><p>VM/JS</p></div></body></html>"
    ).encode()


UNICORN_TEXT = (
    "When implemented, this would be the first case of co-development / co-production of "
    "Defence Equipment between India and Japan."
)
SHINYUU_TEXT = (
    "The Indian Air Force (IAF) is participating in Exercise Shinyuu Maitri with the Japan Air "
    "Self Defence Force (JASDF)."
)

MOD_ARTICLES = [
    ("/en/article/2021/10/788af28c5ffef1c8442c4858cda7d0cdf8d6f638.html",
     "Japan-India Maritime Exercise JIMEX"),
    ("/en/article/2021/04/150e365f017804b152f9a9dd196e887a0bd48f0d.html",
     "JMSDF participated in \u201cLa Perouse\u201d"),
]  # fmt: skip


def mod_index(articles=MOD_ARTICLES) -> bytes:
    rows = "".join(f'<li><a href="{href}">{title}</a></li>' for href, title in articles)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'></head><body><main>"
        f"<h1>Articles</h1><ul class='list'>{rows}</ul>"
        "<a href='/en/index.html'>Top</a></main></body></html>"
    ).encode()


def mod_article(title: str, text: str) -> bytes:
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'></head><body><main>"
        f"<h1>{title}</h1><p>{text}</p></main></body></html>"
    ).encode()
