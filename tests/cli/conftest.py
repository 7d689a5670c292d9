"""Fixtures for the ``tlrag`` tests: an isolated environment, a loopback emulator, and a runner.

Commands run in-process through ``twelvelabs_rag.cli.main`` (the same function the console script
calls) against a ``FakeTwelveLabs`` served on 127.0.0.1, so every request crosses real HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

KEY = "tlk_cli_test_key_123"


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [ln for ln in self.err.splitlines() if ln.strip()]


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No key or base URL leaks in from the machine; the working directory is a temp dir."""
    for var in ("TWELVELABS_API_KEY", "TWELVE_LABS_API_KEY", "TWELVELABS_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def fake():
    from twelvelabs_rag.testing import FakeTwelveLabs

    return FakeTwelveLabs(seed=0)


@pytest.fixture
def base_url(fake) -> Iterator[str]:
    from twelvelabs_rag.testing import serve

    with serve(fake) as url:
        yield url


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """``cli("index", "list", ...) -> Result`` running ``main`` in-process (no connection options added)."""
    from twelvelabs_rag.cli import main

    def run(*argv: str) -> Result:
        capsys.readouterr()
        code = main([str(a) for a in argv])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def api(cli: Callable[..., Result], base_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Like ``cli`` but pointed at the loopback emulator through the environment (as a user would)."""
    monkeypatch.setenv("TWELVELABS_BASE_URL", base_url)
    monkeypatch.setenv("TWELVELABS_API_KEY", KEY)
    return cli


@pytest.fixture
def clip_factory(tmp_path: Path) -> Callable[..., Path]:
    from twelvelabs_rag.testing.samples import make_clip

    def make(name: str, script: str, **kw) -> Path:
        return Path(make_clip(tmp_path / name, script, **kw))

    return make


@pytest.fixture
def index_id(api: Callable[..., Result]) -> str:
    r = api("index", "create", "cli-tests")
    assert r.code == 0, r.err
    return r.out.strip().rsplit(": ", 1)[1]
