"""Every README snippet marked ``<!-- readme-test: NAME -->`` runs here, so the README cannot rot."""

from __future__ import annotations

from pathlib import Path

import pytest

from twelvelabs_rag.testing.docs import named_blocks, run_code

README = Path(__file__).resolve().parents[1] / "README.md"


def _snippets() -> list[tuple[str, str]]:
    return list(named_blocks(README.read_text(encoding="utf-8")).items())


def test_readme_has_the_quickstarts() -> None:
    names = [name for name, _ in _snippets()]
    assert names == ["langchain", "llamaindex", "core", "agents", "embed-v2", "hosted"]


@pytest.mark.parametrize(("name", "code"), _snippets(), ids=[n for n, _ in _snippets()])
def test_readme_snippet_runs(name: str, code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TWELVELABS_API_KEY", raising=False)
    namespace: dict[str, object] = {"__name__": f"readme_{name}"}
    run_code(code, f"README.md:{name}", namespace)
    out = capsys.readouterr().out
    expected = {
        "langchain": ["['[wildlife.mp4 00:08-00:12]'] current", "bear", "salmon"],
        "llamaindex": ["spaghetti", "8.0 rank", "from 8s to 12s"],
        "core": [", 512)", "4.0 8.0"],
        "agents": ["wildlife.mp4 is indexed: asset_id=", "{'asset_id': '", "'start': 8.0, 'end': 12.0",
                   "[scripted test model, not an LLM]", "[wildlife.mp4 00:08-00:12]: at 00:08-00:12"],
        "embed-v2": ["(3, 512) 8.0 12.0", "bear catches salmon"],
        "hosted": ["['[wildlife.mp4 00:04-00:08]']", "['[wildlife.mp4 00:08-00:12]']", "earlier question", "bear"],
    }[name]
    for fragment in expected:
        assert fragment in out, f"README snippet {name!r} printed {out!r}, expected {fragment!r} in it"
    for obj in namespace.values():  # close what the snippet opened
        close = getattr(obj, "close", None)
        if callable(close) and type(obj).__module__.startswith("twelvelabs_rag"):
            try:
                close()
            except Exception:  # best effort cleanup
                pass


def test_core_snippet_runs_twice_and_leaves_the_working_directory_empty(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A newcomer pastes it twice: no "already exists", and nothing left behind in the working directory."""
    code = dict(_snippets())["core"]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TWELVELABS_API_KEY", raising=False)
    for run in range(2):
        run_code(code, f"README.md:core#{run}", {"__name__": "readme_core"})
        assert ", 512)" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_install_lines_work_in_zsh_and_in_order() -> None:
    text = README.read_text(encoding="utf-8")
    assert "pip install -e .[" not in text  # unquoted extras: zsh globs the brackets ("no matches found")
    assert "pip install -e '.[media,progress,plot]'" in text
    core = text.index("pip install -e '.[media,progress,plot]'")
    assert core < text.index("pip install -e integrations/langchain")  # the core comes first
    assert "about 2 minutes" not in text
    assert "uv run --frozen --no-sync --with jupyterlab jupyter lab notebooks/" in text
