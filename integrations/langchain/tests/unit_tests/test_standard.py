"""langchain-tests unit suites: construction only, with sockets disabled (no client is built)."""

from __future__ import annotations

import os
import warnings
from typing import Any
from unittest import mock

import pytest
from langchain_core._api.beta_decorator import LangChainBetaWarning
from langchain_core.load import dumpd, load
from langchain_tests.unit_tests import ChatModelUnitTests, EmbeddingsUnitTests

from langchain_twelvelabs import ChatTwelveLabsPegasus, ChatTwelveLabsResponses, TwelveLabsEmbeddings


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

    @pytest.mark.xfail(reason="langchain-core 1.x load(allowed_objects='all') admits only the classes of its "
                       "built-in mapping (langchain's own partner packages), so this cannot pass for a third-party "
                       "class; test_serdes_naming_the_class below runs the same checks with allowed_objects=[cls]")
    def test_serdes(self, model: ChatTwelveLabsPegasus, snapshot: Any) -> None:
        super().test_serdes(model, snapshot)

    def test_serdes_naming_the_class(self, model: ChatTwelveLabsPegasus, snapshot: Any) -> None:
        """The standard test_serdes, with ``allowed_objects=[ChatTwelveLabsPegasus]`` as a user must pass."""
        env_params, _model_params, _expected_attrs = self.init_from_env_params
        with mock.patch.dict(os.environ, env_params), warnings.catch_warnings():
            warnings.simplefilter("ignore", LangChainBetaWarning)
            ser = dumpd(model)
            assert ser == snapshot(name="serialized")
            back = load(dumpd(model), valid_namespaces=model.get_lc_namespace()[:1],
                        allowed_objects=[ChatTwelveLabsPegasus], secrets_from_env=True)
            # connection settings come from the environment at load time (the key is never in the dump)
            env_fields = {"api_key", "base_url"}
            assert model.model_dump(exclude=env_fields) == back.model_dump(exclude=env_fields)
            assert back.api_key.get_secret_value() == "tlk_env" and back.base_url == "http://127.0.0.1:9/v1.3"


class TestChatTwelveLabsResponsesUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatTwelveLabsResponses]:
        return ChatTwelveLabsResponses

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"api_key": "tlk_unit", "knowledge_store_id": "ks_unit"}

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
    def init_from_env_params(self) -> tuple[dict, dict, dict]:
        return (
            {"TWELVELABS_API_KEY": "tlk_env", "TWELVELABS_BASE_URL": "http://127.0.0.1:9/v1.3"},
            {"knowledge_store_id": "ks_unit"},
            {"api_key": "tlk_env", "base_url": "http://127.0.0.1:9/v1.3"},
        )

    @pytest.mark.xfail(reason="the standard test builds the model with max_tokens=10, a parameter Responses does not "
                       "have (the model rejects it instead of ignoring it); test_ls_params_without_sampling below "
                       "runs the same checks without it")
    def test_standard_params(self, model: ChatTwelveLabsResponses) -> None:
        super().test_standard_params(model)

    def test_ls_params_without_sampling(self) -> None:
        model = ChatTwelveLabsResponses(api_key="tlk_unit", knowledge_store_id="ks_unit", stop=["test"])
        params = model._get_ls_params()
        assert params == {"ls_provider": "twelvelabs", "ls_model_type": "chat",
                          "ls_model_name": "twelvelabs-responses", "ls_stop": ["test"]}
        assert model._get_ls_params(model="other")["ls_model_name"] == "other"

    def test_sampling_parameters_are_rejected_with_a_reason(self) -> None:
        from pydantic import ValidationError

        with pytest.raises(ValidationError, match="max_tokens"):
            ChatTwelveLabsResponses(api_key="tlk_unit", knowledge_store_id="ks_unit", max_tokens=10)

    @pytest.mark.xfail(reason="langchain-core 1.x load(allowed_objects='all') admits only the classes of its "
                       "built-in mapping (langchain's own partner packages), so this cannot pass for a third-party "
                       "class; test_serdes_naming_the_class below runs the same checks with allowed_objects=[cls]")
    def test_serdes(self, model: ChatTwelveLabsResponses, snapshot: Any) -> None:
        super().test_serdes(model, snapshot)

    def test_serdes_naming_the_class(self, model: ChatTwelveLabsResponses, snapshot: Any) -> None:
        """The standard test_serdes, with ``allowed_objects=[ChatTwelveLabsResponses]`` as a user must pass."""
        env_params, _model_params, _expected_attrs = self.init_from_env_params
        with mock.patch.dict(os.environ, env_params), warnings.catch_warnings():
            warnings.simplefilter("ignore", LangChainBetaWarning)
            ser = dumpd(model)
            assert ser == snapshot(name="serialized")
            back = load(dumpd(model), valid_namespaces=model.get_lc_namespace()[:1],
                        allowed_objects=[ChatTwelveLabsResponses], secrets_from_env=True)
            env_fields = {"api_key", "base_url"}
            assert model.model_dump(exclude=env_fields) == back.model_dump(exclude=env_fields)
            assert back.api_key.get_secret_value() == "tlk_env" and back.base_url == "http://127.0.0.1:9/v1.3"
