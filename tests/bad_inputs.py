"""The bad-input corpus: each case is an input as an analyst or a source could produce it, and the
one outcome it must have: `loaded`, `quarantined` (with a named reason) or `rejected` (a clear
one-line error naming the file and line). README states the counts; a test keeps them in step.
"""

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

from pipelines.curated.registers import MAX_REGISTER_LINES, register_columns

GOOD = {
    "event_id": "EX-2024-CORPUS", "name": "Corpus exercise", "start_date": "2024-05-01",
    "end_date": "2024-05-03", "date_precision": "day", "location": "Bay of Bengal", "host": "IN",
    "japan_participants": "JMSDF", "india_participants": "IN-NAVY", "other_participants": "",
    "multilateral": "false", "source_url": "https://example.org/release", "source_title": "A release",
    "published_date": "2024-05-04", "retrieved_date": "2026-11-30", "notes": "",
    "exercise_type": "bilateral", "domains": "maritime",
}  # fmt: skip
COLUMNS = list(register_columns("exercises"))


@dataclass(frozen=True)
class Case:
    case_id: str
    kind: str  # register | register_path | trade_figures | comtrade | feed | manifest | yaml
    # | manual_links | evidence_rules | declaration | setting
    build: Callable[[], bytes]
    outcome: str  # loaded | quarantined | rejected
    reason: str = ""  # a substring of the quarantine reason or error message


def register(*rows: dict, columns: list[str] = COLUMNS, newline: str = "\n") -> Callable[[], bytes]:
    def build() -> bytes:
        out = io.StringIO()
        writer = csv.DictWriter(
            out, fieldnames=columns, lineterminator=newline, extrasaction="ignore"
        )
        writer.writeheader()
        for row in rows:
            writer.writerow({**GOOD, **row})
        return out.getvalue().encode("utf-8")

    return build


def raw(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def _header() -> bytes:
    return (",".join(COLUMNS) + "\n").encode()


def _good_line(**change) -> bytes:
    return register({**change})()[len(_header()) :]


TRADE_HEADER = ("figure_id,period,year,reporter,partner,flow,product,mineral,hs_code,value,unit,value_usd,"
                "source_url,source_title,published_date,retrieved_date,underlying_dataset,note\n")  # fmt: skip


def trade(line: str) -> Callable[[], bytes]:
    return raw((TRADE_HEADER + line + "\n").encode())


def comtrade(rows: list[dict] | None = None, body: bytes | None = None) -> Callable[[], bytes]:
    from tests.comtrade_server import envelope

    return raw(body if body is not None else envelope(rows or []))


def _comtrade_row(**change):
    from tests.comtrade_server import comtrade_row

    return {**comtrade_row(392, 699, "M", "810110", 2023, 10.0), **change}


def _without(field: str) -> list[dict]:
    row = _comtrade_row()
    del row[field]
    return [row]


RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>PIB</title>%s</channel></rss>'
ITEM = (
    b"<item><title>%s</title><link>https://pib.gov.in/PressReleasePage.aspx?PRID=%d</link></item>"
)

CASES = [
    # Registers: the CSV itself
    Case("bom", "register", raw(b"\xef\xbb\xbf" + register()()), "loaded"),
    Case("crlf-line-endings", "register", register(newline="\r\n"), "loaded"),
    Case(
        "blank-lines-between-rows",
        "register",
        raw(_header() + b"\n" + _good_line() + b"\n\n"),
        "loaded",
    ),
    Case(
        "padded-values",
        "register",
        raw(_header() + _good_line().replace(b"Corpus exercise", b"  Corpus exercise  ")),
        "loaded",
    ),
    Case("header-only", "register", raw(_header()), "loaded"),
    Case(
        "extra-column",
        "register",
        register({"analyst": "x"}, columns=[*COLUMNS, "analyst"]),
        "loaded",
    ),
    Case(
        "broken-quoting",
        "register",
        raw(_header() + _good_line().replace(b"Corpus exercise", b'"Corpus "exercise')),
        "quarantined",
        "CSV cannot be parsed",
    ),
    Case(
        "non-utf8-bytes",
        "register",
        raw(_header() + _good_line().replace(b"Corpus", b"Caf\xe9")),
        "quarantined",
        "not valid UTF-8",
    ),
    Case(
        "too-many-fields",
        "register",
        raw(_header() + _good_line().replace(b"\n", b",surplus\n")),
        "quarantined",
        "fields, the header has",
    ),
    Case(
        "too-few-fields",
        "register",
        raw(_header() + b"EX-2024-SHORT,Short row,2024-01-01\n"),
        "quarantined",
        "row has 3 fields",
    ),
    Case(
        "field-of-10-mb",
        "register",
        register({"notes": "x" * 10_000_000}),
        "quarantined",
        "longer than",
    ),
    Case("empty-file", "register", raw(b""), "rejected", "the file is empty"),
    Case(
        "missing-column",
        "register",
        register(columns=[c for c in COLUMNS if c != "source_url"]),
        "rejected",
        "line 1: the header lacks column(s) source_url",
    ),
    Case(
        "duplicate-header",
        "register",
        raw(_header().replace(b"notes", b"name")),
        "rejected",
        "line 1: column(s) named twice: name",
    ),
    # Registers: the values
    Case(
        "impossible-date",
        "register",
        register({"start_date": "2025-02-30", "end_date": ""}),
        "quarantined",
        "unparseable or impossible",
    ),
    Case(
        "far-future-date",
        "register",
        register({"start_date": "2099-01-01", "end_date": ""}),
        "quarantined",
        "more than a year in the future",
    ),
    Case(
        "date-before-1990",
        "register",
        register({"start_date": "1899-01-01", "end_date": ""}),
        "quarantined",
        "before 1990",
    ),
    Case(
        "day-date-with-month-precision",
        "register",
        register({"date_precision": "month"}),
        "quarantined",
        "unparseable or impossible",
    ),
    Case(
        "end-before-start",
        "register",
        register({"end_date": "2024-04-01"}),
        "quarantined",
        "end_date before start_date",
    ),
    Case(
        "unknown-participant",
        "register",
        register({"japan_participants": "JMSDF;NAVY-JP"}),
        "quarantined",
        "unknown code(s): NAVY-JP",
    ),
    Case(
        "unknown-exercise-type",
        "register",
        register({"exercise_type": "wargame"}),
        "quarantined",
        "must be one of",
    ),
    Case(
        "multilateral-yes",
        "register",
        register({"multilateral": "yes"}),
        "quarantined",
        "must be true or false",
    ),
    Case("missing-source-url", "register", register({"source_url": ""}), "quarantined", "missing"),
    Case(
        "javascript-url",
        "register",
        register({"source_url": "javascript:alert(document.cookie)"}),
        "quarantined",
        "not an https URL",
    ),
    Case(
        "data-url",
        "register",
        register({"source_url": "data:text/html,<script>alert(1)</script>"}),
        "quarantined",
        "not an https URL",
    ),
    Case(
        "plain-http-url",
        "register",
        register({"source_url": "http://example.org/a"}),
        "quarantined",
        "not an https URL",
    ),
    Case(
        "duplicate-event-id",
        "register",
        register({}, {"name": "Another exercise"}),
        "quarantined",
        "duplicate event_id",
    ),
    Case(
        "same-event-two-ids",
        "register",
        register({}, {"event_id": "EX-2024-CORPUS-2"}),
        "quarantined",
        "same event as EX-2024-CORPUS",
    ),
    Case(
        "wrong-id-prefix",
        "register",
        register({"event_id": "PC-2024-CORPUS"}),
        "quarantined",
        "prefix does not match",
    ),
    Case("script-in-name", "register", register({"name": '<script>alert("x")</script>'}), "loaded"),
    Case(
        "sql-metacharacters",
        "register",
        register({"name": "Robert'); DROP TABLE events; --"}),
        "loaded",
    ),
    Case(
        "spreadsheet-formula",
        "register",
        register({"name": '=HYPERLINK("https://evil.example","click")'}),
        "loaded",
    ),
    # Published trade figures
    Case(
        "negative-trade-value",
        "trade_figures",
        trade(
            "F1,2023,2023,IND,JPN,import,copper,copper,,-5,USD,-5,https://example.org/t,T,,2026-11-30,x,"
        ),
        "quarantined",
        "negative",
    ),
    Case(
        "nan-trade-value",
        "trade_figures",
        trade(
            "F1,2023,2023,IND,JPN,import,copper,copper,,NaN,USD,,https://example.org/t,T,,2026-11-30,x,"
        ),
        "quarantined",
        "negative or NaN",
    ),
    Case(
        "text-trade-value",
        "trade_figures",
        trade(
            "F1,2023,2023,IND,JPN,import,copper,copper,,about 5,USD,,https://example.org/t,T,,2026-11-30,x,"
        ),
        "quarantined",
        "not a number",
    ),
    Case(
        "unknown-reporter",
        "trade_figures",
        trade(
            "F1,2023,2023,CHN,JPN,import,copper,copper,,5,USD,5,https://example.org/t,T,,2026-11-30,x,"
        ),
        "quarantined",
        "must be JPN or IND",
    ),
    # Comtrade snapshots
    Case(
        "comtrade-truncated-json",
        "comtrade",
        comtrade(body=b'{"count": 1, "data": [{"typeCode": "C"'),
        "rejected",
        "not valid JSON",
    ),
    Case(
        "comtrade-missing-field",
        "comtrade",
        comtrade(_without("primaryValue")),
        "rejected",
        "lacks field(s) primaryValue",
    ),
    Case(
        "comtrade-negative-value",
        "comtrade",
        comtrade([_comtrade_row(primaryValue=-1.0)]),
        "quarantined",
        "negative trade value",
    ),
    Case("comtrade-empty-result", "comtrade", comtrade([]), "loaded"),
    # Press feeds
    Case(
        "feed-invalid-xml",
        "feed",
        raw(RSS % (ITEM % (b"Defence & security <b>talks", 2012345))),
        "loaded",
        "read leniently",
    ),
    Case("feed-empty-bytes", "feed", raw(b""), "rejected", "the feed is empty"),
    Case(
        "feed-html-error-page",
        "feed",
        raw(b"<html><body><h1>503 Service Unavailable</h1></body></html>"),
        "rejected",
        "not a readable RSS feed",
    ),
    Case(
        "feed-latin1-bytes",
        "feed",
        raw(RSS % (ITEM % ("Caf\u00e9 talks".encode("latin-1"), 2012346))),
        "loaded",
        "encoding",
    ),
]


ALIAS_BOMB = (
    b"a: &a [x, x, x, x, x, x, x, x, x]\n"
    + b"".join(
        b"%s: &%s [%s]\n" % (bytes([c]), bytes([c]), b", ".join([b"*" + bytes([c - 1])] * 9))
        for c in range(ord("b"), ord("j"))
    )
    + b"indicators: [*i]\n"
)


def _manifest(file: str) -> Callable[[], bytes]:
    line = (
        f"S1-001,S1,feed,https://pib.gov.in/RssMain.aspx,2026-11-30T00:00:00+00:00,0,1,x,{file}\n"
    )
    return raw(
        (
            "snapshot_id,fetch_id,partition,url,retrieved_at,sha256,row_count,licence,file\n" + line
        ).encode()
    )


def _swapped_declaration() -> bytes:
    from pipelines import settings

    text = settings.DECLARATION_FILE.read_text(encoding="utf-8")
    first, second = "- (1) ", "- (2) "
    start = text.index(first)
    end = text.index("- (3) ")
    one, two = text[start : text.index(second)], text[text.index(second) : end]
    swapped = two.replace("(2)", "(1)", 1) + one.replace("(1)", "(2)", 1)
    return (text[:start] + swapped + text[end:]).encode()


def _reworded_declaration() -> bytes:
    from pipelines import settings

    text = settings.DECLARATION_FILE.read_text(encoding="utf-8")
    at = text.index("- (4) ") + len("- (4) ")
    return (text[:at] + "Possibly " + text[at:]).encode()


LINKS_HEADER = b"commitment_id,event_id,action,reason,analyst\n"

CASES += [
    # Registers: line structure the csv module and the byte check must agree on
    Case(
        "line-separator-inside-notes-after-a-csv-error",
        "register",
        raw(
            _header()
            + _good_line(event_id="EX-2024-BROKEN").replace(b"Corpus exercise", b'"Corpus "x')
            + _good_line(notes="see\u2028EX-2024-INJECTED,Injected,2024-06-01\u0085\x0cend")
        ),
        "quarantined",
        "CSV cannot be parsed",
    ),
    Case(
        "cr-only-line-endings-with-a-non-utf8-row",
        "register",
        raw(
            _header().replace(b"\n", b"\r")
            + _good_line().replace(b"\n", b"\r")
            + _good_line(event_id="EX-2024-LATIN")
            .replace(b"Corpus", b"Caf\xe9")
            .replace(b"\n", b"\r")
        ),
        "quarantined",
        "not valid UTF-8",
    ),
    Case(
        "nul-in-a-field",
        "register",
        register({"name": "Corpus\x00exercise"}),
        "quarantined",
        "NUL character",
    ),
    Case(
        "same-devanagari-name-two-ids",
        "register",
        register(
            {"name": "\u0927\u0930\u094d\u092e \u0917\u093e\u0930\u094d\u091c\u093f\u092f\u0928"},
            {
                "event_id": "EX-2024-CORPUS-2",
                "name": "\u0927\u0930\u094d\u092e \u0917\u093e\u0930\u094d\u091c\u093f\u092f\u0928",
            },
        ),
        "quarantined",
        "same event as EX-2024-CORPUS",
    ),
    Case(
        "near-identical-names-a-day-apart",
        "register",
        register(
            {"name": "JIMEX 2025"},
            {"event_id": "EX-2024-CORPUS-2", "name": "JIMEX-25", "start_date": "2024-05-02"},
        ),
        "quarantined",
        "probably the same event as EX-2024-CORPUS",
    ),
    Case(
        "numbered-phases-on-the-same-day",
        "register",
        register(
            {"name": "Corpus exercise phase 1"},
            {"event_id": "EX-2024-CORPUS-2", "name": "Corpus exercise phase 2"},
        ),
        "loaded",
    ),
    Case(
        "retrieved-date-in-the-future",
        "register",
        register({"retrieved_date": "2099-01-01"}),
        "quarantined",
        "in the future",
    ),
    Case(
        "repeated-participant-code",
        "register",
        register({"japan_participants": "JMSDF;JMSDF"}),
        "loaded",
    ),
    Case(
        "register-over-the-row-cap",
        "register",
        lambda: _header() + _good_line() * (MAX_REGISTER_LINES + 1),
        "rejected",
        "over the cap",
    ),
    Case("register-missing", "register_path", raw(b"missing"), "rejected", "file not found"),
    Case("register-is-a-folder", "register_path", raw(b"folder"), "rejected", "is a folder"),
    Case(
        "trade-retrieved-in-the-future",
        "trade_figures",
        trade(
            "F1,2023,2023,IND,JPN,import,copper,copper,,5,USD,5,https://example.org/t,T,,2099-01-01,x,"
        ),
        "quarantined",
        "in the future",
    ),
    # Press feeds and their snapshots
    Case(
        "feed-javascript-link",
        "feed",
        raw(
            RSS
            % b"<item><title>x</title><link>javascript:alert(1)//<img src=x onerror=alert(2)></link></item>"
        ),
        "loaded",
        "not an http(s) URL",
    ),
    Case(
        "manifest-absolute-path",
        "manifest",
        _manifest("/etc/passwd"),
        "rejected",
        "outside its folder",
    ),
    Case(
        "manifest-parent-path",
        "manifest",
        _manifest("../../outside.html"),
        "rejected",
        "outside its folder",
    ),
    # YAML, mapping, declaration, settings
    Case("yaml-alias-bomb", "yaml", raw(ALIAS_BOMB), "rejected", "aliases"),
    Case(
        "yaml-invalid-syntax",
        "yaml",
        raw(b"indicators:\n  - id: [unclosed\n"),
        "rejected",
        "invalid YAML",
    ),
    Case(
        "exclusion-with-trailing-space",
        "manual_links",
        raw(LINKS_HEADER + b"*,EX-2024-CORPUS ,exclude ,why,me\n"),
        "loaded",
    ),
    Case(
        "exclusion-of-an-unknown-event",
        "manual_links",
        raw(LINKS_HEADER + b"*,EX-2024-NOSUCH,exclude,why,me\n"),
        "rejected",
        "line 2: exclude names event 'EX-2024-NOSUCH', which no register holds",
    ),
    Case(
        "evidence-rule-invalid-regex",
        "evidence_rules",
        raw(b"rule_id,commitment_id,keywords\nEX-BAD,1.1,(unclosed\n"),
        "rejected",
        "evidence_rules.csv, line 2: rule EX-BAD",
    ),
    Case(
        "evidence-rule-unbounded-keywords",
        "evidence_rules",
        raw(b"rule_id,commitment_id,keywords,exclude_keywords\nEX-WIDE,1.1,ok,sea.*power\n"),
        "rejected",
        "line 2: rule EX-WIDE: exclude_keywords",
    ),
    Case(
        "declaration-items-swapped",
        "declaration",
        _swapped_declaration,
        "rejected",
        "item(s) 1.1, 1.2",
    ),
    Case(
        "declaration-item-reworded",
        "declaration",
        _reworded_declaration,
        "rejected",
        "item(s) 1.4 ",
    ),
    Case("as-of-garbage", "setting", raw(b"garbage"), "rejected", "TRACKER_AS_OF='garbage'"),
]


def summary() -> dict[str, int]:
    counts: dict[str, int] = {}
    for case in CASES:
        counts[case.outcome] = counts.get(case.outcome, 0) + 1
    return counts


if __name__ == "__main__":
    print(json.dumps({"cases": len(CASES), **summary()}))
