"""Crash-safety soak for SegmentStore: kill -9 a saving process at random moments, then reopen.

Pass/fail reliability suite (vector-store guide, section 4 item 6; goal G11). Every trial:

1. copies a pristine "old" snapshot into a fresh directory;
2. starts a child process that opens it, adds and deletes rows, prints the resulting "new"
   state (count and ids) and then calls ``save()``;
3. sleeps a random delay drawn over the measured save duration and sends SIGKILL;
4. reopens the directory (plain open, which verifies checksums; then a read-only mmap view)
   and classifies it as exactly the old snapshot, exactly the new one, or a FAILURE
   (open error, wrong count, wrong ids, a probe vector not found at score 1, stale lock);
5. every ``--write-every`` trials, adds a row and saves again on the crashed directory;
6. every ``--corrupt-every`` trials, truncates / flips / deletes / extends one random file and
   reopens: the open must raise the store's typed corrupt error, or load exactly the same
   snapshot as before the damage (the damaged file was not part of it). Never garbage.

    python benchmarks/crash_soak.py --trials 200            # prints a JSON summary
    python benchmarks/crash_soak.py --trials 5 --rows 5000  # quick look

The test suite runs a handful of trials through :func:`run` (tests/store/test_store_crash.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

MODEL = "marengo3.0"
DIM = 512
#: The exported error class a damaged snapshot must raise (looked up in twelvelabs_rag.store).
CORRUPT_ERROR = "CorruptStoreError"
LOCK_ERROR = "StoreLockedError"


# ---------------------------------------------------------------- deterministic data


def vectors(seed: int, n: int, dim: int = DIM) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, dim)).astype(np.float32)


def columns(seed: int, n: int) -> dict[str, Any]:
    return {
        "video_ids": [f"s{seed}-v{i // 50}" for i in range(n)],
        "starts": [float(i % 50) * 6.0 for i in range(n)],
        "ends": [float(i % 50) * 6.0 + 6.0 for i in range(n)],
        "scopes": ["clip"] * n,
        "options": ["visual-text"] * n,
        "texts": [f"row {seed}/{i}" for i in range(n)],
        "metadatas": [{"seed": seed, "i": i} for i in range(n)],
    }


# ---------------------------------------------------------------- child (the process that gets killed)


def child_main(path: str, seed: int, n_add: int, delete_file: str, report_save: bool, mmap: bool = False) -> None:
    from twelvelabs_rag.store import SegmentStore

    store = SegmentStore.open(path, mmap=mmap)
    doomed = json.loads(Path(delete_file).read_text())
    store.delete(doomed)
    ids = [int(i) for i in store.add(vectors(seed, n_add), **columns(seed, n_add))]
    print(json.dumps({"new_ids": ids, "count": len(store)}), flush=True)
    print("SAVING", flush=True)
    t0 = time.perf_counter()
    store.save()
    dt = time.perf_counter() - t0
    if report_save:
        print(f"SAVED {dt:.6f}", flush=True)
    os._exit(0)  # no atexit work after the save; the parent only cares about the files


# ---------------------------------------------------------------- parent side


@dataclass
class Snapshot:
    count: int
    ids: set[int]
    probes: dict[int, np.ndarray]  # id -> raw vector that must come back at score ~1


@dataclass
class Result:
    trials: int = 0
    old: int = 0
    new: int = 0
    failures: list[str] = field(default_factory=list)
    rewrites: int = 0
    corrupt_trials: int = 0
    corrupt_raised: int = 0
    corrupt_same: int = 0
    save_seconds: float = 0.0
    delays: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "trials": self.trials,
            "old_snapshot": self.old,
            "new_snapshot": self.new,
            "failures": len(self.failures),
            "failure_details": self.failures[:20],
            "rewrite_after_crash_ok": self.rewrites,
            "corrupt_trials": self.corrupt_trials,
            "corrupt_raised_typed_error": self.corrupt_raised,
            "corrupt_untouched_snapshot": self.corrupt_same,
            "save_seconds_measured": round(self.save_seconds, 4),
            "kill_delay_ms_min_max": [round(1000 * min(self.delays), 2), round(1000 * max(self.delays), 2)]
            if self.delays
            else None,
        }


def _child_cmd(path: Path, seed: int, n_add: int, delete_file: Path, report: bool, mmap: bool) -> list[str]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(path), str(seed), str(n_add), str(delete_file)]
    return cmd + (["--report-save"] if report else []) + (["--child-mmap"] if mmap else [])


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("OMP_NUM_THREADS", "1")
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _start_child(
    path: Path, seed: int, n_add: int, delete_file: Path, report: bool, mmap: bool = False
) -> tuple[subprocess.Popen, dict]:
    proc = subprocess.Popen(
        _child_cmd(path, seed, n_add, delete_file, report, mmap),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_child_env(),
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    if not first:
        err = proc.stderr.read() if proc.stderr else ""
        proc.wait()
        raise RuntimeError(f"crash-soak child died before saving: {err[-2000:]}")
    info = json.loads(first)
    if proc.stdout.readline().strip() != "SAVING":
        raise RuntimeError("crash-soak child did not announce the save")
    return proc, info


def enumerate_ids(store: Any, dim: int) -> set[int]:
    n = len(store)
    if n == 0:
        return set()
    q = np.ones(dim, dtype=np.float32)
    hits = store.search(q, k=n)
    return {int(h.id) for h in hits}


def check_snapshot(store: Any, snap: Snapshot, dim: int) -> str | None:
    """None when ``store`` holds exactly ``snap``; else what differs."""
    if len(store) != snap.count:
        return f"count {len(store)} != {snap.count}"
    ids = enumerate_ids(store, dim)
    if ids != snap.ids:
        return f"ids differ: {len(ids - snap.ids)} extra, {len(snap.ids - ids)} missing"
    for i, v in snap.probes.items():
        top = store.search(v, k=1)
        if not top or int(top[0].id) != i or abs(float(top[0].score) - 1.0) > 1e-4:
            return f"probe {i} not found at score 1: {top[:1]}"
    return None


def classify(path: Path, old: Snapshot, new: Snapshot, dim: int, store_cls: Any) -> str:
    """'old', 'new', or 'FAIL: ...'. Opens writable (a dead writer must not leave a stale lock)."""
    try:
        store = store_cls.open(path)
    except Exception as exc:  # any error is a failure of the trial
        return f"FAIL: open raised {type(exc).__name__}: {exc}"
    try:
        if len(store) == old.count:
            which, snap = "old", old
        elif len(store) == new.count:
            which, snap = "new", new
        else:
            return f"FAIL: count {len(store)} is neither old {old.count} nor new {new.count}"
        problem = check_snapshot(store, snap, dim)
        if problem:
            return f"FAIL ({which}): {problem}"
    finally:
        _close(store)
    try:
        view = store_cls.open(path, mmap=True, read_only=True)
    except Exception as exc:
        return f"FAIL: mmap open raised {type(exc).__name__}: {exc}"
    try:
        problem = check_snapshot(view, snap, dim)
        if problem:
            return f"FAIL ({which}, mmap): {problem}"
    finally:
        _close(view)
    return which


def _close(store: Any) -> None:
    if hasattr(store, "close"):
        store.close()


def damage(path: Path, rng: random.Random) -> tuple[str, Path]:
    """Damage one random file of the store directory; returns (what was done, the file)."""
    files = sorted(p for p in path.rglob("*") if p.is_file())
    target = rng.choice(files)
    size = target.stat().st_size
    how = rng.choice(["truncate", "flip", "delete", "append", "zero"])
    if how == "truncate" or (how in ("flip", "zero") and size == 0):
        with open(target, "r+b") as f:
            f.truncate(rng.randrange(0, max(size, 1)))
        how = "truncate"
    elif how == "flip":
        with open(target, "r+b") as f:
            off = rng.randrange(size)
            f.seek(off)
            b = f.read(1)[0]
            f.seek(off)
            f.write(bytes([b ^ (1 << rng.randrange(8))]))
    elif how == "zero":
        with open(target, "r+b") as f:
            off = rng.randrange(size)
            f.seek(off)
            f.write(b"\0" * min(64, size - off))
    elif how == "delete":
        target.unlink()
    else:
        with open(target, "ab") as f:
            f.write(os.urandom(rng.randrange(1, 64)))
    return f"{how} {target.relative_to(path)} (size {size})", target


def corrupt_trial(path: Path, snap: Snapshot, dim: int, store_cls: Any, corrupt_err: type, rng: random.Random) -> str:
    """Damage one random file, then :func:`judge_damaged`."""
    what, target = damage(path, rng)
    return judge_damaged(path, snap, dim, store_cls, corrupt_err, target, what)


def judge_damaged(path: Path, snap: Snapshot, dim: int, store_cls: Any, corrupt_err: type, target: Path,
                  what: str) -> str:
    """'raised' | 'same' | 'FAIL: ...' for a store whose file ``target`` was damaged as ``what`` says.

    'raised' is a typed refusal with a message, at open or on first use (the text/metadata file is
    read and checked when first needed, not at open): nothing wrong was returned. A damaged manifest
    may also read as another format or a newer version (a flipped bit in ``format_version`` is
    indistinguishable from a newer file): that typed refusal is accepted.
    """
    import twelvelabs_rag.store as store_mod

    refusals: tuple[type, ...] = (corrupt_err,)
    if target.name == "manifest.json":
        refusals += (store_mod.UnsupportedFormatError,)
    try:
        store = store_cls.open(path)
    except refusals as exc:
        return "raised" if str(exc) else f"FAIL: {what}: {type(exc).__name__} without a message"
    except Exception as exc:
        return f"FAIL: {what}: open raised {type(exc).__name__} (want {corrupt_err.__name__}): {exc}"
    try:
        problem = check_snapshot(store, snap, dim)
    except refusals as exc:
        return "raised" if str(exc) else f"FAIL: {what}: {type(exc).__name__} without a message"
    except Exception as exc:
        problem = f"reading raised {type(exc).__name__} (want {corrupt_err.__name__}): {exc}"
    finally:
        _close(store)
    return f"FAIL: {what}: loaded garbage: {problem}" if problem else "same"


def build_base(base: Path, rows: int, dim: int, seed: int, store_cls: Any) -> Snapshot:
    store = store_cls.create(base, dim=dim, model_name=MODEL)
    ids = [int(i) for i in store.add(vectors(seed, rows, dim), **columns(seed, rows))]
    store.save()
    _close(store)
    vecs = vectors(seed, rows, dim)
    probe_pos = np.random.default_rng(seed).choice(rows, size=min(5, rows), replace=False)
    return Snapshot(rows, set(ids), {ids[p]: vecs[p] for p in probe_pos})


def run(
    trials: int = 200,
    *,
    rows: int = 20_000,
    dim: int = DIM,
    n_add: int = 400,
    n_del: int = 150,
    seed: int = 0,
    write_every: int = 4,
    corrupt_every: int = 3,
    workdir: Path | None = None,
    fractions: list[float] | None = None,
    window: tuple[float, float] = (0.0, 1.15),
    child_mmap: bool = False,
    log: Any = None,
) -> Result:
    """Run ``trials`` kill -9 trials; returns the tallies (failures listed, never raised).

    The kill lands ``uniform(*window) x`` the calibrated save time after the child announces the
    save, or at ``fractions[t] x`` that time when ``fractions`` is given (>1 lets the save finish).
    ``child_mmap=True`` has the saving process open the store with its vectors memory-mapped.
    """
    import twelvelabs_rag.store as store_mod

    store_cls = store_mod.SegmentStore
    corrupt_err = getattr(store_mod, CORRUPT_ERROR)
    rng = random.Random(seed)
    own = workdir is None
    root = Path(tempfile.mkdtemp(prefix="tlrag-crash-")) if own else workdir
    res = Result()
    try:
        base = root / "base"
        old = build_base(base, rows, dim, seed, store_cls)
        old_vecs_seed = seed
        ids_sorted = sorted(old.ids)

        def new_snapshot(info: dict, doomed: list[int], child_seed: int) -> Snapshot:
            new_ids = [int(i) for i in info["new_ids"]]
            nv = vectors(child_seed, n_add, dim)
            probes = {i: v for i, v in old.probes.items() if i not in doomed}
            probes.update({new_ids[j]: nv[j] for j in (0, len(new_ids) - 1)})
            return Snapshot(info["count"], (old.ids - set(doomed)) | set(new_ids), probes)

        # Calibrate: one uninterrupted save, timed inside the child.
        cal = root / "cal"
        shutil.copytree(base, cal)
        dfile = root / "cal-delete.json"
        dfile.write_text(json.dumps(ids_sorted[:n_del]))
        proc, _ = _start_child(cal, seed + 1, n_add, dfile, True, child_mmap)
        out, err = proc.communicate(timeout=300)
        if proc.returncode != 0 or not out.startswith("SAVED"):
            raise RuntimeError(f"calibration save failed (rc {proc.returncode}): {err[-2000:]}")
        res.save_seconds = float(out.split()[1])
        shutil.rmtree(cal)

        for t in range(trials):
            trial = root / f"t{t}"
            shutil.copytree(base, trial)
            child_seed = seed + 1000 + t
            doomed = sorted(rng.sample(ids_sorted, n_del))
            dfile = root / f"t{t}-delete.json"
            dfile.write_text(json.dumps(doomed))
            proc, info = _start_child(trial, child_seed, n_add, dfile, False, child_mmap)
            new = new_snapshot(info, doomed, child_seed)
            frac = fractions[t % len(fractions)] if fractions else rng.uniform(*window)
            delay = frac * res.save_seconds
            res.delays.append(delay)
            time.sleep(delay)
            try:
                proc.send_signal(signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.communicate(timeout=60)
            verdict = classify(trial, old, new, dim, store_cls)
            res.trials += 1
            if verdict == "old":
                res.old += 1
                snap = old
            elif verdict == "new":
                res.new += 1
                snap = new
            else:
                res.failures.append(f"trial {t} (delay {delay * 1000:.1f} ms): {verdict}")
                snap = None
            if snap is not None and write_every and t % write_every == 0:
                problem = rewrite_after_crash(trial, snap, dim, store_cls, old_vecs_seed + 7 + t)
                if problem:
                    res.failures.append(f"trial {t}: save after crash: {problem}")
                else:
                    res.rewrites += 1
                    snap = None  # the directory changed; do not reuse for the corrupt step
            damaged = ""
            if snap is not None and corrupt_every and t % corrupt_every == 0:
                res.corrupt_trials += 1
                damaged = corrupt_trial(trial, snap, dim, store_cls, corrupt_err, rng)
                if damaged == "raised":
                    res.corrupt_raised += 1
                elif damaged == "same":
                    res.corrupt_same += 1
                else:
                    res.failures.append(f"trial {t}: corrupt: {damaged}")
            if log:
                log(f"trial {t}: {verdict} (delay {delay * 1000:.1f} ms){'; damaged: ' + damaged if damaged else ''}")
            shutil.rmtree(trial, ignore_errors=True)
            dfile.unlink(missing_ok=True)
    finally:
        if own:
            shutil.rmtree(root, ignore_errors=True)
    return res


def rewrite_after_crash(path: Path, snap: Snapshot, dim: int, store_cls: Any, seed: int) -> str | None:
    """Add one row and save on top of the crashed directory; the reopened store must have it."""
    try:
        store = store_cls.open(path)
        (new_id,) = [int(i) for i in store.add(vectors(seed, 1, dim), **columns(seed, 1))]
        if new_id in snap.ids or new_id <= max(snap.ids, default=-1):
            return f"id {new_id} reused or not above the snapshot's ids"
        store.save()
        _close(store)
        store = store_cls.open(path)
        want = Snapshot(snap.count + 1, snap.ids | {new_id}, {**snap.probes, new_id: vectors(seed, 1, dim)[0]})
        problem = check_snapshot(store, want, dim)
        _close(store)
        return problem
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--trials", type=int, default=200)
    p.add_argument("--rows", type=int, default=20_000)
    p.add_argument("--dim", type=int, default=DIM)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--write-every", type=int, default=4)
    p.add_argument("--corrupt-every", type=int, default=3)
    p.add_argument(
        "--window", type=float, nargs=2, default=(0.0, 1.15), metavar=("LO", "HI"),
        help="kill delay range as fractions of the calibrated save time (default 0 1.15)",
    )
    p.add_argument("--json", type=Path, help="also write the summary here")
    p.add_argument("--name", default="crash_soak", help="results file name (benchmarks/results/NAME.json)")
    p.add_argument("-v", "--verbose", action="store_true")
    p.add_argument("--child", nargs=4, metavar=("PATH", "SEED", "N_ADD", "DELETE_JSON"), help=argparse.SUPPRESS)
    p.add_argument("--report-save", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--child-mmap", action="store_true", help="the saving process opens the store with mmap=True")
    a = p.parse_args(argv)
    if a.child:
        child_main(a.child[0], int(a.child[1]), int(a.child[2]), a.child[3], a.report_save, a.child_mmap)
        return 0
    t0 = time.perf_counter()
    res = run(
        a.trials,
        rows=a.rows,
        dim=a.dim,
        seed=a.seed,
        write_every=a.write_every,
        corrupt_every=a.corrupt_every,
        window=tuple(a.window),
        child_mmap=a.child_mmap,
        log=(lambda m: print(m, file=sys.stderr, flush=True)) if a.verbose else None,
    )
    out = res.summary() | {
        "rows": a.rows, "dim": a.dim, "window": list(a.window), "child_mmap": a.child_mmap, "wall_seconds": round(time.perf_counter() - t0, 1),
    }
    text = json.dumps(out, indent=2)
    print(text)
    if a.json:
        a.json.write_text(text + "\n")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _results import Table, record  # only the command line records

    table = Table()
    table.add(f"kill -9 during save: trials reopened as the old or the new snapshot ({res.old} old, {res.new} new)",
              res.old + res.new, res.trials, target="all trials", ok=not res.failures, ref_name="trials")
    table.add("rewrite after a crash kept every row", res.rewrites, None, target="(info)")
    table.add("damaged files: typed CorruptStoreError or the same snapshot", res.corrupt_raised + res.corrupt_same,
              res.corrupt_trials, target="all damaged trials", ok=res.corrupt_raised + res.corrupt_same
              == res.corrupt_trials, ref_name="damaged trials")
    record(a.name, table, params={k: v for k, v in out.items() if k not in res.summary()}, raw=out)
    return 1 if res.failures else 0


if __name__ == "__main__":
    sys.exit(main())
