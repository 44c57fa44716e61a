"""The outcome of one bake, shared by the fixtures and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest


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

    def path(self) -> Path:
        """The generated project's root; fails the test when the bake failed."""
        if not self.ok or self.project_path is None:
            pytest.fail(
                f"bake {self.context} failed (exit {self.exit_code}): "
                f"{self.exception!r}",
                pytrace=False,
            )
        return self.project_path
