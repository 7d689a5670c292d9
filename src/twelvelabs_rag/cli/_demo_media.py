"""The demo's sample media, generated on the fly (nothing downloaded, nothing large committed).

Each clip is a real H.264 MP4 of 12 seconds at 640x360 (about 30 kB). The pixels are plain colours;
the meaning lives in the clip's ``comment`` tag as a script of timed scenes, which the emulator
reads. The real API watches the pixels instead, so against it the answers will be about coloured
squares: the demo's wiring is the same either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["CLIPS", "QUERY_IMAGE_TEXT", "QUERY_AUDIO_TEXT", "SampleSet", "make_samples"]

#: file name -> script (``[start-end] what is seen | "what is said"``); every scene has a short voice-over,
#: so transcripts (and the retrievers' page text) carry words for each cited moment.
CLIPS: dict[str, str] = {
    "winter_wildlife.mp4": (
        '[0-4] a red fox runs through deep snow at the edge of a pine forest | "a red fox hunts near the forest edge"\n'
        '[4-8] an eagle glides over a frozen mountain lake | "an eagle scans the ice from high above"\n'
        '[8-12] a fox digs in the snow and catches a mouse | "the fox hunts by listening"'
    ),
    "city_night.mp4": (
        '[0-4] a busy city street at night with neon signs and crowds | "the city wakes up as the sun goes down"\n'
        '[4-8] a yellow taxi drives through heavy rain past glowing shop windows | "a cab races through the downpour"\n'
        '[8-12] people eat noodles at a crowded night market | "welcome to the night market"'
    ),
    "home_kitchen.mp4": (
        '[0-4] a chef chops onions and garlic on a wooden board | "every good sauce starts with onions and garlic"\n'
        '[4-8] fresh pasta boils in a large steel pot on the stove | "the pasta needs about ten minutes"\n'
        '[8-12] the chef plates spaghetti with tomato sauce and basil | "dinner is served"'
    ),
    "beach_day.mp4": (
        '[0-4] a surfer rides a tall ocean wave under a blue sky | "a surfer catches the perfect wave"\n'
        '[4-8] children build a sandcastle on the beach | "kids spend the afternoon building castles in the sand"\n'
        '[8-12] the sun sets over the sea behind a wooden pier | "what a beautiful sunset"'
    ),
}

#: What the query image "shows" (its PNG Description), and what the query audio "says".
QUERY_IMAGE_TEXT = "a surfer riding a big blue ocean wave"
QUERY_AUDIO_TEXT = "welcome to the night market"


@dataclass(frozen=True)
class SampleSet:
    """Paths of the generated media."""

    clips: dict[str, Path]
    query_image: Path
    query_audio: Path

    @property
    def total_bytes(self) -> int:
        paths = [*self.clips.values(), self.query_image, self.query_audio]
        return sum(p.stat().st_size for p in paths)


def make_samples(directory: Path) -> SampleSet:
    """Write the demo clips, one query image and one query audio file into ``directory``.

    ```python
    import tempfile, pathlib
    s = make_samples(pathlib.Path(tempfile.mkdtemp()))
    assert sorted(s.clips) == sorted(CLIPS)
    ```
    """
    from ..testing.samples import make_audio, make_clip, make_image

    directory.mkdir(parents=True, exist_ok=True)
    clips = {name: Path(make_clip(directory / name, script)) for name, script in CLIPS.items()}
    image = Path(make_image(directory / "query_wave.png", QUERY_IMAGE_TEXT))
    audio = Path(make_audio(directory / "query_market.wav", QUERY_AUDIO_TEXT, seconds=2))
    return SampleSet(clips, image, audio)
