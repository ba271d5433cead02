"""Start-up times a user feels, each in a new process: `anquan --help`, and the first `anquan ask` on an index.

    python -m evals.startup [--data-dir DIR] [--runs 5]

--data-dir: an ingested data directory (default: ANQUAN_DATA_DIR or the user's). Prints the median and the
worst of each; the machine's load average is printed too, since other work on 2 cores slows every start."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUESTION = "我们厂120个人，必须要设安全管理机构吗？"


def timed(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} 失败：{done.stderr[-500:] or done.stdout[-500:]}")
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    env = dict(os.environ)
    if args.data_dir:
        env["ANQUAN_DATA_DIR"] = str(args.data_dir)
    cli = [sys.executable, "-m", "assistant.cli"]
    rows = {
        "anquan --help": [timed([*cli, "--help"], env) for _ in range(args.runs)],
        f"anquan ask “{QUESTION}”": [timed([*cli, "ask", QUESTION], env) for _ in range(args.runs)],
    }
    print(f"负载（1 分钟平均）：{os.getloadavg()[0]:.2f}")
    for name, seconds in rows.items():
        print(f"{name}：中位数 {statistics.median(seconds):.2f} s，最慢 {max(seconds):.2f} s（{len(seconds)} 次）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
