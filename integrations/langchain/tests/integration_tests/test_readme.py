"""Every ```python block of the README runs, in order, against the emulator served on loopback."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import ModuleType

from twelvelabs_rag.testing import FakeTwelveLabs, serve
from twelvelabs_rag.testing.docs import code_blocks, run_code

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_code_blocks_run(tmp_path, monkeypatch, capsys, media_dir) -> None:
    blocks = code_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 6
    for name in ("wildlife.mp4", "fox.png", "market.wav"):
        shutil.copy(media_dir / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    fake = FakeTwelveLabs(task_statuses=("ready",), embed_task_statuses=("ready",))
    namespace: dict = {"__name__": "readme"}
    with serve(fake) as base_url:
        monkeypatch.setenv("TWELVELABS_API_KEY", "tlk_readme")
        monkeypatch.setenv("TWELVELABS_BASE_URL", base_url)
        try:
            for i, block in enumerate(blocks):
                run_code(block, f"README.md[block {i}]", namespace)
        finally:
            store = namespace.get("store")
            if store is not None and store.store is not None:
                store.store.close()
            for value in namespace.values():  # the README's retrievers, models, loaders and clients
                if not isinstance(value, (type, ModuleType)) and callable(getattr(value, "close", None)):
                    value.close()  # closes what each object built; an async client closed with its loop
    out = capsys.readouterr().out
    assert "[wildlife.mp4 00:08-00:12] the bear is fishing" in out
    assert "salmon" in out
    assert "image query -> [wildlife.mp4 00:00-00:04]" in out
    assert "512 512 512 512" in out
    assert "1. [wildlife.mp4 00:08-00:12] video_id=" in out  # the agent tools' search
    assert "animal=" in out
    from twelvelabs_rag.store import SegmentStore

    assert SegmentStore.exists(tmp_path / "segments.tlstore")
