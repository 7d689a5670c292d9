"""Bad constructor arguments raise ConfigurationError naming the argument and the fix (issue 9, item 14).

Before the fix they raised raw TypeError/ValueError/AttributeError (or were accepted and failed later).
"""

from __future__ import annotations

import httpx
import pytest

from twelvelabs_rag import AsyncTwelveLabs, ConfigurationError, TwelveLabs

KEY = "tlk_0123456789abcdefghijklmnop"


@pytest.mark.parametrize("cls", [TwelveLabs, AsyncTwelveLabs])
@pytest.mark.parametrize(
    ("kwargs", "names"),
    [
        ({"max_retries": "2"}, ("max_retries", "max_retries=2")),
        ({"max_retries": None}, ("max_retries", "max_retries=2")),
        ({"max_retries": 1.5}, ("max_retries", "max_retries=2")),
        ({"max_retries": True}, ("max_retries", "max_retries=2")),
        ({"max_retries": -1}, ("max_retries", ">= 0")),
        ({"timeout": -1}, ("timeout", "timeout=30")),
        ({"timeout": 0}, ("timeout", "> 0")),
        ({"timeout": float("nan")}, ("timeout", "finite")),
        ({"timeout": float("inf")}, ("timeout", "finite")),
        ({"timeout": "abc"}, ("timeout", "timeout=30")),
        ({"timeout": httpx.Timeout(5, read=-1)}, ("timeout.read",)),
        ({"poll_interval": "x"}, ("poll_interval", "poll_interval=30")),
        ({"poll_interval": -0.5}, ("poll_interval", ">= 0")),
        ({"api_key": 123}, ("api_key must be a string", "api_key=")),
        ({"api_key": b"tlk_x"}, ("api_key must be a string",)),
        ({"base_url": 5}, ("base_url", "base_url=")),
        ({"preflight": "no"}, ("preflight", "True or False")),
        ({"sleep": 3}, ("sleep",)),
        ({"clock": "now"}, ("clock",)),
        ({"default_headers": {"x-a": 1}}, ("default_headers",)),
        ({"default_headers": {"x-a": "b\r\nx-evil: 1"}}, ("default_headers", "printable ASCII")),
    ],
)
def test_bad_argument_is_a_configuration_error(cls: type, kwargs: dict, names: tuple[str, ...]) -> None:
    kwargs = {"api_key": KEY, **kwargs}
    with pytest.raises(ConfigurationError) as info:
        cls(**kwargs)
    text = str(info.value)
    for name in names:
        assert name in text
    assert isinstance(info.value, ValueError)  # documented: ConfigurationError is also a ValueError


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timeout": None},
        {"timeout": 0.5},
        {"timeout": 3},
        {"timeout": httpx.Timeout(10, connect=2)},
        {"max_retries": 0},
        {"poll_interval": 0},
        {"poll_interval": 2},
    ],
)
def test_good_arguments_are_kept(kwargs: dict) -> None:
    client = TwelveLabs(api_key=KEY, **kwargs)
    if "max_retries" in kwargs:
        assert client.max_retries == kwargs["max_retries"]
    if "poll_interval" in kwargs:
        assert client.poll_interval == kwargs["poll_interval"]
    if "timeout" in kwargs and not isinstance(kwargs["timeout"], httpx.Timeout):
        assert client.timeout == httpx.Timeout(kwargs["timeout"])
    client.close()


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"poll_interval": "x"}, "poll_interval"), ({"poll_interval": -1}, "poll_interval"),
     ({"timeout": "abc"}, "timeout"), ({"timeout": float("nan")}, "timeout"), ({"timeout": -5}, "timeout")],
)
def test_bad_wait_arguments_fail_before_any_request(kwargs: dict, name: str) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"_id": "t1", "status": "ready"})

    with TwelveLabs(api_key=KEY, transport=httpx.MockTransport(handler), max_retries=0) as client:
        for wait in (client.tasks.wait, client.embed.tasks.wait):
            with pytest.raises(ConfigurationError, match=name):
                wait("t1", **kwargs)
    assert sent == []


@pytest.mark.parametrize("value", ["4", 2.5, None, 0, True])
def test_bad_max_concurrency_is_a_clear_value_error(value: object) -> None:
    with TwelveLabs(api_key=KEY, transport=httpx.MockTransport(lambda r: httpx.Response(500)), max_retries=0) as client:
        with pytest.raises(ValueError, match="max_concurrency must be an int >= 1"):
            client.embed.create_many(["a"], model_name="marengo3.0", max_concurrency=value)
