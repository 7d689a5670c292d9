"""``/embed-v2`` (``client.embed.v2``): Marengo 3.0 / 3.5 embeddings, sync and as tasks.

Vectors come back as float32 matrices: ``response.matrix`` is ``(n, d)`` with one row per
``data[i]`` (text, image, clip, asset, page or chunk), parsed in one numpy call.

Inputs follow the wire shape (``text={"input_text": ...}``, ``video={"media_source": {...}, ...}``);
for brevity a ``str`` is accepted for ``text`` (the input text) and for ``image``/``audio``/``video``
(a URL). ``media_source`` may be ``{"url": ...}``, ``{"base64_string": ...}`` or ``{"asset_id": ...}``.

```python
q = client.embed.v2.create(input_type="text", model_name="marengo3.0", text="a red fox").vector
task = client.embed.v2.tasks.create_and_wait(
    input_type="video", model_name="marengo3.0", video={"media_source": {"asset_id": asset_id}})
print(task.matrix.shape)  # (n_segments * n_options, 512)
```
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any

import httpx

from .._exceptions import InvalidRequestError
from .._pagination import AsyncPage, SyncPage
from .._request import RequestSpec
from ..models import UnknownModelError, embed_dimension, find_model
from ..types._fast import embed_v2_from_json
from ..types.embed_v2 import EmbedV2Response, EmbedV2Task, EmbedV2TaskCreated, EmbedV2TaskSummary
from ._resource import AsyncResource, M, Plan, SyncResource, call_args, check_id, parse_json, parse_model, validate

__all__ = ["EmbedV2", "AsyncEmbedV2", "EmbedV2Tasks", "AsyncEmbedV2Tasks", "embed_v2_body"]

_INPUT_KEYS = ("text", "image", "text_image", "audio", "video", "multi_input", "document")
_SOURCE_KEYS = ("url", "base64_string", "asset_id")


def _media_input(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return {"media_source": {"url": value}}
    if not isinstance(value, Mapping):
        raise InvalidRequestError(f"`{name}` must be a dict like {{'media_source': {{'url': ...}}}} or a URL string")
    out = dict(value)
    source = out.get("media_source")
    if name != "multi_input":
        if not isinstance(source, Mapping):
            raise InvalidRequestError(f"`{name}` needs media_source={{'url'|'base64_string'|'asset_id': ...}}")
        given = [k for k in _SOURCE_KEYS if source.get(k)]
        if len(given) != 1:
            raise InvalidRequestError(f"`{name}.media_source` needs exactly one of url, base64_string or asset_id, got "
                             f"{sorted(k for k in source if source.get(k)) or 'none'}")
    return out


def _input(name: str, value: Any) -> dict[str, Any]:
    if name == "text":
        if isinstance(value, str):
            value = {"input_text": value}
        if not isinstance(value, Mapping) or not str(value.get("input_text") or "").strip():
            raise InvalidRequestError("`text` must be a non-empty string or {'input_text': '...'}")
        return dict(value)
    if name == "multi_input":
        if not isinstance(value, Mapping):
            raise InvalidRequestError("`multi_input` must be a dict {'input_text'?: ..., 'media_sources'?: [...]}")
        sources = value.get("media_sources") or []
        if len(sources) > 10:
            raise InvalidRequestError(f"`multi_input.media_sources` holds at most 10 items, got {len(sources)}")
        if not sources and not value.get("input_text"):
            raise InvalidRequestError("`multi_input` needs input_text and/or media_sources")
        return dict(value)
    return _media_input(name, value)


def embed_v2_body(input_type: str, model_name: str, inputs: Mapping[str, Any], *, tasks: bool,
                  **options: Any) -> dict[str, Any]:
    """The JSON body of POST /embed-v2 (``tasks=False``) or /embed-v2/tasks, checked against the model registry.

    Known models are checked (input type, ``embedding_dimension`` and the 3.5-only options); unknown
    model names and input types pass through for the server to judge.
    """
    if not input_type or not isinstance(input_type, str):
        raise InvalidRequestError("input_type is required: text, image, text_image, audio, video or multi_input")
    if not model_name or not isinstance(model_name, str):
        raise InvalidRequestError("model_name is required: 'marengo3.0' (512-d) or 'marengo3.5'")
    given = {k: v for k, v in inputs.items() if v is not None}
    if input_type in _INPUT_KEYS and input_type not in given:
        raise InvalidRequestError(f"input_type={input_type!r} needs {input_type}=... "
                                  f"(got {sorted(given) or 'no input'})")
    extra = sorted(set(given) - {input_type})
    if extra:
        raise InvalidRequestError(f"input_type={input_type!r} takes only {input_type}=...; drop {', '.join(extra)}")
    spec = find_model(model_name)
    if spec is not None:
        allowed = spec.embed_v2_task_inputs if tasks else spec.embed_v2_inputs
        where = "POST /embed-v2/tasks" if tasks else "POST /embed-v2"
        if not allowed:
            raise UnknownModelError(f"{spec.name} is not an embed-v2 model; use marengo3.0 or marengo3.5")
        if input_type not in allowed:
            raise InvalidRequestError(f"{where} with {spec.name} takes input_type {', '.join(allowed)}, "
                                      f"not {input_type!r}")
        for option in ("embedding_dimension", "embedding_uncertainty", "auto_truncate"):
            if options.get(option) is not None and option not in spec.options:
                raise InvalidRequestError(f"`{option}` needs marengo3.5; drop it for {spec.name}")
        if options.get("embedding_dimension") is not None:
            embed_dimension(spec.name, options["embedding_dimension"])
    body: dict[str, Any] = {"input_type": input_type, "model_name": model_name}
    body.update({k: v for k, v in options.items() if v is not None})
    for name, value in given.items():
        body[name] = _input(name, value)
    return body


def _parse(model: type[M], response: httpx.Response) -> M:
    data = parse_json(response)
    if isinstance(data, dict):
        from pydantic import ValidationError

        try:
            fast: M = embed_v2_from_json(model, data)
            return fast
        except ValidationError:
            pass
    return validate(model, data, response)


def _create_spec(input_type: str, model_name: str, embedding_dimension: int | None, auto_truncate: bool | None,
                 embedding_uncertainty: bool | None, **inputs: Any) -> RequestSpec:
    body = embed_v2_body(input_type, model_name, inputs, tasks=False, embedding_dimension=embedding_dimension,
                         auto_truncate=auto_truncate, embedding_uncertainty=embedding_uncertainty)
    return RequestSpec("POST", "embed-v2", json=body)


def _task_spec(input_type: str, model_name: str, embedding_dimension: int | None, embedding_uncertainty: bool | None,
               **inputs: Any) -> RequestSpec:
    body = embed_v2_body(input_type, model_name, inputs, tasks=True, embedding_dimension=embedding_dimension,
                         embedding_uncertainty=embedding_uncertainty)
    return RequestSpec("POST", "embed-v2/tasks", json=body)


def _retrieve_spec(task_id: str) -> RequestSpec:
    return RequestSpec("GET", f"embed-v2/tasks/{check_id('task_id', task_id)}")


def _create_and_wait(res: Any, *, timeout: float | None, poll_interval: float | None, on_progress: Any,
                     **create: Any) -> Plan[EmbedV2Task]:
    created = yield res.create(**create)
    result: EmbedV2Task = yield res.wait(created.id, timeout=timeout, poll_interval=poll_interval,
                                         on_progress=on_progress)
    return result


class EmbedV2Tasks(SyncResource):
    """``client.embed.v2.tasks``: long audio/video (and 3.5 documents/images) embedded asynchronously."""

    def create(self, *, input_type: str, model_name: str = "marengo3.0", audio: Any = None, video: Any = None,
               document: Any = None, image: Any = None, embedding_dimension: int | None = None,
               embedding_uncertainty: bool | None = None) -> EmbedV2TaskCreated:
        """Start a task (202 ``{_id, status: processing}``); failures of the media show up on retrieve."""
        return parse_model(EmbedV2TaskCreated, self._client._request(_task_spec(**call_args(locals()))))

    def list(self, *, started_at: str | None = None, ended_at: str | None = None, status: str | None = None,
             page_limit: int | None = None) -> SyncPage[EmbedV2TaskSummary]:
        """Embedding tasks of the last 7 days (unless ``started_at``/``ended_at`` say otherwise), newest first."""
        return self._list("embed-v2/tasks", call_args(locals()), EmbedV2TaskSummary)

    def retrieve(self, task_id: str) -> EmbedV2Task:
        """Status and, once ``ready``, the vectors (``task.matrix``) in one call."""
        return _parse(EmbedV2Task, self._client._request(_retrieve_spec(task_id)))

    def wait(self, task_id: str, *, timeout: float | None = None, poll_interval: float | None = None,
             on_progress: Callable[[EmbedV2Task], Any] | None = None) -> EmbedV2Task:
        """Poll ``retrieve`` until ``ready`` and return that answer (vectors included)."""
        return self._wait(lambda: self.retrieve(task_id), task_id, "embed", timeout, poll_interval,
                          on_progress)

    def create_and_wait(self, *, input_type: str, model_name: str = "marengo3.0", audio: Any = None,
                        video: Any = None, document: Any = None, image: Any = None,
                        embedding_dimension: int | None = None, embedding_uncertainty: bool | None = None,
                        timeout: float | None = None, poll_interval: float | None = None,
                        on_progress: Callable[[EmbedV2Task], Any] | None = None) -> EmbedV2Task:
        """:meth:`create` then :meth:`wait`; returns the ready task with its vectors."""
        return self._run(_create_and_wait(self, **call_args(locals())))


class AsyncEmbedV2Tasks(AsyncResource):
    """``client.embed.v2.tasks`` of the async client."""

    async def create(self, *, input_type: str, model_name: str = "marengo3.0", audio: Any = None, video: Any = None,
                     document: Any = None, image: Any = None, embedding_dimension: int | None = None,
                     embedding_uncertainty: bool | None = None) -> EmbedV2TaskCreated:
        """Start a task (202 ``{_id, status: processing}``); failures of the media show up on retrieve."""
        return parse_model(EmbedV2TaskCreated, await self._client._request(_task_spec(**call_args(locals()))))

    def list(self, *, started_at: str | None = None, ended_at: str | None = None, status: str | None = None,
             page_limit: int | None = None) -> AsyncPage[EmbedV2TaskSummary]:
        """Embedding tasks of the last 7 days (unless ``started_at``/``ended_at`` say otherwise), newest first."""
        return self._list("embed-v2/tasks", call_args(locals()), EmbedV2TaskSummary)

    async def retrieve(self, task_id: str) -> EmbedV2Task:
        """Status and, once ``ready``, the vectors (``task.matrix``) in one call."""
        return _parse(EmbedV2Task, await self._client._request(_retrieve_spec(task_id)))

    async def wait(self, task_id: str, *, timeout: float | None = None, poll_interval: float | None = None,
                   on_progress: Callable[[EmbedV2Task], Any] | None = None) -> EmbedV2Task:
        """Poll ``retrieve`` until ``ready`` and return that answer (vectors included)."""
        return await self._wait(lambda: self.retrieve(task_id), task_id, "embed", timeout,
                                poll_interval, on_progress)

    async def create_and_wait(self, *, input_type: str, model_name: str = "marengo3.0", audio: Any = None,
                              video: Any = None, document: Any = None, image: Any = None,
                              embedding_dimension: int | None = None, embedding_uncertainty: bool | None = None,
                              timeout: float | None = None, poll_interval: float | None = None,
                              on_progress: Callable[[EmbedV2Task], Any] | None = None) -> EmbedV2Task:
        """:meth:`create` then :meth:`wait`; returns the ready task with its vectors."""
        return await self._run(_create_and_wait(self, **call_args(locals())))


class EmbedV2(SyncResource):
    """``client.embed.v2``."""

    @cached_property
    def tasks(self) -> EmbedV2Tasks:
        return EmbedV2Tasks(self._client)

    def create(self, *, input_type: str, model_name: str = "marengo3.0", text: Any = None, image: Any = None,
               text_image: Any = None, audio: Any = None, video: Any = None, multi_input: Any = None,
               embedding_dimension: int | None = None, auto_truncate: bool | None = None,
               embedding_uncertainty: bool | None = None) -> EmbedV2Response:
        """Embed one input now (text ≤500 tokens on 3.0; audio/video ≤10 min on 3.0, else use :attr:`tasks`)."""
        return _parse(EmbedV2Response, self._client._request(_create_spec(**call_args(locals()))))


class AsyncEmbedV2(AsyncResource):
    """``client.embed.v2`` of the async client."""

    @cached_property
    def tasks(self) -> AsyncEmbedV2Tasks:
        return AsyncEmbedV2Tasks(self._client)

    async def create(self, *, input_type: str, model_name: str = "marengo3.0", text: Any = None, image: Any = None,
                     text_image: Any = None, audio: Any = None, video: Any = None, multi_input: Any = None,
                     embedding_dimension: int | None = None, auto_truncate: bool | None = None,
                     embedding_uncertainty: bool | None = None) -> EmbedV2Response:
        """Embed one input now (text ≤500 tokens on 3.0; audio/video ≤10 min on 3.0, else use :attr:`tasks`)."""
        return _parse(EmbedV2Response, await self._client._request(_create_spec(**call_args(locals()))))
