"""langchain-tests unit suites: construction only, with sockets disabled (no client is built)."""

from __future__ import annotations

from typing import Any

from langchain_tests.unit_tests import ChatModelUnitTests, EmbeddingsUnitTests

from langchain_twelvelabs import ChatTwelveLabsPegasus, TwelveLabsEmbeddings


class TestTwelveLabsEmbeddingsUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[TwelveLabsEmbeddings]:
        return TwelveLabsEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"api_key": "tlk_unit", "model_name": "marengo3.0"}

    @property
    def init_from_env_params(self) -> tuple[dict, dict, dict]:
        return (
            {"TWELVELABS_API_KEY": "tlk_env", "TWELVELABS_BASE_URL": "http://127.0.0.1:9/v1.3"},
            {},
            {"api_key": "tlk_env", "base_url": "http://127.0.0.1:9/v1.3"},
        )


class TestChatTwelveLabsPegasusUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatTwelveLabsPegasus]:
        return ChatTwelveLabsPegasus

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"api_key": "tlk_unit", "video_id": "vid_unit"}

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
    def init_from_env_params(self) -> tuple[dict, dict, dict]:
        return (
            {"TWELVELABS_API_KEY": "tlk_env", "TWELVELABS_BASE_URL": "http://127.0.0.1:9/v1.3"},
            {"video_id": "vid_unit"},
            {"api_key": "tlk_env", "base_url": "http://127.0.0.1:9/v1.3"},
        )
