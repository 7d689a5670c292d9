"""langchain-tests integration suites, pointed at the in-process emulator (see conftest.py).

The suites read their constructor arguments from properties; an autouse fixture hands each test
instance the shared emulator world before the suite's own fixtures build the component.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_tests.integration_tests import (
    ChatModelIntegrationTests,
    EmbeddingsIntegrationTests,
    RetrieversIntegrationTests,
)

from langchain_twelvelabs import (
    ChatTwelveLabsPegasus,
    ChatTwelveLabsResponses,
    TwelveLabsEmbeddings,
    TwelveLabsKnowledgeStoreRetriever,
    TwelveLabsSearchRetriever,
)


class _WorldBound:
    world: Any

    @pytest.fixture(autouse=True)
    def _bind_world(self, world: Any) -> None:
        self.world = world


class TestTwelveLabsEmbeddingsIntegration(_WorldBound, EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[TwelveLabsEmbeddings]:
        return TwelveLabsEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"api_shape": "classic", **self.world.clients_kw()}  # Marengo-retrieval-2.7 on /embed


class TestTwelveLabsEmbeddingsV2Integration(TestTwelveLabsEmbeddingsIntegration):
    """The same suite on embed v2 (the default: marengo3.0)."""

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {**self.world.clients_kw()}


class TestTwelveLabsSearchRetrieverIntegration(_WorldBound, RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[TwelveLabsSearchRetriever]:
        return TwelveLabsSearchRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"index_id": self.world.index_id, "k": 3, **self.world.clients_kw()}

    @property
    def retriever_query_example(self) -> str:
        # matches a scene in each of the three clips (chef, night market, snow)
        return "a chef at the night market in the snow"


class TestChatTwelveLabsPegasusIntegration(_WorldBound, ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[ChatTwelveLabsPegasus]:
        return ChatTwelveLabsPegasus

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"video_id": self.world.fox_video, **self.world.clients_kw()}

    @property
    def has_tool_calling(self) -> bool:
        return False

    @property
    def has_structured_output(self) -> bool:
        return True

    @property
    def supports_video_inputs(self) -> bool:
        return True  # video content blocks (url / file_id) bind the analyzed video

    @property
    def returns_usage_metadata(self) -> bool:
        return True


class TestChatTwelveLabsPegasusCurrentIntegration(TestChatTwelveLabsPegasusIntegration):
    """The same suite on the current flow: bound to an asset (assets + indexed assets on a Marengo 3.0
    index), pegasus1.5 by default, per-call model override to pegasus1.6."""

    @pytest.fixture(autouse=True)
    def _bind_world(self, current_world: Any) -> None:
        self.world = current_world

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"asset_id": self.world.assets["wildlife.mp4"], **self.world.clients_kw()}

    @property
    def model_override_value(self) -> str:
        return "pegasus1.6"


class _HostedBound:
    hosted: Any

    @pytest.fixture(autouse=True)
    def _bind_hosted(self, hosted_world: Any) -> None:
        self.hosted = hosted_world


class TestTwelveLabsKnowledgeStoreRetrieverIntegration(_HostedBound, RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[TwelveLabsKnowledgeStoreRetriever]:
        return TwelveLabsKnowledgeStoreRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"knowledge_store_id": self.hosted.knowledge_store_id, **self.hosted.clients_kw()}

    @property
    def retriever_query_example(self) -> str:
        # moments in all three items: fox and eagle (wildlife), taxi (city), ducks (park)
        return "a fox, an eagle, a taxi and ducks"


class TestChatTwelveLabsResponsesIntegration(_HostedBound, ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[ChatTwelveLabsResponses]:
        return ChatTwelveLabsResponses

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"knowledge_store_id": self.hosted.knowledge_store_id, **self.hosted.clients_kw()}

    @property
    def standard_chat_model_params(self) -> dict[str, Any]:
        # Responses takes no temperature or max_tokens; the model rejects them (extra="forbid") rather than
        # dropping them silently, so the suite's generic sampling parameters are left out here.
        params = dict(super().standard_chat_model_params)
        params.pop("temperature", None)
        params.pop("max_tokens", None)
        return params

    @property
    def has_tool_calling(self) -> bool:
        return False  # Responses runs its own search; it takes no client-side tools

    @property
    def has_structured_output(self) -> bool:
        return False  # not wrapped yet: Responses' `text` json_schema format is reachable as text_format=

    @property
    def supports_model_override(self) -> bool:
        return False  # Responses has no model parameter: the service chooses the model

    @property
    def returns_usage_metadata(self) -> bool:
        return True
