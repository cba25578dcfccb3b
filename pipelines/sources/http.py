"""HTTP GET with the retry policy every connector shares.

429, 5xx, timeouts and transport errors are retried with exponential backoff, or after the time a
`Retry-After` header asks for; anything else is the connector's to judge.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
from tenacity import RetryCallState, retry, retry_if_exception, stop_after_attempt, wait_exponential


class Retryable(Exception):
    """A failure worth another try, with the delay the server asked for, if any."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def with_retries(get: Callable[[str], httpx.Response], max_attempts: int, max_wait_s: float,
                 sleep: Callable[[float], None] | None = None) -> Callable[[str], httpx.Response]:  # fmt: skip
    """`get` retried on Retryable; the last Retryable is raised when attempts run out."""
    backoff = wait_exponential(multiplier=1, min=1, max=max_wait_s)

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, Retryable) and error.retry_after is not None:
            return error.retry_after
        return backoff(state)

    return retry(
        retry=retry_if_exception(lambda e: isinstance(e, Retryable)),
        wait=wait,
        stop=stop_after_attempt(max_attempts),
        reraise=True,
        **({"sleep": sleep} if sleep is not None else {}),
    )(get)


def get_once(
    client: httpx.Client, url: str, describe: Callable[[httpx.Response], str]
) -> httpx.Response:
    """One GET: raise Retryable for what a retry may mend, return any other answer."""
    try:
        answer = client.get(url)
    except httpx.TimeoutException:
        raise Retryable("timed out") from None
    except httpx.TransportError as error:
        raise Retryable(f"transport error: {type(error).__name__}") from None
    if answer.status_code == 429 or answer.status_code >= 500:
        raise Retryable(f"HTTP {answer.status_code}{describe(answer)}", _retry_after(answer))
    return answer


def _retry_after(answer: httpx.Response) -> float | None:
    value = answer.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
