"""Multipart upload to the loopback emulator: ``client.assets.upload`` vs the official SDK 1.3.6
``multipart_upload.upload_file``, at the same concurrency, in one run.

    .venv/bin/python benchmarks/multipart_bench.py [--size-mib 1024] [--concurrency 4] [--rounds 2]

Measures (targets from issue 10):
- throughput, ours / SDK (target >= 1.5x). Each contender runs in its own fresh subprocess against
  the same emulator (a ``serve()`` thread in this process), rounds interleaved, best round kept;
- our peak RSS growth during the upload (``ru_maxrss`` minus the RSS just before it), target
  <= 64 MiB + the chunks in flight (``concurrency x chunk_size``);
- no temporary files: the source directory and the temp directory are watched during our upload;
- resume: our upload is SIGKILLed once half its chunks are confirmed, then run again; the
  emulator's request log counts re-sent chunks that were already confirmed (target <= 1).

The file is sparse (a real MP4 clip at its head, zeros after), so disk speed does not dominate.
The SDK runs in ``.venv-sdk-1.3.6`` (built by the contract tests; ``--no-sdk`` skips it). Results go
to ``benchmarks/results/multipart_bench.json`` (``_results.record``) and a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import Table, record

ROOT = Path(__file__).resolve().parents[1]
SDK_PY = ROOT / ".venv-sdk-1.3.6" / "bin" / "python"
MIB = 1024 * 1024

OURS = r"""
import json, os, resource, sys, time
from twelvelabs_rag import TwelveLabs
url, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def rss():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
client = TwelveLabs(api_key="tlk_bench", base_url=url, poll_interval=0.05, timeout=300)
before = rss()
def progress(p):
    print(json.dumps({"done": p.chunks_done, "total": p.total_chunks, "resumed": p.resumed_chunks}), flush=True)
t = time.perf_counter()
asset = client.assets.upload(path, method="multipart", max_concurrency=n, on_progress=progress, wait=False)
elapsed = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"result": {"seconds": elapsed, "asset_id": asset.id, "rss_growth": peak - before}}), flush=True)
"""

SDK = r"""
import json, os, sys, time
os.environ["TWELVELABS_BASE_URL"] = sys.argv[1]
from twelvelabs import TwelveLabs
url, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
client = TwelveLabs(api_key="tlk_bench", base_url=url)
t = time.perf_counter()
res = client.multipart_upload.upload_file(path, max_workers=n)
elapsed = time.perf_counter() - t
print(json.dumps({"result": {"seconds": elapsed, "asset_id": res.asset_id}}), flush=True)
"""


def _make_file(path: Path, size: int) -> Path:
    from twelvelabs_rag.testing.samples import make_clip

    make_clip(path, "[0-4] a red fox runs through snow\n[4-8] a brown dog swims in a lake")
    with open(path, "r+b") as fh:
        fh.truncate(size)  # sparse tail
    return path


def _run(python: Path | str, code: str, url: str, path: Path, n: int, kill_at: float | None = None,
         tmpdir: Path | None = None) -> dict:
    env = dict(os.environ, **({"TMPDIR": str(tmpdir)} if tmpdir else {}))
    proc = subprocess.Popen([str(python), "-c", code, url, str(path), str(n)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=str(ROOT), env=env)
    out: dict = {"progress": []}
    assert proc.stdout is not None
    for line in proc.stdout:
        item = json.loads(line)
        if "result" in item:
            out.update(item["result"])
            continue
        out["progress"].append(item)
        if kill_at is not None and item["done"] >= kill_at * item["total"]:
            proc.send_signal(signal.SIGKILL)
            out["killed_at"] = item["done"]
            break
    proc.wait()
    err = proc.stderr.read() if proc.stderr else ""
    if "seconds" not in out and "killed_at" not in out:
        raise RuntimeError(f"{code.split(chr(10))[3][:40]}... failed (exit {proc.returncode}):\n{err[-3000:]}")
    return out


class _Watcher(threading.Thread):
    """Notes every file that appears in the watched directories while it runs."""

    def __init__(self, dirs: list[Path]) -> None:
        super().__init__(daemon=True)
        self.dirs, self.stop, self.seen = dirs, threading.Event(), set()
        self.before = {d: set(os.listdir(d)) for d in dirs}

    def run(self) -> None:
        while not self.stop.is_set():
            for d in self.dirs:
                self.seen |= {f"{d}/{n}" for n in set(os.listdir(d)) - self.before[d]}
            time.sleep(0.05)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--chunk-mib", type=int, default=5, help="the emulator's chunk size")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-sdk", action="store_true")
    ap.add_argument("--name", default="multipart_bench", help="results file name (benchmarks/results/NAME.json)")
    args = ap.parse_args()

    from twelvelabs_rag.testing import FakeTwelveLabs, serve

    fake = FakeTwelveLabs()
    fake.multipart_chunk_size = args.chunk_mib * MIB
    size = args.size_mib * MIB
    chunks_in_flight = args.concurrency * fake.multipart_chunk_size
    use_sdk = not args.no_sdk and SDK_PY.exists()
    results: dict = {"size_mib": args.size_mib, "concurrency": args.concurrency, "chunk_mib": args.chunk_mib,
                     "sdk": "1.3.6" if use_sdk else None, "ours": [], "sdk_runs": []}
    with tempfile.TemporaryDirectory(prefix="mp-bench-") as tmp, serve(fake) as url:
        src = _make_file(Path(tmp) / "big.mp4", size)
        private_tmp = Path(tmp) / "tmpdir"  # our subprocess's TMPDIR: any temp file would show here
        private_tmp.mkdir()
        for _ in range(args.rounds):
            watcher = _Watcher([Path(tmp), private_tmp])
            watcher.start()
            ours = _run(sys.executable, OURS, url, src, args.concurrency, tmpdir=private_tmp)
            watcher.stop.set()
            watcher.join()
            ours["new_files"] = sorted(watcher.seen)
            ours.pop("progress")
            results["ours"].append(ours)
            if use_sdk:
                sdk = _run(SDK_PY, SDK, url, src, args.concurrency)
                sdk.pop("progress")
                results["sdk_runs"].append(sdk)
            fake.requests.clear()

        # resume after a kill at 50 %
        killed = _run(sys.executable, OURS, url, src, args.concurrency, kill_at=0.5)
        (upload_id, session), = [(k, v) for k, v in fake.uploads.items() if v.status == "active"]
        confirmed = set(session.completed)
        mark = len(fake.requests)
        resumed = _run(sys.executable, OURS, url, src, args.concurrency)
        resent = [int(r.path.rsplit("/", 1)[1]) for r in fake.requests[mark:]
                  if r.route == "PUT /_upload/{upload_id}/{chunk_index}"]
        results["resume"] = {"killed_at_chunk": killed.get("killed_at"), "total_chunks": session.total_chunks,
                             "confirmed_before_resume": len(confirmed), "chunks_sent_on_resume": len(resent),
                             "already_confirmed_resent": len(set(resent) & confirmed),
                             "resumed_chunks_reported": resumed["progress"][0]["resumed"] if resumed["progress"] else None,
                             "same_asset": resumed["asset_id"] == session.asset_id}

    best_ours = min(r["seconds"] for r in results["ours"])
    rss = max(r["rss_growth"] for r in results["ours"])
    results["ours_mib_s"] = size / MIB / best_ours
    print(f"\nmultipart upload, {args.size_mib} MiB sparse file, {args.concurrency} in flight, "
          f"{args.chunk_mib} MiB chunks\n")
    print("| metric | ours | reference | ratio | target | status |\n|---|---|---|---|---|---|")
    table = Table()
    if results["sdk_runs"]:
        best_sdk = min(r["seconds"] for r in results["sdk_runs"])
        results["sdk_mib_s"] = size / MIB / best_sdk
        ratio = best_sdk / best_ours
        table.add(f"upload throughput, {args.size_mib} MiB, {args.concurrency} in flight (MiB/s)",
                  round(results["ours_mib_s"], 1), round(results["sdk_mib_s"], 1), unit="MiB/s", ratio=ratio,
                  target=">= 1.5x", ok=ratio >= 1.5, ref_name="SDK 1.3.6 upload_file")
    else:
        table.add(f"upload throughput, {args.size_mib} MiB, {args.concurrency} in flight (MiB/s)",
                  round(results["ours_mib_s"], 1), unit="MiB/s")
        table.note("SDK 1.3.6 not run (--no-sdk or no .venv-sdk-1.3.6; the contract tests build it)")
    budget = 64 * MIB + chunks_in_flight
    table.add("peak RSS growth during the upload (MiB)", round(rss / MIB, 1), round(budget / MIB), unit="MiB",
              target="<= 64 MiB + chunks in flight", ok=rss <= budget, ref_name="budget")
    new_files = sorted({f for r in results["ours"] for f in r["new_files"]})
    table.add("temporary files created", len(new_files), target="0", ok=not new_files)
    again = results["resume"]["already_confirmed_resent"]
    table.add("confirmed chunks re-sent after a kill at 50 %", again, target="<= 1", ok=again <= 1)
    table.note(f"best of {args.rounds} interleaved rounds, each contender in a fresh subprocess; sparse file, "
               f"{args.chunk_mib} MiB chunks; killed at chunk {results['resume']['killed_at_chunk']} of "
               f"{results['resume']['total_chunks']}, resumed into the same asset: {results['resume']['same_asset']}")
    record(args.name, table, params={k: v for k, v in vars(args).items() if k != "name"}, raw=results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
