"""Start-up times a user feels, each in a new process: `anquan --help`, the first `anquan ask` on an index, and
`anquan serve` until its page answers.

    python -m evals.startup [--data-dir DIR] [--runs 5] [--only help,ask,serve] [--bytecode]

--data-dir: an ingested data directory (default: ANQUAN_DATA_DIR or the user's). Prints the median and the
worst of each, and the median CPU time the process used until then (user + system, all its threads: less
sensitive than the seconds to other work on the machine, but not immune); the machine's load average is printed
too, since other work on 2 cores slows every start. Targets (issue 17): --help ≤ 1 s, first ask ≤ 2 s on
regulations + plans, serve ready ≤ 5 s."""

from __future__ import annotations

import argparse
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

QUESTION = "我们厂120个人，必须要设安全管理机构吗？"
SERVE_TIMEOUT_S = 120.0
_POLL_S = 0.05


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds, CPU seconds) of a command run to its end."""
    cpu = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} 失败：{done.stderr[-500:] or done.stdout[-500:]}")
    return time.perf_counter() - started, _children_cpu() - cpu


def _process_cpu(pid: int) -> float:
    """CPU seconds a running process has used (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a configured proxy


def answers(url: str) -> bool:
    """Whether the server at url answers an HTTP request (any status below 500: a login page is an answer)."""
    try:
        with _DIRECT.open(url, timeout=2) as reply:
            return reply.status < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (OSError, ValueError):
        return False


def serve_ready(cli: list[str], env: dict[str, str], timeout: float = SERVE_TIMEOUT_S) -> tuple[float, float]:
    """(seconds, CPU seconds) from starting `anquan serve` on a free port until its page answers; the server is
    then stopped."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a server writing much to stderr never blocks
        started = time.perf_counter()
        server = subprocess.Popen(
            [*cli, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        try:
            while True:
                if answers(url):
                    return time.perf_counter() - started, _process_cpu(server.pid)
                if server.poll() is not None:
                    errors.seek(0)
                    said = errors.read().decode("utf-8", errors="replace")[-500:]
                    raise SystemExit(f"anquan serve 启动失败（退出码 {server.returncode}）：{said}")
                if time.perf_counter() - started > timeout:
                    raise SystemExit(f"anquan serve 在 {timeout:.0f} 秒内没有响应 {url}")
                time.sleep(_POLL_S)
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="help,ask,serve", help="which to measure, comma-separated: help,ask,serve")
    parser.add_argument(
        "--bytecode",
        action="store_true",
        help="as on an installed copy: compiled modules kept between runs (in a temporary folder, after one run that "
        "is not counted), even where PYTHONDONTWRITEBYTECODE is set (this sandbox): else every start compiles the "
        "project's modules again",
    )
    args = parser.parse_args(argv)
    wanted = {part.strip() for part in args.only.split(",") if part.strip()}
    env = dict(os.environ)
    if args.data_dir:
        env["ANQUAN_DATA_DIR"] = str(args.data_dir)
    cli = [sys.executable, "-m", "assistant.cli"]
    if args.bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="anquan-startup-pyc-")
    measures = {
        "help": ("anquan --help", lambda: timed([*cli, "--help"], env)),
        "ask": (f"anquan ask “{QUESTION}”", lambda: timed([*cli, "ask", QUESTION], env)),
        "serve": ("anquan serve 可访问", lambda: serve_ready(cli, env)),
    }
    chosen = [(name, measure) for key, (name, measure) in measures.items() if key in wanted]
    if args.bytecode:
        for _, measure in chosen:
            measure()  # compiles what it imports, not counted
    load = os.getloadavg()[0]
    rows = {name: [measure() for _ in range(args.runs)] for name, measure in chosen}
    cached = "；字节码已缓存（--bytecode）" if args.bytecode else ""
    print(f"负载（1 分钟平均）：开始 {load:.2f}，结束 {os.getloadavg()[0]:.2f}{cached}")
    for name, measured in rows.items():
        seconds, cpu = [m[0] for m in measured], [m[1] for m in measured]
        print(
            f"{name}：中位数 {statistics.median(seconds):.2f} s，最慢 {max(seconds):.2f} s，"
            f"CPU 中位数 {statistics.median(cpu):.2f} s（{len(seconds)} 次）"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
