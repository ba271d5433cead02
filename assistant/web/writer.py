"""What a web write (ingest, delete, confirm) runs in its worker process. Apart from context.py on purpose: a
forkserver child imports the module its target is defined in, and context.py imports Gradio (seconds per
write); this module needs only the pipeline, which the fork server has imported already."""

from __future__ import annotations

import os

from assistant.faults import user_message
from ingest.settings import Settings

WRITER_NICENESS = 10  # the write's worker process (its own preparation workers add 10 more, up to 19)


def write_in_worker(settings: Settings, method: str, args: tuple, kwargs: dict, results) -> None:
    """Run Ingestor(settings).<method>(*args, **kwargs) in this worker process; report progress, then the
    report or what went wrong, through the results queue."""
    from ingest.pipeline import IngestBusy, Ingestor

    def progress(stage: str, done: int, total: int) -> None:
        results.put(("progress", stage, done, total))

    try:
        os.nice(WRITER_NICENESS)  # questions in the web process come first when the cores are busy
    except OSError:
        pass
    try:
        report = getattr(Ingestor(settings, None, progress), method)(*args, **kwargs)
    except IngestBusy as exc:
        results.put(("busy", str(exc)))
    except BaseException as exc:  # noqa: BLE001 - reported to the web process in Chinese, logged here
        results.put(("failed", user_message(exc, settings, "导入" if method == "run" else "修改知识库")))
    else:
        results.put(("done", report))
