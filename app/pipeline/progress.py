"""Progress of a build: a bar per stage on a terminal (tqdm), plain lines otherwise (CI, logs), and a closing
table of seconds, items and triples per stage."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TextIO

from tqdm import tqdm

tqdm.monitor_interval = 0
"""No monitor thread: publishing forks its workers only while the build runs no other thread
(app/pipeline/workers.py `forked`), and tqdm's monitor would be one on every terminal."""

PLAIN_EVERY_S = 5.0
"""Without a terminal, a stage prints a line at most this often (and when it ends)."""


@dataclass
class Stage:
    name: str
    unit: str
    total: int | None
    seconds: float = 0.0
    done: int = 0
    triples: int = 0
    note: str = ""


@dataclass
class Progress:
    """Reports stages as they run. `quiet` reports nothing (tests, library use) but still times the stages."""

    stream: TextIO = field(default_factory=lambda: sys.stderr)
    quiet: bool = False
    stages: list[Stage] = field(default_factory=list)

    @property
    def tty(self) -> bool:
        return not self.quiet and self.stream.isatty()

    @contextmanager
    def stage(self, name: str, total: int | None = None, unit: str = "items") -> Iterator[Ticker]:
        stage = Stage(name, unit, total)
        self.stages.append(stage)
        ticker = Ticker(self, stage)
        started = time.perf_counter()
        try:
            yield ticker
        finally:
            stage.seconds = time.perf_counter() - started
            ticker.close()

    def line(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.stream, flush=True)

    def timings(self) -> dict[str, float]:
        return {s.name: round(s.seconds, 3) for s in self.stages}

    def table(self) -> str:
        """Seconds, items and triples per stage, and the total."""
        rows = [("stage", "seconds", "items", "triples", "")]
        for s in self.stages:
            rows.append((s.name, f"{s.seconds:.2f}", f"{s.done:,} {s.unit}" if s.done else "",
                         f"{s.triples:,}" if s.triples else "", s.note))
        rows.append(("total", f"{sum(s.seconds for s in self.stages):.2f}", "", "", ""))
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        def line(row: tuple[str, ...]) -> str:
            cells = zip(row, widths, strict=True)
            return "  ".join(c.ljust(w) if i in (0, 4) else c.rjust(w) for i, (c, w) in enumerate(cells)).rstrip()

        return "\n".join(line(r) for r in rows)


class Ticker:
    """Advances one stage: a tqdm bar on a terminal, a line every few seconds otherwise."""

    def __init__(self, progress: Progress, stage: Stage) -> None:
        self.progress, self.stage = progress, stage
        self.started = self.last = time.perf_counter()
        self.bar = tqdm(total=stage.total, desc=stage.name, unit=" " + stage.unit, file=progress.stream,
                        leave=True, dynamic_ncols=True) if progress.tty else None
        if not progress.tty:
            progress.line(f"{stage.name}: started" + (f" ({stage.total:,} {stage.unit})" if stage.total else ""))

    def advance(self, n: int = 1, triples: int = 0) -> None:
        self.stage.done += n
        self.stage.triples += triples
        if self.bar is not None:
            self.bar.update(n)
            if triples:
                self.bar.set_postfix_str(f"{self.stage.triples:,} triples", refresh=False)
            return
        now = time.perf_counter()
        if now - self.last >= PLAIN_EVERY_S:
            self.last = now
            self.progress.line(f"{self.stage.name}: {self._count()} ({now - self.started:.0f}s)")

    def step(self, text: str, force: bool = False) -> None:
        """Say how far a long part of the stage has got (publishing 10M triples runs minutes between its counts):
        beside the bar on a terminal, else as a line every PLAIN_EVERY_S seconds (`force`: at once)."""
        if self.bar is not None:
            self.bar.set_postfix_str(text)
            return
        now = time.perf_counter()
        if force or now - self.last >= PLAIN_EVERY_S:
            self.last = now
            self.progress.line(f"{self.stage.name}: {text} ({now - self.started:.0f}s)")

    def note(self, text: str) -> None:
        self.stage.note = text

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            return
        seconds = time.perf_counter() - self.started
        self.progress.line(f"{self.stage.name}: done, {self._count()} in {seconds:.1f}s"
                           + (f" ({self.stage.note})" if self.stage.note else ""))

    def _count(self) -> str:
        total = f"/{self.stage.total:,}" if self.stage.total else ""
        triples = f", {self.stage.triples:,} triples" if self.stage.triples else ""
        return f"{self.stage.done:,}{total} {self.stage.unit}{triples}"
