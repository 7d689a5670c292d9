"""dumpd/loads round-trips of the serializable classes, with the key kept out of the dump."""

from __future__ import annotations

import warnings

import pytest
from langchain_core.load import dumps, loads

from langchain_twelvelabs import (
    ChatTwelveLabsPegasus,
    ChatTwelveLabsResponses,
    TwelveLabsEmbeddings,
    TwelveLabsPegasusLLM,
)

KEY = "tlk_serialization_secret_0123"


@pytest.mark.parametrize("obj", [
    ChatTwelveLabsPegasus(api_key=KEY, video="https://cdn.example.com/v.mp4", temperature=0.2, max_tokens=64),
    TwelveLabsPegasusLLM(api_key=KEY, video_id="0123456789abcdef01234567"),
    TwelveLabsEmbeddings(api_key=KEY, model_name="marengo3.0", max_concurrency=3),
    ChatTwelveLabsResponses(api_key=KEY, knowledge_store_id="ks_1", selections=["ksic_1"], stop=["\n"]),
], ids=lambda o: type(o).__name__)
def test_round_trip_keeps_settings_and_never_the_key(obj) -> None:
    text = dumps(obj)
    assert KEY not in text and '"id": ["TWELVELABS_API_KEY"]' in text
    assert type(obj).is_lc_serializable()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # loads() is a beta API of langchain-core
        back = loads(text, secrets_map={"TWELVELABS_API_KEY": KEY}, valid_namespaces=["langchain_twelvelabs"],
                     allowed_objects=[type(obj)])
    assert type(back) is type(obj) and back == obj
    assert back.api_key.get_secret_value() == KEY


def test_a_given_client_is_not_dumped() -> None:
    from twelvelabs_rag.testing import FakeTwelveLabs

    client = FakeTwelveLabs().client()
    try:
        text = dumps(TwelveLabsEmbeddings(api_key=KEY, client=client))
    finally:
        client.close()
    assert '"client"' not in text and KEY not in text
