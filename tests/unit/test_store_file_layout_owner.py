"""Only the store knows its file layout (issue 11 §1): nobody else tests for ``manifest.json``.

The CLI once checked ``(path / "manifest.json").is_file()`` in seven places; it now asks
``SegmentStore.exists(path)``, so a change of the on-disk layout has one owner.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OWNER = ROOT / "src" / "twelvelabs_rag" / "store"


def test_only_the_store_names_its_manifest_file() -> None:
    code = [*(ROOT / "src").rglob("*.py"), *(ROOT / "integrations").rglob("*.py")]
    offenders = [str(p.relative_to(ROOT)) for p in code
                 if OWNER not in p.parents and "/tests/" not in p.as_posix() and "manifest.json" in p.read_text()]
    assert len(code) > 100
    assert offenders == [], f"ask SegmentStore.exists(path) instead of testing for manifest.json: {offenders}"
