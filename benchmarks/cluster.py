"""Build throughput in this process against a Dask LocalCluster, and the scaling by cores.

    python benchmarks/cluster.py                          # in-process, local:1, local:2
    python benchmarks/cluster.py --cores 1 2 4 8 16       # and the curve by cores
    python benchmarks/cluster.py --passages 30            # a quick check that it runs

The same articles (the shipped corpus plus `--passages` TyDi-QA-id passages) are indexed
from scratch, with the real default embedder and no cache, by `sync_index` in this process,
then with `--cluster local:1` and `local:2` (`--workers`), all in one run; each build's
vectors are compared with the in-process build's. The cluster's start-up (its processes
loading the embedder) is reported apart: a long build pays it once.

The curve: for each N of `--cores`, a child process pinned to N cores (sched_setaffinity,
which both OpenMP and Dask count) builds in-process and with `--cluster local` (one worker
process of one thread per core), so that per-core throughput and the speed-up by cores are
measured on one machine.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import throughput_articles

from qa.articles import Article
from qa.cluster import Cluster
from qa.embedders import get_embedder
from qa.index.folder import STORE_FILE, IndexFolder
from qa.index.store import Store
from qa.index.writer import sync_index


def build(articles: dict[str, Article], folder: Path, cluster: Cluster | None) -> dict:
    """Index `articles` from scratch into `folder`; passages/s and the vectors by hash."""
    report = sync_index(articles, folder, rebuild=True, cluster=cluster)
    index = IndexFolder(folder)
    store = Store(index.build_folder(index.current().build) / STORE_FILE, readonly=True)
    try:
        rows = store.db.execute("SELECT hash, embedding FROM vectors")
        vectors = {key: np.frombuffer(blob, dtype=np.float32) for key, blob in rows}
    finally:
        store.close()
    rate = report.embedded_passages / report.seconds
    return {"passages": report.embedded_passages, "rate": rate, "vectors": vectors}


def difference(reference: dict, other: dict) -> float:
    """The largest difference of any vector component between two builds (inf if their
    passages differ)."""
    if reference["vectors"].keys() != other["vectors"].keys():
        return float("inf")
    return max(
        float(np.abs(vector - other["vectors"][key]).max())
        for key, vector in reference["vectors"].items()
    )


def compare(articles: dict[str, Article], workers: list[int], work: Path) -> None:
    """In-process, then local:N for each N: the table of docs/benchmarks.md."""
    embedder = get_embedder()
    here = build(articles, work / "in-process", None)
    rows = [("in-process", here, 0.0, 0.0)]
    for count in workers:
        started = time.perf_counter()
        with Cluster(f"local:{count}") as cluster:
            cluster.embedding(embedder.name, embedder.dimension)  # the workers load it
            ready = time.perf_counter() - started
            there = build(articles, work / f"local-{count}", cluster)
        rows.append((f"local:{count}", there, ready, difference(here, there)))
    print(f"\n{here['passages']} passages, {os.cpu_count()} cores\n")
    print("| embedded by | passages/s | vs in-process | cluster start (s) | max vector diff |")
    print("|---|---:|---:|---:|---:|")
    for name, result, ready, diff in rows:
        print(
            f"| {name} | {result['rate']:.1f} | {result['rate'] / here['rate']:.0%} | "
            f"{ready:.1f} | {diff:.1e} |"
        )


def point(articles: dict[str, Article], cores: int, work: Path) -> dict:
    """In-process and `local` pinned to the first `cores` cores (run in a child process)."""
    here = build(articles, work / "in-process", None)
    with Cluster("local") as cluster:
        there = build(articles, work / "local", cluster)
    return {"cores": cores, "in_process": here["rate"], "local": there["rate"]}


def curve(cores: list[int], passages: int) -> None:
    """One pinned child process per number of cores; the table of docs/scaling.md."""
    points = []
    for count in cores:
        command = [sys.executable, __file__, "--passages", str(passages), "--pin", str(count)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        points.append(json.loads(done.stdout.strip().splitlines()[-1]))
    first = points[0]
    print(f"\nscaling by cores, {passages} TyDi passages and the corpus\n")
    print("| cores | in-process p/s | per core | `local` p/s | per core | `local` speed-up |")
    print("|---:|---:|---:|---:|---:|---:|")
    for p in points:
        print(
            f"| {p['cores']} | {p['in_process']:.1f} | {p['in_process'] / p['cores']:.1f} | "
            f"{p['local']:.1f} | {p['local'] / p['cores']:.1f} | "
            f"{p['local'] / first['local'] * first['cores']:.2f}x |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, default=200, help="TyDi passages to add")
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2], help="local:N to run")
    parser.add_argument("--cores", type=int, nargs="*", default=[], help="the curve's points")
    parser.add_argument("--pin", type=int, help=argparse.SUPPRESS)  # a child of the curve
    args = parser.parse_args()
    if args.pin:  # before the embedder's OpenMP and Dask count the cores
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: args.pin])
    articles = throughput_articles(args.passages)
    with tempfile.TemporaryDirectory(prefix="qa-cluster-") as folder:
        if args.pin:
            print(json.dumps(point(articles, args.pin, Path(folder))))
            return
        compare(articles, args.workers, Path(folder))
    if args.cores:
        curve(args.cores, args.passages)


if __name__ == "__main__":
    main()
