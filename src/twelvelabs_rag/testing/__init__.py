"""An emulator of the TwelveLabs API v1.3 for testing apps offline, plus sample media.

``FakeTwelveLabs`` is an in-memory, deterministic implementation of every endpoint the library
uses (indexes, tasks, videos, search, embed, embed tasks, analyze, classic transfers), with
fault injection, rate limits and a request log. Use it in-process through an httpx transport
(``fake.client()``, ``fake.transport()``) or as a real HTTP server on loopback (:func:`serve`,
``python -m twelvelabs_rag.testing``).

**The emulator does not understand pixels or sound.** Media carry their meaning as embedded
text: an MP4's ``comment`` tag holds a script of timed scenes (``[0-4] a red fox runs through
snow``, optionally ``| "spoken words"``), a PNG's ``tEXt`` ``Description`` (or a JPEG ``COM``)
holds an image's text, and a WAV's ``LIST/INFO/ICMT`` holds the audio's text. Embeddings are a
hashed bag of words of that text (plus a small content hash), so a query describing a scene
ranks that scene's clip first; media without text get content-hash vectors that match nothing
in particular. Analyze answers are assembled from the script. ``samples`` writes such media.

Example:
    ```python
    from twelvelabs_rag.testing import FakeTwelveLabs
    fake = FakeTwelveLabs(task_statuses=("ready",))
    client = fake.client()          # a twelvelabs_rag.TwelveLabs talking to the emulator
    index = client.indexes.create(index_name="demo", models=[{"model_name": "marengo3.0",
                                                               "model_options": ["visual", "audio"]}])
    ```
"""

from ._fake import ROUTES, FakeTwelveLabs, RecordedRequest
from ._script import Scene, format_script, parse_script
from ._server import serve

__all__ = ["FakeTwelveLabs", "RecordedRequest", "ROUTES", "serve", "Scene", "parse_script", "format_script"]
