"""Baking the template once per combination per run, shared by every xdist worker.

The first worker that needs a combination bakes it into a directory every worker of
the run sees, under a lock; the others wait for the lock and read the outcome.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.main import cookiecutter


@dataclass
class Bake:
    """The outcome of one bake."""

    context: dict[str, str]
    seconds: float
    exit_code: int | str | None = 0
    exception: BaseException | None = None
    project_path: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.exception is None and self.project_path is not None

    def record(self) -> dict[str, Any]:
        """What other workers need to know of this bake (JSON)."""
        path = self.project_path
        return {
            "context": self.context,
            "seconds": self.seconds,
            "exit_code": self.exit_code,
            "exception": None if self.exception is None else str(self.exception),
            "project_path": None if path is None else str(path),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Bake:
        exception = record["exception"]
        path = record["project_path"]
        return cls(
            context=record["context"],
            seconds=record["seconds"],
            exit_code=record["exit_code"],
            exception=None if exception is None else BakeError(exception),
            project_path=None if path is None else Path(path),
        )

    def path(self) -> Path:
        """The generated project's root; fails the test when the bake failed."""
        if not self.ok or self.project_path is None:
            pytest.fail(
                f"bake {self.context} failed (exit {self.exit_code}): "
                f"{self.exception!r}",
                pytrace=False,
            )
        return self.project_path


class BakeError(Exception):
    """A bake failed (in this worker or another one); the message says how."""


@contextmanager
def exclusive(lock: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file ``lock`` (across processes)."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def directory_name(label: str) -> str:
    """A readable, unique directory name for a combination's label."""
    readable = re.sub(r"[^A-Za-z0-9=,._-]+", "_", label)[:80]
    return f"{readable}-{hashlib.sha1(label.encode()).hexdigest()[:8]}"


def shared_bake(
    template: Path, context: dict[str, str], directory: Path
) -> tuple[Bake, bool]:
    """The bake of ``context`` in ``directory``: made now (True) or by an earlier
    caller of this run, maybe in another process (False)."""
    record = directory / "bake.json"
    with exclusive(directory.with_suffix(".lock")):
        if record.exists():
            return Bake.from_record(json.loads(record.read_text())), False
        baked = _bake(template, context, directory)
        record.write_text(json.dumps(baked.record()))
        return baked, True


def _bake(template: Path, context: dict[str, str], directory: Path) -> Bake:
    directory.mkdir(parents=True, exist_ok=True)
    # Cookiecutter's own directories, away from the user's home.
    config = directory / "cookiecutter.yaml"
    config.write_text(
        f"cookiecutters_dir: {directory / 'cookiecutters'}\n"
        f"replay_dir: {directory / 'replay'}\n"
    )
    started = time.perf_counter()
    try:
        path = cookiecutter(
            str(template),
            no_input=True,
            extra_context=dict(context),
            output_dir=str(directory / "out"),
            config_file=str(config),
        )
    except (Exception, SystemExit) as error:
        seconds = time.perf_counter() - started
        return Bake(dict(context), seconds, 1, BakeError(repr(error)), None)
    return Bake(dict(context), time.perf_counter() - started, 0, None, Path(path))
