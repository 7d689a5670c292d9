"""How a media input given as a URL, a local path or bytes becomes a request argument (public).

One URL test for the whole project (:func:`is_url`: an ``http(s)://`` string, any case, surrounding
blanks ignored) and the mapping every caller of the classic media keywords needs
(:func:`media_arg`: ``<kind>_url`` for a URL, ``<kind>_file`` for a path or bytes), used by the
client's CLI, the store's media queries and the LangChain/LlamaIndex packages.

```python
from twelvelabs_rag.media_inputs import is_url, media_arg
assert is_url(" HTTPS://x/clip.mp4") and not is_url("clip.mp4") and not is_url(b"https://x")
assert media_arg("https://x/clip.wav", "audio") == {"audio_url": "https://x/clip.wav"}
assert media_arg(b"\\x89PNG", "image") == {"image_file": b"\\x89PNG"}
```
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

__all__ = ["is_url", "media_arg"]


def is_url(value: Any) -> bool:
    """True when ``value`` is an http(s) URL string (the API fetches those itself)."""
    return isinstance(value, str) and value.strip().lower().startswith(("http://", "https://"))


def media_arg(value: str | Path | bytes | bytearray | BytesIO, kind: str) -> dict[str, Any]:
    """``{"<kind>_url": url}`` for a URL, ``{"<kind>_file": path_or_bytes}`` for an existing path or bytes.

    Raises FileNotFoundError for a path that is not a file, TypeError for anything else.
    Checks that the path exists (a ``stat``): call it off the event loop in async code.
    """
    if is_url(value):
        return {f"{kind}_url": str(value).strip()}
    if isinstance(value, BytesIO):
        return {f"{kind}_file": value.getvalue()}
    if isinstance(value, (bytes, bytearray)):
        return {f"{kind}_file": bytes(value)}
    if isinstance(value, (str, Path)):
        path = Path(value).expanduser()
        if not path.is_file():
            raise FileNotFoundError(
                f"{kind} file not found: {str(value)!r}; pass an existing local path or an http(s) URL"
            )
        return {f"{kind}_file": path}
    raise TypeError(f"{kind} input must be a path, an http(s) URL, bytes or BytesIO, not {type(value).__name__}")
