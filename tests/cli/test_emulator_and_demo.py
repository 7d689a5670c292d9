"""``tlrag emulator`` and ``tlrag demo`` as real processes of the installed console script."""

from __future__ import annotations

import os
import re
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

TLRAG = Path(sys.executable).parent / "tlrag"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("TWELVELABS_API_KEY", "TWELVE_LABS_API_KEY", "TWELVELABS_BASE_URL")}
    env.update(extra)
    return env


def test_emulator_serves_until_interrupted(tmp_path: Path) -> None:
    proc = subprocess.Popen([str(TLRAG), "emulator", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=_env(), cwd=tmp_path)
    try:
        first = proc.stdout.readline()
        m = re.fullmatch(r"TwelveLabs emulator listening at (http://127\.0\.0\.1:\d+/v1\.3)\n", first)
        assert m, first + proc.stderr.read() if proc.poll() is not None else first
        url = m.group(1)
        assert proc.stdout.readline() == f"export TWELVELABS_BASE_URL={url}\n"
        assert proc.stdout.readline() == "export TWELVELABS_API_KEY=tlk_test\n"

        from twelvelabs_rag import TwelveLabs

        with TwelveLabs(api_key="tlk_test", base_url=url) as client:
            index = client.indexes.create(index_name="x", models=[{"model_name": "marengo3.0",
                                                                  "model_options": ["visual"]}])
            assert [ix.id for ix in client.indexes.list()] == [index.id]
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert out.strip().endswith("emulator stopped")
    assert "Traceback" not in err


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", data[16:24])
    assert data[-12:] == b"\x00\x00\x00\x00IEND\xaeB`\x82"
    from PIL import Image

    with Image.open(path) as img:
        img.verify()
    return width, height


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[subprocess.CompletedProcess[str], Path]]:
    """``tlrag demo`` (current flow) and ``tlrag demo --classic --quiet``, side by side (two processes).

    Each run serves its own checks: the classic one is also the --quiet one, so no flow runs twice."""
    base = tmp_path_factory.mktemp("demo")
    procs = {}
    for name, extra in (("current", []), ("classic", ["--classic", "--quiet"])):
        out_dir = base / name
        procs[name] = (subprocess.Popen([str(TLRAG), "demo", "--out", str(out_dir), *extra], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, env=_env(), cwd=base), out_dir,
                       time.perf_counter())
    results = {}
    for name, (proc, out_dir, started) in procs.items():
        try:
            out, err = proc.communicate(timeout=240)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        results[name] = (subprocess.CompletedProcess(proc.args, proc.returncode, out, err), out_dir,
                         time.perf_counter() - started)
    return results


def _step_times(out: str) -> dict[str, float]:
    """The ``wall time per step`` table: step title -> seconds."""
    table = out[out.index("wall time per step:"):]
    return {m.group(1).strip(): float(m.group(2))
            for m in re.finditer(r"^\s+\d\s+(.+?)\s+(\d+\.\d\d)$", table, re.MULTILINE)}


def _first_rows(section: str) -> list[tuple[str, str]]:
    """``(video, moment)`` of rank 1 in each table of the any-to-any step, in order."""
    return re.findall(r"^\s+1\s+(\S+)\s+(\d\d:\d\d-\d\d:\d\d)\s", section, re.MULTILINE)


@pytest.mark.slow
def test_demo_end_to_end(demo_runs) -> None:
    proc, out_dir, _seconds = demo_runs["current"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    lines = out.splitlines()
    assert lines[0].startswith("mode: embedded emulator at http://127.0.0.1:")
    assert lines[1].startswith("flow: current (assets + indexed assets on a marengo3.0 index, pegasus1.5 on assets, "
                               "embed v2 with marengo3.0")
    assert "with marengo3.0\n" in out  # the index: Marengo 3.0 only, Pegasus needs none
    assert "(embed v2 tasks on the assets, marengo3.0)" in out
    assert "Traceback" not in proc.stderr
    for n in range(1, 9):
        assert f"[{n}/8] " in out
    assert "upload [4/4] beach_day.mp4 ready" in out  # progress, one line per clip off a terminal
    # LangChain: an answer about the fox, then timestamped citations of the fox moments.
    lc = out[out.index("[4/8]"):out.index("[5/8]")]
    answer = lc.split("A: ", 1)[1].split("cited moments:")[0].lower()
    cited = re.search(r"\[1\] \[winter_wildlife\.mp4 (\d\d:\d\d)-(\d\d:\d\d)\] - (.+)", lc)
    assert cited and "fox" in answer
    # Pegasus watched only the cited moment's window of its asset: the answer speaks of that scene alone.
    start, end = (int(t[:2]) * 60 + int(t[3:]) for t in cited.groups()[:2])
    assert f"from {start}s to {end}s, {cited.group(3)}" in " ".join(answer.split())
    assert "eagle" not in answer
    # LlamaIndex: an answer about the kitchen, with source moments.
    li = out[out.index("[5/8]"):out.index("[6/8]")]
    assert "spaghetti" in li.split("A: ", 1)[1].lower()
    assert re.search(r"\[1\] \[home_kitchen\.mp4 \d\d:\d\d-\d\d:\d\d\] - ", li)
    # Any-to-any: each query's best moment is the one the clips' scripts say.
    a2a = out[out.index("[7/8]"):out.index("[8/8]")]
    assert _first_rows(a2a) == [
        ("city_night.mp4", "00:04-00:08"),       # text: a yellow taxi in the rain at night
        ("beach_day.mp4", "00:00-00:04"),        # image: a surfer riding a wave
        ("city_night.mp4", "00:08-00:12"),       # audio: welcome to the night market
        ("winter_wildlife.mp4", "00:08-00:12"),  # like the fox in the snow: the fox digging in the snow
    ]
    # The PNG timeline exists and is a valid PNG.
    m = re.search(r"timeline: (.+\.png)$", out, re.MULTILINE)
    assert m
    png = out_dir.parent / m.group(1)  # shown relative to the working directory (the parent here)
    assert png == out_dir / "timeline.png"
    width, height = _png_size(png)
    assert width >= 600 and height >= 200
    assert (out_dir / "store" / "manifest.json").is_file()
    # Outputs follow the umask like any new file (mkstemp's 0600 made them unreadable to others).
    from twelvelabs_rag.testing.samples import new_file_mode

    for made in [png, *sorted((out_dir / "media").iterdir())]:
        assert made.stat().st_mode & 0o777 == new_file_mode(), made
    assert lines[-1].startswith("done (current flow) in ")
    steps = _step_times(out)
    assert len(steps) == 8 and steps["upload and index the clips"] >= 0
    # The under-a-minute goal is measured, not asserted: the demo prints its wall time per step (above).


@pytest.mark.slow
def test_demo_classic_and_quiet(demo_runs) -> None:
    proc, out_dir, _seconds = demo_runs["classic"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    assert out.splitlines()[0].startswith("mode: embedded emulator")
    assert out.splitlines()[1].startswith("flow: classic (/tasks on a marengo2.7 + pegasus1.2 index, pegasus1.2 on "
                                          "video_id, embed v1 with Marengo-retrieval-2.7")
    # --quiet: no step headers, no progress; the answers, their citations and the file paths stay.
    assert "[1/8]" not in out and "upload [" not in out + proc.stderr
    assert out.count("    A: ") == 2 and "timeline: classic/timeline.png" in out
    (first, second) = re.findall(r"\[1\] \[(\S+) \d\d:\d\d-\d\d:\d\d\] - ", out)
    assert (first, second) == ("winter_wildlife.mp4", "home_kitchen.mp4")
    assert "fox" in out.split("A: ", 2)[1].lower() and "spaghetti" in out.split("A: ", 2)[2].lower()
    assert len(_step_times(out)) == 8 and out.splitlines()[-1].startswith("done (classic flow) in ")
    assert (out_dir / "store" / "manifest.json").is_file()


def test_demo_with_a_key_uses_the_api_and_names_the_failed_step(tmp_path: Path) -> None:
    from twelvelabs_rag.testing import FakeTwelveLabs, serve

    with serve(FakeTwelveLabs(api_keys=["tlk_only_this"])) as url:
        proc = subprocess.run(
            [str(TLRAG), "demo", "--out", str(tmp_path / "o")], capture_output=True, text=True, timeout=120,
            env=_env(TWELVELABS_API_KEY="tlk_not_accepted_777", TWELVELABS_BASE_URL=url),
        )
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0] == f"mode: real TwelveLabs API at {url} (TWELVELABS_API_KEY is set)"
    err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(err) == 1
    assert err[0].startswith("error: demo step 2/8 (create an index) failed: 401")
    assert "tlk_not_accepted_777" not in proc.stdout + proc.stderr


def test_demo_out_must_be_a_directory(cli, tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    r = cli("demo", "--out", target)
    assert (r.code, r.err_lines) == (1, [f"error: --out {target} exists and is not a directory"])


def test_emulator_port_in_use_is_one_line(cli) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = cli("emulator", "--port", str(port))
    assert r.code == 1
    assert r.err_lines == [f"error: cannot listen on 127.0.0.1:{port}: Address already in use "
                           "(choose another --port, or --port 0 for any free one)"]


@pytest.mark.slow
def test_demo_names_the_step_when_an_integration_is_missing(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['langchain_twelvelabs'] = None\n"
            "from twelvelabs_rag.cli import main\n"
            f"sys.exit(main(['demo', '--quiet', '--out', {str(tmp_path / 'o')!r}]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=120)
    assert proc.returncode == 1
    err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert err == ["error: the demo needs packages that are not installed, nothing was started: "
                   "langchain-twelvelabs answers step 4: pip install -e integrations/langchain "
                   "(from the repository, after the core)"]
    assert proc.stdout == ""  # checked before step 1: no emulator started, no output written
    assert not (tmp_path / "o").exists()


def test_demo_without_pyav_says_what_to_install_before_starting(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['av'] = None\n"
            "from twelvelabs_rag.cli import main\n"
            f"sys.exit(main(['demo', '--out', {str(tmp_path / 'o')!r}]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=120)
    assert proc.returncode == 1
    err = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert err == ["error: the demo needs packages that are not installed, nothing was started: "
                   "PyAV writes the sample clips (step 1): pip install 'twelvelabs-rag[media]'"]
    assert proc.stdout == "" and not (tmp_path / "o").exists()


@pytest.mark.slow
def test_demo_without_matplotlib_skips_only_the_png(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['matplotlib'] = None\n"
            "from twelvelabs_rag.cli import main\n"
            f"sys.exit(main(['demo', '--quiet', '--out', {str(tmp_path / 'o')!r}]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=240,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "timeline skipped: matplotlib is not installed (pip install 'twelvelabs-rag[plot]' draws it)" in proc.stdout
    assert not (tmp_path / "o" / "timeline.png").exists()
    assert (tmp_path / "o" / "store" / "manifest.json").is_file()


def test_demo_cleanup_on_the_real_api_removes_the_index_and_its_assets(tmp_path: Path, capsys) -> None:
    """What the demo leaves behind on a real account: nothing (the current flow's assets outlive an index)."""
    from twelvelabs_rag.cli._demo import DemoContext, _delete_index
    from twelvelabs_rag.flow import CURRENT
    from twelvelabs_rag.testing import FakeTwelveLabs
    from twelvelabs_rag.testing.samples import make_clip

    fake = FakeTwelveLabs()
    client = fake.client()
    ctx = DemoContext(out=tmp_path, quiet=False, base_url="", api_key="", emulator=False, flow=CURRENT, client=client)
    ctx.index_id = client.indexes.create(index_name="d", models=CURRENT.index_models).id
    asset = client.assets.upload(make_clip(tmp_path / "fox.mp4", "[0-4] a fox"))
    client.indexes.indexed_assets.create_and_wait(ctx.index_id, asset_id=asset.id)
    ctx.assets["fox.mp4"] = asset.id
    _delete_index(ctx)
    assert not fake.indexes and not fake.assets
    assert f"deleted the demo index {ctx.index_id} and its 1 assets" in capsys.readouterr().out
