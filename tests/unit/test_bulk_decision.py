"""The per-item error decision shared by run_bounded and arun_bounded."""

from __future__ import annotations

import pytest

from twelvelabs_rag._bulk import _rate_limit_pause
from twelvelabs_rag._exceptions import NotFoundError, RateLimitError


def _429(retry_after: float | None) -> RateLimitError:
    return RateLimitError("slow down", status_code=429, retry_after=retry_after)


@pytest.mark.parametrize(("attempt", "expected"), [(0, 2.5), (5, 2.5), (6, None)])
def test_429_pauses_with_the_servers_advice_until_retries_run_out(attempt, expected) -> None:
    assert _rate_limit_pause(_429(2.5), attempt, 6) == expected


def test_429_without_advice_backs_off() -> None:
    pause = _rate_limit_pause(_429(None), 2, 6)
    assert pause is not None and 1.5 <= pause <= 2.0  # 0.5 s * 2**2, minus up to 25 % jitter


def test_other_errors_fail_the_item() -> None:
    assert _rate_limit_pause(NotFoundError("gone", status_code=404), 0, 6) is None
