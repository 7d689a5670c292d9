"""Every README snippet marked ``<!-- readme-test: NAME -->`` runs here, so the README cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(r"<!-- readme-test: (?P<name>[\w-]+) -->\s*```python\n(?P<code>.*?)```", re.S)


def _snippets() -> list[tuple[str, str]]:
    return [(m["name"], m["code"]) for m in _BLOCK.finditer(README.read_text(encoding="utf-8"))]


def test_readme_has_the_quickstarts() -> None:
    names = [name for name, _ in _snippets()]
    assert names == ["langchain", "llamaindex", "core", "embed-v2"]


@pytest.mark.parametrize(("name", "code"), _snippets(), ids=[n for n, _ in _snippets()])
def test_readme_snippet_runs(name: str, code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TWELVELABS_API_KEY", raising=False)
    namespace: dict[str, object] = {"__name__": f"readme_{name}"}
    exec(compile(code, f"README.md:{name}", "exec"), namespace)  # noqa: S102 - our own README
    out = capsys.readouterr().out
    expected = {
        "langchain": ["[wildlife.mp4 00:08-00:12]", "bear"],
        "llamaindex": ["spaghetti", "8.0"],
        "core": [", 512)", "4.0 8.0"],
        "embed-v2": ["(3, 512) 8.0 12.0", "bear catches salmon"],
    }[name]
    for fragment in expected:
        assert fragment in out, f"README snippet {name!r} printed {out!r}, expected {fragment!r} in it"
    for obj in namespace.values():  # close what the snippet opened
        close = getattr(obj, "close", None)
        if callable(close) and type(obj).__module__.startswith("twelvelabs_rag"):
            try:
                close()
            except Exception:  # noqa: BLE001 - best effort cleanup
                pass
