"""Isolated virtualenvs holding one pinned version of the official ``twelvelabs`` SDK each.

``ensure_sdk_venv("1.3.6")`` creates ``<repo>/.venv-sdk-1.3.6`` with uv (falling back to
``python -m venv`` + pip), installs ``twelvelabs==1.3.6`` from PyPI, and returns the venv's
python. An existing venv with a completed install (marker file) is reused.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["ensure_sdk_venv", "SdkEnvError", "ROOT"]

ROOT = Path(__file__).resolve().parents[2]
_BIN = "Scripts" if os.name == "nt" else "bin"


class SdkEnvError(RuntimeError):
    """The SDK venv could not be created (most often: PyPI is unreachable)."""


def _uv() -> str | None:
    found = shutil.which("uv")
    if found:
        return found
    local = ROOT / ".tools" / _BIN / "uv"
    return str(local) if local.exists() else None


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, check=False)


def ensure_sdk_venv(version: str) -> Path:
    """Return the python of a venv with ``twelvelabs==version`` installed, creating it when needed.

    Safe when several test runs start at once: creation is serialised by a lock file.
    """
    lock_dir = ROOT / ".venv-sdk-locks"  # ignored by the repo's `.venv-*/` rule
    lock_dir.mkdir(exist_ok=True)
    lock_path = lock_dir / f"{version}.lock"
    with open(lock_path, "a+b") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return _ensure(version)
        finally:
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _ensure(version: str) -> Path:
    root = ROOT / f".venv-sdk-{version}"
    python = root / _BIN / ("python.exe" if os.name == "nt" else "python")
    marker = root / f".twelvelabs-{version}.ok"
    if python.exists() and marker.exists():
        return python
    uv = _uv()
    if uv:
        steps = [[uv, "venv", str(root), "--python", sys.executable, "--quiet", "--allow-existing"],
                 [uv, "pip", "install", "--python", str(python), "--quiet", f"twelvelabs=={version}"]]
    else:
        venv.EnvBuilder(with_pip=True, clear=True).create(root)
        steps = [[str(python), "-m", "pip", "install", "--quiet", f"twelvelabs=={version}"]]
    for cmd in steps:
        proc = _run(cmd)
        if proc.returncode != 0:
            raise SdkEnvError(
                f"Could not build the SDK venv for twelvelabs=={version} at {root}: `{' '.join(cmd)}` exited "
                f"{proc.returncode}. Is PyPI reachable from this machine? The contract tests need the official SDK "
                f"from PyPI.\n{proc.stderr.strip()[-2000:]}")
    check = _run([str(python), "-c", "import importlib.metadata as m; print(m.version('twelvelabs'))"])
    if check.returncode != 0 or check.stdout.strip() != version:
        raise SdkEnvError(f"twelvelabs {version} did not install into {root}: {check.stdout}{check.stderr}")
    marker.write_text(version + "\n")
    return python
