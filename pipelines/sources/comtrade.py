"""UN Comtrade v1 API (goods, annual, HS): fetch, check, and keep every response as received.

The keyed endpoint is used when an API key is given (header `Ocp-Apim-Subscription-Key`), the
public preview otherwise. Requests are split so that no call reaches the endpoint's record cap; a
call that returns exactly the cap is split again, since its answer may be truncated. 429 and 5xx
answers and timeouts are retried with backoff that honours Retry-After. The key is sent only in a
header and never appears in a URL, a log line, a snapshot or an error message.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

from pipelines.sources.http import Retryable, get_once, with_retries

log = logging.getLogger(__name__)

PREVIEW_BASE = "https://comtradeapi.un.org/public/v1/preview/C/A/HS"
KEYED_BASE = "https://comtradeapi.un.org/data/v1/get/C/A/HS"
PREVIEW_CAP, KEYED_CAP = 500, 100_000
KEY_HEADER = "Ocp-Apim-Subscription-Key"
JAPAN, INDIA, WORLD = 392, 699, 0
FLOWS = {"M": "import", "X": "export"}

ROW_FIELDS = (
    "typeCode", "freqCode", "refPeriodId", "refYear", "refMonth", "period", "reporterCode",
    "reporterISO", "reporterDesc", "flowCode", "flowDesc", "partnerCode", "partnerISO",
    "partnerDesc", "partner2Code", "partner2ISO", "partner2Desc", "classificationCode",
    "classificationSearchCode", "isOriginalClassification", "cmdCode", "cmdDesc", "aggrLevel",
    "isLeaf", "customsCode", "customsDesc", "mosCode", "motCode", "motDesc", "qtyUnitCode",
    "qtyUnitAbbr", "qty", "isQtyEstimated", "altQtyUnitCode", "altQtyUnitAbbr", "altQty",
    "isAltQtyEstimated", "netWgt", "isNetWgtEstimated", "grossWgt", "isGrossWgtEstimated",
    "cifvalue", "fobvalue", "primaryValue", "legacyEstimationFlag", "isReported", "isAggregate",
)  # fmt: skip
MAX_URL_CHARS = 3_500  # Comtrade answers "Request URL Too Long" past about 4 KB


class ComtradeError(RuntimeError):
    """A Comtrade call failed in a way that retrying will not mend."""


class ComtradeSchemaError(ComtradeError):
    """The response no longer has the shape this connector reads: stop rather than guess."""


@dataclass(frozen=True)
class Query:
    """One logical request: a reporter's annual trade with some partners in some HS codes."""

    reporter: int
    partners: tuple[int, ...]
    flows: tuple[str, ...]
    cmd_codes: tuple[str, ...]
    year: int

    def params(self) -> dict[str, str]:
        return {
            "reporterCode": str(self.reporter),
            "partnerCode": ",".join(map(str, self.partners)),
            "flowCode": ",".join(self.flows),
            "cmdCode": ",".join(self.cmd_codes),
            "period": str(self.year),
            "includeDesc": "true",
        }

    def max_rows(self) -> int:
        """Rows the answer can hold: one per code, partner and flow in the classic breakdown."""
        return len(self.cmd_codes) * len(self.partners) * len(self.flows)

    def halves(self) -> tuple[Query, Query]:
        middle = len(self.cmd_codes) // 2
        return _with_codes(self, self.cmd_codes[:middle]), _with_codes(
            self, self.cmd_codes[middle:]
        )


def _with_codes(query: Query, codes: tuple[str, ...]) -> Query:
    return Query(query.reporter, query.partners, query.flows, codes, query.year)


@dataclass(frozen=True)
class Response:
    """One call's answer as received, with the URL that asked for it (never holding the key)."""

    url: str
    body: bytes
    rows: list[dict]


class ComtradeClient:
    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout_s: float = 60.0,
        max_attempts: int = 5,
        record_cap: int | None = None,
        sleep: Callable[[float], None] | None = None,
    ):
        self._api_key = api_key or None
        self.base_url = base_url or (KEYED_BASE if self._api_key else PREVIEW_BASE)
        self.record_cap = record_cap or (KEYED_CAP if self._api_key else PREVIEW_CAP)
        headers = {KEY_HEADER: self._api_key} if self._api_key else {}
        self._http = httpx.Client(timeout=timeout_s, headers=headers)
        self._get_with_retries = with_retries(
            self._get_once, max_attempts, max_wait_s=60, sleep=sleep
        )

    def __repr__(self) -> str:  # never show the key
        return f"ComtradeClient(base_url={self.base_url!r}, keyed={self._api_key is not None})"

    def close(self) -> None:
        self._http.close()

    def fetch(self, query: Query) -> Iterator[Response]:
        """Every response needed to answer `query` completely, splitting as the cap requires."""
        for part in self._split(query):
            response = self._call(part)
            if len(response.rows) >= self.record_cap:
                if len(part.cmd_codes) == 1:
                    raise ComtradeError(
                        f"{response.url}: {len(response.rows)} rows reach the cap of "
                        f"{self.record_cap} for a single HS code; the answer may be truncated"
                    )
                log.info("answer reached the record cap; splitting %d codes", len(part.cmd_codes))
                for half in part.halves():
                    yield from self.fetch(half)
            else:
                yield response

    def _split(self, query: Query) -> Iterator[Query]:
        """Chunks of HS codes whose answers stay below the cap and whose URLs stay short."""
        per_code = len(query.partners) * len(query.flows)
        size = max(1, min((self.record_cap - 1) // per_code, len(query.cmd_codes)))
        while (
            size > 1
            and len(self.url_for(_with_codes(query, query.cmd_codes[:size]))) > MAX_URL_CHARS
        ):
            size //= 2
        for start in range(0, len(query.cmd_codes), size):
            yield _with_codes(query, query.cmd_codes[start : start + size])

    def url_for(self, query: Query) -> str:
        return f"{self.base_url}?{urlencode(query.params(), safe=',')}"

    def _call(self, query: Query) -> Response:
        url = self.url_for(query)
        try:
            body = self._get_with_retries(url)
            return Response(url, body, parse_rows(body, url))
        except Retryable as error:
            raise ComtradeError(self._redact(f"{url}: gave up after retries: {error}")) from None
        except ComtradeError as error:
            raise type(error)(self._redact(str(error))) from None

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "[redacted]") if self._api_key else text

    def _get_once(self, url: str) -> bytes:
        answer = get_once(self._http, url, lambda a: f": {_message(a)}")
        if answer.status_code == 403:
            raise ComtradeError(f"{url}: HTTP 403, quota or access refused: {_message(answer)}")
        if answer.status_code == 401:
            raise ComtradeError(f"{url}: HTTP 401, the API key was refused")
        if answer.status_code != 200:
            raise ComtradeError(f"{url}: HTTP {answer.status_code}: {_message(answer)}")
        return answer.content


def parse_rows(body: bytes, url: str) -> list[dict]:
    """The `data` rows of a response, after checking the envelope and every row's fields."""
    try:
        document = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ComtradeSchemaError(
            f"{url}: the response is not valid JSON ({error.msg if hasattr(error, 'msg') else error}); truncated?"
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise ComtradeSchemaError(
            f"{url}: no 'data' list in the response; found {_shape(document)}"
        )
    if document.get("error"):
        raise ComtradeError(f"{url}: Comtrade reported an error: {str(document['error'])[:200]}")
    for number, row in enumerate(document["data"], start=1):
        missing = [name for name in ROW_FIELDS if name not in row]
        if missing:
            raise ComtradeSchemaError(
                f"{url}: row {number} lacks field(s) {', '.join(missing[:8])}: the API's row shape changed"
            )
    return document["data"]


def _shape(document) -> str:
    return (
        f"keys {sorted(document)[:10]}" if isinstance(document, dict) else type(document).__name__
    )


def _message(answer: httpx.Response) -> str:
    try:
        document = answer.json()
        return str(document.get("message") or document.get("error") or document)[:200]
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        return answer.text[:200]


def minerals_queries(year: int, cmd_codes: Sequence[str]) -> list[Query]:
    """Japan and India as reporters, each other and the World as partners, imports and exports."""
    codes = tuple(sorted(set(cmd_codes)))
    return [
        Query(JAPAN, (INDIA, WORLD), ("M", "X"), codes, year),
        Query(INDIA, (JAPAN, WORLD), ("M", "X"), codes, year),
    ]
