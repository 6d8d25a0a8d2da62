"""Progress output: a bar on a terminal, plain timestamped log lines otherwise (cron,
systemd and CI capture those)."""

from __future__ import annotations

import datetime as dt
import sys
from typing import TextIO


class Progress:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._last_pct = -1

    def log(self, message: object) -> None:
        if self.tty:
            self.stream.write(f"{message}\n")
        else:
            self.stream.write(f"{dt.datetime.now():%Y-%m-%d %H:%M:%S} {message}\n")
        self.stream.flush()

    def batch(self, done: int, total: int) -> None:
        pct = int(100 * done / total) if total else 100
        if self.tty:
            filled = pct * 30 // 100
            self.stream.write(f"\r  [{'#' * filled}{'.' * (30 - filled)}] {done}/{total} anrop")
            if done == total:
                self.stream.write("\n")
            self.stream.flush()
        elif pct // 10 != self._last_pct // 10 or done == total:
            self._last_pct = pct
            self.log(f"  {done}/{total} dataanrop klara ({pct} %)")
