"""The example of docs/hosted-rag.md runs as written against the emulator and prints what it says."""

from __future__ import annotations

from pathlib import Path

import pytest

from twelvelabs_rag.testing.docs import code_blocks, run_code

DOC = Path(__file__).resolve().parents[2] / "docs" / "hosted-rag.md"


def test_the_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (block,) = code_blocks(DOC.read_text(encoding="utf-8"))
    namespace: dict = {}
    run_code(block, str(DOC), namespace)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "True 4.0"
    assert lines[1].startswith("True 8.0 12.0 a brown bear catches salmon in a river")
    assert lines[-1].startswith("True ") and int(lines[-1].split()[1]) >= 1
    assert namespace["follow"].session_id == namespace["answer"].session_id  # type: ignore[attr-defined]
    assert namespace["fox"].status == "processing"  # type: ignore[attr-defined]
