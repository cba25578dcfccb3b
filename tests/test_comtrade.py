"""The Comtrade connector against a real local HTTP server answering in Comtrade's exact shape."""

import json
import time

import pytest
from werkzeug import Response

from pipelines.sources.comtrade import (
    KEY_HEADER,
    ComtradeClient,
    ComtradeError,
    ComtradeSchemaError,
    Query,
)
from tests.comtrade_server import answer_from_query, comtrade_row, envelope

PATH = "/public/v1/preview/C/A/HS"
KEY = "test-key-5f1e0c2a9b"


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _client(httpserver, sleeps=None, **kwargs) -> ComtradeClient:
    return ComtradeClient(
        base_url=httpserver.url_for(PATH), sleep=Sleeps() if sleeps is None else sleeps, **kwargs
    )


def _codes(n: int) -> tuple[str, ...]:
    return tuple(f"{810000 + i}" for i in range(n))


def test_requests_are_split_to_stay_under_the_preview_cap(httpserver):
    httpserver.expect_request(PATH).respond_with_handler(answer_from_query)
    query = Query(699, (392, 0), ("M", "X"), _codes(300), 2023)
    responses = list(_client(httpserver).fetch(query))
    assert len(responses) == 3  # 124 codes x 4 keys = 496 rows per call, under 500
    assert all(len(r.rows) < 500 for r in responses)
    assert sum(len(r.rows) for r in responses) == 300 * 4
    asked = [code for r in httpserver.log for code in r[0].args["cmdCode"].split(",")]
    assert sorted(asked) == sorted(_codes(300))


def test_an_answer_that_reaches_the_cap_is_split_again(httpserver):
    httpserver.expect_request(PATH).respond_with_handler(
        lambda r: answer_from_query(r, rows_per_key=2, cap=4)
    )
    client = _client(httpserver, record_cap=4)
    rows = [
        row
        for response in client.fetch(Query(392, (699,), ("M",), _codes(3), 2022))
        for row in response.rows
    ]
    assert len(rows) == 6  # 3 codes x 2 rows, none lost to truncation
    assert sorted({row["cmdCode"] for row in rows}) == list(_codes(3))


def test_429_is_retried_after_the_time_retry_after_gives(httpserver):
    httpserver.expect_ordered_request(PATH).respond_with_response(
        Response('{"statusCode": 429, "message": "Rate limit is exceeded. Try again in 2 seconds."}',
                 status=429, headers={"Retry-After": "2"}, content_type="application/json")
    )  # fmt: skip
    httpserver.expect_ordered_request(PATH).respond_with_handler(answer_from_query)
    sleeps = Sleeps()
    responses = list(_client(httpserver, sleeps).fetch(Query(392, (699,), ("M",), _codes(2), 2022)))
    assert sleeps == [2.0]
    assert len(responses[0].rows) == 2


def test_500_then_success_is_retried_with_backoff(httpserver):
    httpserver.expect_ordered_request(PATH).respond_with_data("upstream error", status=500)
    httpserver.expect_ordered_request(PATH).respond_with_data("upstream error", status=503)
    httpserver.expect_ordered_request(PATH).respond_with_handler(answer_from_query)
    sleeps = Sleeps()
    responses = list(_client(httpserver, sleeps).fetch(Query(392, (699,), ("X",), _codes(1), 2021)))
    assert len(sleeps) == 2 and all(s >= 1 for s in sleeps)
    assert len(responses[0].rows) == 1


def test_a_server_that_keeps_failing_gives_a_clear_error(httpserver):
    httpserver.expect_request(PATH).respond_with_data("down", status=502)
    with pytest.raises(ComtradeError, match=r"gave up after retries: HTTP 502"):
        list(_client(httpserver, max_attempts=3).fetch(Query(392, (699,), ("X",), _codes(1), 2021)))


def test_a_timeout_is_retried_then_succeeds(httpserver):
    def slow(request):
        time.sleep(0.3)  # past the client timeout; the server answers one request at a time
        return answer_from_query(request)

    httpserver.expect_ordered_request(PATH).respond_with_handler(slow)
    httpserver.expect_ordered_request(PATH).respond_with_handler(answer_from_query)
    sleeps = Sleeps()
    responses = list(
        _client(httpserver, sleeps, timeout_s=0.2).fetch(
            Query(392, (699,), ("M",), _codes(1), 2020)
        )
    )
    assert len(sleeps) == 1
    assert len(responses[0].rows) == 1


def test_truncated_json_stops_with_a_schema_error(httpserver):
    body = envelope([comtrade_row(392, 699, "M", "810110", 2022, 5.0)])
    httpserver.expect_request(PATH).respond_with_data(
        body[: len(body) // 2], content_type="application/json"
    )
    with pytest.raises(ComtradeSchemaError, match="not valid JSON"):
        list(_client(httpserver).fetch(Query(392, (699,), ("M",), ("810110",), 2022)))


def test_a_missing_field_is_schema_drift(httpserver):
    row = comtrade_row(392, 699, "M", "810110", 2022, 5.0)
    del row["primaryValue"]
    httpserver.expect_request(PATH).respond_with_data(
        envelope([row]), content_type="application/json"
    )
    with pytest.raises(ComtradeSchemaError, match=r"row 1 lacks field\(s\) primaryValue"):
        list(_client(httpserver).fetch(Query(392, (699,), ("M",), ("810110",), 2022)))


def test_an_empty_result_is_a_valid_answer(httpserver):
    httpserver.expect_request(PATH).respond_with_data(
        '{"elapsedTime":"0.08 secs","count":0,"data":[],"error":""}',
        content_type="application/json",
    )
    responses = list(_client(httpserver).fetch(Query(392, (699,), ("M",), ("810110",), 2015)))
    assert [r.rows for r in responses] == [[]]


def test_the_key_is_sent_in_the_header_and_never_leaks(httpserver):
    keyed_path = "/data/v1/get/C/A/HS"
    httpserver.expect_ordered_request(keyed_path, headers={KEY_HEADER: KEY}).respond_with_handler(
        answer_from_query
    )
    httpserver.expect_ordered_request(keyed_path, headers={KEY_HEADER: KEY}).respond_with_response(
        Response(json.dumps({"statusCode": 403, "message": f"Out of call volume quota for {KEY}."}),
                 status=403, content_type="application/json")
    )  # fmt: skip
    client = ComtradeClient(api_key=KEY, base_url=httpserver.url_for(keyed_path), sleep=Sleeps())
    (first,) = list(client.fetch(Query(392, (699,), ("M",), ("810110",), 2022)))
    with pytest.raises(ComtradeError) as error:
        list(client.fetch(Query(392, (699,), ("M",), ("810120",), 2022)))
    assert "HTTP 403" in str(error.value)
    assert KEY not in str(error.value) and KEY not in first.url and KEY not in repr(client)
    assert KEY.encode() not in first.body
