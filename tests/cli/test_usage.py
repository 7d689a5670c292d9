"""Parsing and the error boundary: usage mistakes are one ``error:`` line and exit 2; no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from twelvelabs_rag import __version__

VENV_TLRAG = Path(sys.executable).parent / "tlrag"


def test_version(cli) -> None:
    r = cli("--version")
    assert (r.code, r.out.strip()) == (0, f"tlrag {__version__}")


def test_help_lists_every_command(cli) -> None:
    r = cli("--help")
    assert r.code == 0
    for command in ("demo", "emulator", "index", "upload", "search", "analyze", "store"):
        assert f"    {command}" in r.out


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        ([], "error: the following arguments are required: COMMAND (see 'tlrag --help')"),
        (["bogus"], "error: argument COMMAND: invalid choice: 'bogus' (choose from 'demo', 'emulator', 'index', "
                    "'upload', 'search', 'analyze', 'store', 'embed') (see 'tlrag --help')"),
        (["index"], "error: the following arguments are required: ACTION (see 'tlrag index --help')"),
        (["search", "fox"], "error: the following arguments are required: --index (see 'tlrag search --help')"),
        (["upload", "--index", "i"], "error: the following arguments are required: PATH (see 'tlrag upload --help')"),
        (["store", "search", "--path", "s"],
         "error: one of the arguments --text --image --like is required (see 'tlrag store search --help')"),
        (["store", "search", "--path", "s", "--text", "a", "--like", "1"],
         "error: argument --like: not allowed with argument --text (see 'tlrag store search --help')"),
        (["search", "fox", "--index", "i", "--limit", "many"],
         "error: argument --limit: not a whole number: 'many' (see 'tlrag search --help')"),
    ],
)
def test_usage_errors_are_one_line(cli, argv, line) -> None:
    r = cli(*argv)
    assert r.code == 2
    assert r.err_lines == [line]
    assert r.out == ""


def test_connection_options_before_or_after_the_command(cli) -> None:
    # Options given before the command are not reset by the subcommand's defaults.
    r1 = cli("--api-key", "tlk_x", "--base-url", "ftp://a", "index", "list")
    r2 = cli("index", "list", "--api-key", "tlk_x", "--base-url", "ftp://a")
    assert r1.code == r2.code == 1
    assert r1.err_lines == r2.err_lines
    assert r1.err_lines[0].startswith(
        "error: --base-url / TWELVELABS_BASE_URL must start with http:// or https:// (got 'ftp://a')")


def test_debug_lets_the_exception_through(cli) -> None:
    from twelvelabs_rag.cli._main import CLIError

    assert cli("search", "--index", "i").err_lines == ["error: give a text QUERY, --image PATH, or both"]
    with pytest.raises(CLIError, match="give a text QUERY"):
        cli("--debug", "search", "--index", "i")
    with pytest.raises(CLIError, match="give a text QUERY"):
        cli("search", "--index", "i", "--debug")


def test_missing_key_is_one_line_naming_the_variable(cli) -> None:
    r = cli("index", "list", "--base-url", "http://127.0.0.1:9/v1.3")
    assert r.code == 1
    assert len(r.err_lines) == 1
    assert r.err_lines[0].startswith("error: no TwelveLabs API key: pass --api-key KEY or set TWELVELABS_API_KEY")
    assert "api_key=" not in r.err_lines[0]  # the library's advice for Python callers, not for a shell


def test_bad_base_url_is_one_line(cli) -> None:
    r = cli("index", "list", "--api-key", "tlk_x", "--base-url", "ftp://example")
    assert r.code == 1
    assert r.err_lines == [r.err_lines[0]]
    assert r.err_lines[0].startswith("error: --base-url / TWELVELABS_BASE_URL must start with http")
    assert "tlk_x" not in r.err


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


def test_connection_refused_is_one_line_without_traceback(cli) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1.3"
    r = cli("index", "list", "--api-key", "tlk_secret_value", "--base-url", url)
    assert r.code == 1
    assert len(r.err_lines) == 1 and r.err_lines[0].startswith("error: ")
    assert "Traceback" not in r.err
    assert "tlk_secret_value" not in r.err + r.out


def test_console_script_is_installed_and_exits_non_zero() -> None:
    proc = subprocess.run([str(VENV_TLRAG), "bogus"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: argument COMMAND: invalid choice: 'bogus'")
    assert "Traceback" not in proc.stderr
