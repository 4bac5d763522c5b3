"""`python -m app.exports.bench` — a season export of N realistic reviews: time and peak memory.

Bundles are generated first (scoring.evaluate and assignment.solve on seeded random reviews:
5–9 experts, 3–8 bids, 10–30 criteria, a pool of 1,000 experts) and written as files, as the
archive would hold them. The export then runs in a fresh process, reading the files one by
one, so its peak memory is its own. This is the only module here that reads a clock.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .bundle import dump_bundle
from .sample import sample_bundle


def _make(args: tuple[int, str, int]) -> int:
    seed, folder, pool = args
    status = "published" if seed % 10 else "scoring"  # one review in ten still a draft
    text = dump_bundle(sample_bundle(seed, pool=pool, status=status))
    Path(folder, f"{seed:05d}.json").write_text(text, encoding="utf-8")
    return len(text)


def _export(folder: str, out: str, workers: int) -> None:
    from .season import export_season

    files = sorted(Path(folder).glob("*.json"))
    last = [0.0]

    def progress(done: int, total: int | None, review_id: str) -> None:
        now = time.perf_counter()
        if now - last[0] > 5 or done == total:
            last[0] = now
            print(f"  {done}/{total} {review_id}", file=sys.stderr)

    t0 = time.perf_counter()
    n = export_season(files, out, generated_at="2026-11-23T10:00:00+08:00", progress=progress,
                      total=len(files), workers=workers)
    seconds = time.perf_counter() - t0
    print(json.dumps({
        "reviews": n, "seconds": round(seconds, 2), "zip_bytes": Path(out).stat().st_size,
        "peak_rss_main_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_rss_worker_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "workers": workers,
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reviews", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pool", type=int, default=1000, help="experts in each draw's pool")
    parser.add_argument("--export-only", nargs=2, metavar=("FOLDER", "ZIP"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_only:
        _export(*args.export_only, args.workers)
        return
    with tempfile.TemporaryDirectory() as folder:
        t0 = time.perf_counter()
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            sizes = list(pool.map(_make, [(s, folder, args.pool) for s in range(1, args.reviews + 1)], chunksize=8))
        print(f"generated {len(sizes)} bundles in {time.perf_counter() - t0:.1f} s "
              f"(mean {sum(sizes) / len(sizes) / 1024:.0f} KiB each)")
        out = str(Path(folder, "season.zip"))
        done = subprocess.run([sys.executable, "-m", "app.exports.bench", "--workers", str(args.workers),
                               "--export-only", folder, out], check=True, capture_output=True, text=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"export: {result['reviews']} reviews in {result['seconds']} s, "
              f"zip {result['zip_bytes'] / 2**20:.0f} MiB, peak RSS main {result['peak_rss_main_mb']} MB "
              f"+ largest worker {result['peak_rss_worker_mb']} MB "
              f"({result['workers']} workers)")


if __name__ == "__main__":
    main()
