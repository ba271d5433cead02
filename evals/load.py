"""Load test: a running web app answering concurrent askers over HTTP while it imports files, then
re-imports them (changed), for a bounded time; reports ask latency (p50, p95, max) during the imports and
outside them, the errors, and the answers that missed their known article.

    python -m evals.load                      # 20 askers, 20 files of 120 articles imported, then re-imported
    python -m evals.load --askers 20 --docs 20 --articles 120 --seconds 300 --json

A fresh data directory holds the fixture regulation (questions whose answering article is known) and a base
of generated regulations, ingested before the server starts (the built-in embedder). The server is the app
`anquan serve` runs, in a process of its own; its imports are those of the 知识库 tab's 导入知识库 button
(assistant.web.library_tab.import_uploads: uploads folder, a worker process). The import roughly triples the
corpus, so the built-in embedder is refitted and every stored vector recomputed while questions go on; the
re-import updates every file it added. The askers (threads of this process) call the /ask API the way
gradio_client does (POST /gradio_api/call/ask, then read the event stream), each in a session of its own as a
browser tab is (a call without one makes the server build a session's page state, ~30 ms, every time).
Targets: p95 ≤ 1 s for asks during an import, 0 errors.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "青山市危险作业安全管理条例(2024-05-01).md"
FIXTURE_DOC = FIXTURE.stem
# questions on the fixture regulation and the article that answers each
QUESTIONS = {
    "有限空间作业应当坚持什么顺序？": "第六条",
    "危险作业专项应急演练多久组织一次？": "第五条",
    "动火作业前要清除什么？": "第七条",
}
_TOPICS = (
    "动火作业",
    "有限空间作业",
    "高处作业",
    "临时用电",
    "吊装作业",
    "危险化学品储存",
    "粉尘防爆",
    "消防安全",
    "特种设备",
    "隐患排查",
    "安全培训",
    "劳动防护用品",
)
_DUTIES = (
    "建立{t}管理制度并每年修订",
    "配备专职{t}管理人员",
    "每季度组织一次{t}检查并记录",
    "对从业人员进行{t}培训",
    "制定{t}专项应急预案",
    "在作业场所设置{t}安全警示标志",
    "落实{t}审批制度",
    "如实记录{t}检查和整改情况",
)
ASK_TIMEOUT_S = 60.0  # one ask over HTTP; beyond it the ask counts as an error
SERVER_START_TIMEOUT_S = 180.0


def write_regulations(
    folder: Path, prefix: str, count: int, articles: int, variant: int = 0, seed: int = 7
) -> list[Path]:
    """count generated local regulations of `articles` articles each (variant changes every text)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for n in range(count):
        title = f"{prefix}第{n + 1}号安全生产规定"
        lines = [f"# {title}", ""]
        for k in range(1, articles + 1):
            topic = rng.choice(_TOPICS)
            duty = rng.choice(_DUTIES).format(t=topic)
            lines += [
                f"第{k}条 {prefix}生产经营单位应当{duty}，每{k + n + variant}日复核一次"
                f"{'（修订）' if variant else ''}。",
                "",
            ]
        path = folder / f"{title}(2024-0{1 + variant % 9}-01).md"
        path.write_text("\n".join(lines), encoding="utf-8")
        paths.append(path)
    return paths


# the server side -----------------------------------------------------------------------------------


def _serve(
    data_dir: Path, port: int, control: Path, imports: list[Path], reimports: list[Path], warmup: float, gap: float
) -> None:
    """Serve the app; once control/go exists: import, wait, re-import (the 导入知识库 path); events to
    control/events.jsonl; then wait to be stopped."""
    from assistant.web.app import launch
    from assistant.web.library_tab import import_uploads
    from ingest.settings import Settings

    demo = launch(Settings(), port=port, quiet=True, block=False)
    ctx = demo.ctx  # type: ignore[attr-defined]
    events = (control / "events.jsonl").open("a", encoding="utf-8")

    def event(kind: str, **data) -> None:
        events.write(json.dumps({"event": kind, "at": time.time(), **data}, ensure_ascii=False) + "\n")
        events.flush()

    event("serving")
    while not (control / "go").exists():
        time.sleep(0.1)
    time.sleep(warmup)
    for phase, paths in (("import", imports), ("reimport", reimports)):
        started = time.time()
        event("start", phase=phase)
        try:
            message, rows = import_uploads(ctx, [str(p) for p in paths])
            event(
                "end",
                phase=phase,
                seconds=time.time() - started,
                message=message.split("\n")[0],
                results=[row[1] for row in rows],
            )
        except Exception as exc:  # noqa: BLE001 - reported to the driver
            event("end", phase=phase, seconds=time.time() - started, message=f"failed: {exc!r}", results=[])
        time.sleep(gap)
    event("done")
    while True:
        time.sleep(1)


# the askers ----------------------------------------------------------------------------------------


def call_http(url: str, api: str, body: dict, timeout: float = ASK_TIMEOUT_S) -> tuple[str, object]:
    """POST /gradio_api/call/<api> as gradio_client does, then read the event stream: ("complete", the outputs) or
    ("error", what the server said); an exception for anything else."""
    request = urllib.request.Request(
        f"{url}gradio_api/call/{api}",
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        event_id = json.loads(response.read())["event_id"]
    with urllib.request.urlopen(f"{url}gradio_api/call/{api}/{event_id}", timeout=timeout) as response:
        kind = ""
        for raw in response:
            line = raw.decode("utf-8").strip()
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and kind in ("complete", "error"):
                return kind, json.loads(line.split(":", 1)[1])
    raise RuntimeError("the event stream ended without a result")


def ask_http(url: str, question: str, timeout: float = ASK_TIMEOUT_S, session: str | None = None) -> dict:
    """The /ask API over HTTP, as gradio_client calls it (in one session, as a browser tab or a client does, when
    given): the result dict, or an exception."""
    kind, payload = call_http(url, "ask", {"data": [question, [], True, [], []], "session_hash": session}, timeout)
    if kind == "error":
        raise RuntimeError(f"server error: {json.dumps(payload, ensure_ascii=False)[:300]}")
    assert isinstance(payload, list)
    return payload[0]


@dataclass
class Ask:
    started: float
    ended: float
    question: str
    ok: bool
    correct: bool = False
    error: str = ""
    cited: str = ""  # what a wrong answer cited, and how it began

    @property
    def seconds(self) -> float:
        return self.ended - self.started


@dataclass
class LoadReport:
    askers: int
    think_s: float = 0.0
    asks: int = 0
    errors: int = 0
    wrong: int = 0  # answered, but without the article that answers the question
    p50_s: float = 0.0
    p95_s: float = 0.0
    max_s: float = 0.0
    during_import_asks: int = 0  # asks that started during an import
    during_import_completed: int = 0  # of those, completed while that import still ran
    during_import_p95_s: float = 0.0
    during_import_max_s: float = 0.0
    outside_import_p95_s: float = 0.0
    imports: list[dict] = field(default_factory=list)  # phase, seconds, message, results
    error_samples: list[str] = field(default_factory=list)
    wrong_samples: list[str] = field(default_factory=list)  # question -> what a wrong answer cited
    seconds: float = 0.0

    def table(self) -> str:
        lines = [
            f"askers {self.askers} (think time {self.think_s:g} s), asks {self.asks}, errors {self.errors}, "
            f"wrong answers {self.wrong}, "
            f"{self.seconds:.0f} s",
            f"all asks:            p50 {self.p50_s:.3f} s, p95 {self.p95_s:.3f} s, max {self.max_s:.3f} s",
            f"during imports:      {self.during_import_asks} asks ({self.during_import_completed} completed before "
            f"the import ended), p95 {self.during_import_p95_s:.3f} s, max {self.during_import_max_s:.3f} s",
            f"outside imports:     p95 {self.outside_import_p95_s:.3f} s",
        ]
        for item in self.imports:
            lines.append(f"{item['phase']}: {item['seconds']:.1f} s — {item['message']}")
        lines += [f"error: {sample}" for sample in self.error_samples]
        lines += [f"wrong: {sample}" for sample in self.wrong_samples]
        return "\n".join(lines)


def _p95(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _asker(url: str, stop: threading.Event, results: list[Ask], seed: int, think: float) -> None:
    rng = random.Random(seed)
    questions = list(QUESTIONS)
    session = f"load-asker-{seed}-{rng.getrandbits(32):08x}"  # one user: one browser session for all their asks
    while not stop.wait(rng.uniform(0, 2 * think) if think else 0):
        question = rng.choice(questions)
        started = time.time()
        try:
            payload = ask_http(url, question, session=session)
        except Exception as exc:  # noqa: BLE001 - every failure is counted
            results.append(Ask(started, time.time(), question, False, error=repr(exc)[:300]))
            continue
        cited = [c.get("article") for c in payload.get("citations", []) if c.get("doc") == FIXTURE_DOC]
        correct = QUESTIONS[question] in cited
        shown = "" if correct else f"{payload.get('citations')} {str(payload.get('answer', ''))[:80]}"
        results.append(Ask(started, time.time(), question, True, correct, cited=shown))


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _events(control: Path) -> list[dict]:
    path = control / "events.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run(
    askers: int = 20,
    docs: int = 20,
    articles: int = 120,
    base_docs: int = 6,
    seconds: float = 300,
    warmup: float = 3.0,
    gap: float = 3.0,
    think: float = 0.0,
    workdir: Path | None = None,
    log=print,
) -> LoadReport:
    """Build the data directory, start the server, ask from `askers` threads through an import and a re-import
    (at most `seconds` from the first ask), and report."""
    from ingest.pipeline import ingest
    from ingest.settings import Settings

    own = workdir is None
    work = Path(tempfile.mkdtemp(prefix="anquan-load-")) if own else workdir
    server = None
    try:
        data_dir, control = work / "data", work / "control"
        control.mkdir(parents=True, exist_ok=True)
        base = work / "base"
        base.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURE, base)
        write_regulations(base, "绿水市", base_docs, articles)
        imports = write_regulations(work / "import", "金沙市", docs, articles)
        reimports = write_regulations(work / "reimport", "金沙市", docs, articles, variant=1)
        reimports = [p.rename(p.with_name(i.name)) for p, i in zip(reimports, imports, strict=True)]  # same names
        env = {
            **os.environ,
            "ANQUAN_DATA_DIR": str(data_dir),
            "ANQUAN_EMBEDDER": "builtin",
            "ANQUAN_VECTOR_CACHE": str(work / "vectors.sqlite"),
            "ANQUAN_LOG_FILE": str(work / "anquan.log"),
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        for name in ("ANQUAN_CHROMA_HOST", "ANQUAN_LLM_BASE_URL", "ANQUAN_WEB_USER", "ANQUAN_WEB_PASSWORD"):
            env.pop(name, None)
        started = time.time()
        ingest([base], Settings(data_dir=data_dir, embedder="builtin", vector_cache=work / "vectors.sqlite"))
        log(f"base ingested in {time.time() - started:.1f} s ({base_docs + 1} files)")
        port = _free_port()
        spec = json.dumps(
            {
                "data_dir": str(data_dir),
                "port": port,
                "control": str(control),
                "imports": [str(p) for p in imports],
                "reimports": [str(p) for p in reimports],
                "warmup": warmup,
                "gap": gap,
            }
        )
        server_log = (work / "server.log").open("w")
        server = subprocess.Popen(
            [sys.executable, "-m", "evals.load", "--serve", spec],
            cwd=ROOT,
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}/"
        deadline = time.time() + SERVER_START_TIMEOUT_S
        while not any(e["event"] == "serving" for e in _events(control)):
            if server.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"the server did not start: {(work / 'server.log').read_text()[-2000:]}")
            time.sleep(0.2)
        ask_http(url, next(iter(QUESTIONS)), timeout=SERVER_START_TIMEOUT_S)  # warm: the first ask loads the indexes
        log(f"server up on {url}")
        results: list[Ask] = []
        stop = threading.Event()
        threads = [
            threading.Thread(target=_asker, args=(url, stop, results, n, think), daemon=True) for n in range(askers)
        ]
        for thread in threads:
            thread.start()
        first_ask = time.time()
        (control / "go").touch()
        while not any(e["event"] == "done" for e in _events(control)):
            if server.poll() is not None:
                raise RuntimeError(f"the server stopped: {(work / 'server.log').read_text()[-2000:]}")
            if time.time() - first_ask > seconds:
                log(f"stopped after {seconds:g} s (the imports had not finished)")
                break
            time.sleep(0.2)
        stop.set()
        for thread in threads:
            thread.join(ASK_TIMEOUT_S + 5)
        report = _report(askers, results, _events(control), time.time() - first_ask)
        report.think_s = think
        return report
    finally:
        if server is not None:
            _stop_group(server)
        if own:
            shutil.rmtree(work, ignore_errors=True)


def _stop_group(server: subprocess.Popen) -> None:
    """Stop the server and what it started (its import's worker processes): they share its process group."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(wait)
        except subprocess.TimeoutExpired:
            continue
        time.sleep(0.5)  # then SIGKILL for what is left of the group (an import's worker still running)


def _report(askers: int, results: list[Ask], events: list[dict], seconds: float) -> LoadReport:
    windows: list[tuple[float, float]] = []
    imports: list[dict] = []
    starts = {e["phase"]: e["at"] for e in events if e["event"] == "start"}
    for e in events:
        if e["event"] == "end":
            windows.append((starts[e["phase"]], e["at"]))
            imports.append({k: e[k] for k in ("phase", "seconds", "message", "results")})
    for phase, at in starts.items():  # an import still running when the test stopped
        if not any(item["phase"] == phase for item in imports):
            windows.append((at, time.time()))
            imports.append({"phase": phase, "seconds": time.time() - at, "message": "not finished", "results": []})
    done = [a for a in results if a.ok]
    during = [a for a in results if any(s <= a.started < e for s, e in windows)]
    report = LoadReport(
        askers=askers,
        asks=len(results),
        errors=sum(1 for a in results if not a.ok),
        wrong=sum(1 for a in done if not a.correct),
        wrong_samples=[f"{a.question} -> {a.cited}" for a in done if not a.correct][:5],
        imports=imports,
        seconds=seconds,
    )
    latencies = [a.seconds for a in results]
    if latencies:
        report.p50_s, report.p95_s, report.max_s = statistics.median(latencies), _p95(latencies), max(latencies)
    report.during_import_asks = len(during)
    report.during_import_completed = sum(
        1 for a in during if a.ok and any(s <= a.started and a.ended < e for s, e in windows)
    )
    report.during_import_p95_s = _p95([a.seconds for a in during])
    report.during_import_max_s = max((a.seconds for a in during), default=0.0)
    report.outside_import_p95_s = _p95([a.seconds for a in results if a not in during])
    report.error_samples = sorted({a.error for a in results if not a.ok})[:5]
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Load test: concurrent askers over HTTP during a web import and re-import."
    )
    parser.add_argument("--askers", type=int, default=20)
    parser.add_argument("--docs", type=int, default=20, help="files imported (at most the upload limit, 20)")
    parser.add_argument("--articles", type=int, default=120, help="articles per generated file")
    parser.add_argument(
        "--base-docs", type=int, default=6, help="generated files in the base, before the server starts"
    )
    parser.add_argument("--seconds", type=float, default=300, help="longest the askers run")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds an asker waits between answer and next question (0: at once)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        spec = json.loads(args.serve)
        _serve(
            Path(spec["data_dir"]),
            spec["port"],
            Path(spec["control"]),
            [Path(p) for p in spec["imports"]],
            [Path(p) for p in spec["reimports"]],
            spec["warmup"],
            spec["gap"],
        )
        return 0
    report = run(
        args.askers,
        args.docs,
        args.articles,
        args.base_docs,
        args.seconds,
        think=args.think,
        log=(lambda _: None) if args.json else print,
    )
    print(json.dumps(asdict(report), ensure_ascii=False, indent=2) if args.json else report.table())
    ok = report.errors == 0 and report.during_import_p95_s <= 1.0 and report.during_import_completed > 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
