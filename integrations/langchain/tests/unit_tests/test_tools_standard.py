"""langchain-tests ToolsUnitTests for every TwelveLabs tool: construction only, sockets disabled, no client built."""

from __future__ import annotations

from typing import Any

from langchain_tests.unit_tests import ToolsUnitTests

from langchain_twelvelabs.tools import (
    TwelveLabsAnalyzeTool,
    TwelveLabsIngestTool,
    TwelveLabsSearchTool,
    TwelveLabsSegmentSearchTool,
)
from twelvelabs_rag.store import SegmentStore

ENV = {"TWELVELABS_API_KEY": "tlk_env", "TWELVELABS_BASE_URL": "http://127.0.0.1:9/v1.3"}
EXPECTED = {"api_key": "tlk_env", "base_url": "http://127.0.0.1:9/v1.3"}


class TestSearchToolUnit(ToolsUnitTests):
    @property
    def tool_constructor(self) -> type[TwelveLabsSearchTool]:
        return TwelveLabsSearchTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"api_key": "tlk_unit", "index_id": "idx_unit"}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"query": "a red fox running through snow", "k": 3}

    @property
    def init_from_env_params(self) -> tuple[dict, dict, dict]:
        return ENV, {"index_id": "idx_unit"}, EXPECTED


class TestAnalyzeToolUnit(ToolsUnitTests):
    @property
    def tool_constructor(self) -> type[TwelveLabsAnalyzeTool]:
        return TwelveLabsAnalyzeTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"api_key": "tlk_unit"}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"prompt": "What is the fox doing?", "video_id": "vid_unit", "start": 0, "end": 4}

    @property
    def init_from_env_params(self) -> tuple[dict, dict, dict]:
        return ENV, {}, EXPECTED


class TestSegmentSearchToolUnit(ToolsUnitTests):
    @property
    def tool_constructor(self) -> type[TwelveLabsSegmentSearchTool]:
        return TwelveLabsSegmentSearchTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"store": SegmentStore.create(None, dim=512, model_name="marengo3.0")}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"like_segment_id": 0, "k": 2}

    @property
    def init_from_env_params(self) -> tuple[dict, dict, dict]:
        return ENV, {"store": SegmentStore.create(None, dim=512, model_name="marengo3.0")}, EXPECTED


class TestIngestToolUnit(ToolsUnitTests):
    @property
    def tool_constructor(self) -> type[TwelveLabsIngestTool]:
        return TwelveLabsIngestTool

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {"api_key": "tlk_unit", "index_id": "idx_unit"}

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"source": "https://example.com/fox.mp4"}

    @property
    def init_from_env_params(self) -> tuple[dict, dict, dict]:
        return ENV, {"index_id": "idx_unit"}, EXPECTED
