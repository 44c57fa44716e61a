"""Refresh the Python locks that generated projects ship as their uv.lock.

A generated project's dependencies follow some of its answers: the choice questions
that {{cookiecutter.project_slug}}/pyproject.toml mentions (framework, worker and
alerts when this was written; a question added there later is found by itself). For
every combination of their values this bakes the project, lets `uv lock` resolve it,
and stores the lock in templates/uv/, where the generated uv.lock assembles it from:

    locks.jinja                 which lock each combination uses (combinations whose
                                pyproject.toml is the same share one), and the
                                package entries of each lock, in uv's order
    locks/<lock>/header.toml    the lock's first lines (format, requires-python, ...)
    locks/<lock>/project.toml   the project's own entry, with its name and version as
                                template expressions
    packages/<name>-<version>-<hash>.toml
                                one package entry, shared by every lock that
                                resolved it alike

Run it after changing the generated pyproject.toml's dependencies or a question that
shapes them. Each lock keeps the versions it already pins where they still fit (as
`uv lock` does); `--upgrade` moves every package to the newest version allowed.

    uv run python scripts/lock_python.py [--upgrade]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parent.parent
PYPROJECT = TEMPLATE / "{{cookiecutter.project_slug}}" / "pyproject.toml"
STORE = TEMPLATE / "templates" / "uv"
INDEX = STORE / "locks.jinja"
PYTHON = os.environ.get("UV_PYTHON", "python3.11")
# The project every lock is made for; its name and version become expressions.
SLUG = "lockproject"
VERSION = "0.0.0"
NAME_EXPRESSION = "{{ cookiecutter.project_slug | replace('_', '-') }}"
VERSION_EXPRESSION = "{{ cookiecutter.version }}"
# uv.lock: a header, then one `[[package]]` table per package.
SEPARATOR = "\n\n[[package]]\n"
JINJA_MARKERS = ("{{", "{%", "{#")


def choice_questions() -> dict[str, list[str]]:
    """Every multiple-choice question of cookiecutter.json, in its order."""
    answers = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
    return {
        question: [str(value) for value in values]
        for question, values in answers.items()
        if not question.startswith("_") and isinstance(values, list)
    }


def shaping_questions() -> dict[str, list[str]]:
    """The choice questions the generated pyproject.toml depends on, with their
    values: every one it names (`cookiecutter.<question>` or `cookiecutter["..."]`)."""
    text = PYPROJECT.read_text(encoding="utf-8")
    named = set(re.findall(r"cookiecutter(?:\.|\[[\"'])(\w+)", text))
    return {
        question: values
        for question, values in choice_questions().items()
        if question in named
    }


def lock_key(answers: dict[str, str]) -> str:
    """How locks.jinja names a combination: `question=value` joined by commas, in
    the questions' order (the same expression as in the generated uv.lock)."""
    return ",".join(f"{question}={value}" for question, value in answers.items())


@dataclass
class Lock:
    """One resolved lock: the combinations that share it, and its parts."""

    name: str
    combinations: list[dict[str, str]]
    text: str = ""
    header: str = ""
    project: str = ""
    # (package name, file name in packages/), in the lock's order.
    packages: list[tuple[str, str]] = field(default_factory=list)


def bake(answers: dict[str, str], workdir: Path) -> Path:
    output = workdir / f"bake-{len(list(workdir.iterdir()))}"
    context = {**answers, "project_slug": SLUG, "version": VERSION}
    return Path(
        cookiecutter(
            str(TEMPLATE), no_input=True, output_dir=str(output), extra_context=context
        )
    )


def group_by_pyproject(workdir: Path) -> list[tuple[Lock, Path]]:
    """Bake every combination; one lock (and one bake to lock) per distinct
    pyproject.toml."""
    questions = shaping_questions()
    locks: dict[str, tuple[Lock, Path]] = {}
    for values in itertools.product(*questions.values()):
        answers = dict(zip(questions, values, strict=True))
        project = bake(answers, workdir)
        pyproject = (project / "pyproject.toml").read_text(encoding="utf-8")
        if pyproject not in locks:
            lock = Lock(name="-".join(values), combinations=[])
            locks[pyproject] = (lock, project)
            print(f"{lock.name}: baked", flush=True)
        locks[pyproject][0].combinations.append(answers)
    return list(locks.values())


def resolve(lock: Lock, project: Path, upgrade: bool) -> None:
    """`uv lock` in the bake, starting from the lock it was baked with (if any)."""
    current = project / "uv.lock"
    if upgrade or not current.read_text(encoding="utf-8").strip():
        current.unlink()
    command = ["uv", "lock", "--python", PYTHON] + (["--upgrade"] if upgrade else [])
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"}
    }
    env["UV_PYTHON_DOWNLOADS"] = "never"
    print(f"{lock.name}: {' '.join(command)}", flush=True)
    subprocess.run(command, cwd=project, env=env, check=True)
    lock.text = current.read_text(encoding="utf-8")


def split(lock: Lock) -> None:
    """Header, the project's own entry (made a template) and the package entries."""
    header, *entries = lock.text.removesuffix("\n").split(SEPARATOR)
    lock.header = header
    for entry in entries:
        name = _field(entry, "name") or ""
        if name == SLUG:
            lock.project = _project_template(entry)
            continue
        _refuse_jinja(entry, name)
        version = _field(entry, "version") or "0"
        digest = hashlib.sha256(entry.encode()).hexdigest()[:10]
        file = f"{name}-{version}-{digest}.toml"
        lock.packages.append((name, file))
        target = STORE / "packages" / file
        if not target.exists():
            target.write_text(entry + "\n", encoding="utf-8")
    _refuse_jinja(header, "the header")
    if not lock.project:
        raise SystemExit(f"{lock.name}: the lock has no entry for {SLUG}")


def _field(entry: str, key: str) -> str | None:
    found = re.search(rf'^{key} = "([^"]*)"$', entry, re.MULTILINE)
    return found.group(1) if found else None


def _project_template(entry: str) -> str:
    entry = entry.replace(f'name = "{SLUG}"', f'name = "{NAME_EXPRESSION}"', 1)
    return entry.replace(
        f'version = "{VERSION}"', f'version = "{VERSION_EXPRESSION}"', 1
    )


def _refuse_jinja(text: str, what: str) -> None:
    if any(marker in text for marker in JINJA_MARKERS):
        raise SystemExit(f"{what} holds text Jinja would read as a template")


def write_store(locks: list[Lock]) -> None:
    questions = list(shaping_questions())
    lock_dirs = STORE / "locks"
    shutil.rmtree(lock_dirs, ignore_errors=True)
    for lock in locks:
        directory = lock_dirs / lock.name
        directory.mkdir(parents=True)
        (directory / "header.toml").write_text(lock.header + "\n", encoding="utf-8")
        (directory / "project.toml").write_text(lock.project + "\n", encoding="utf-8")
    used = {file for lock in locks for _, file in lock.packages}
    for stale in (STORE / "packages").glob("*.toml"):
        if stale.name not in used:
            stale.unlink()
    INDEX.write_text(_index(questions, locks), encoding="utf-8")


def _index(questions: list[str], locks: list[Lock]) -> str:
    combinations = {
        lock_key(answers): lock.name for lock in locks for answers in lock.combinations
    }
    packages = {lock.name: [list(pair) for pair in lock.packages] for lock in locks}
    return (
        "{#- Written by scripts/lock_python.py: do not edit. Read by the generated\n"
        "    uv.lock ({{cookiecutter.project_slug}}/uv.lock). -#}\n"
        f"{{%- set QUESTIONS = {json.dumps(questions)} -%}}\n"
        f"{{%- set LOCKS = {json.dumps(combinations, indent=2, sort_keys=True)} -%}}\n"
        f"{{%- set PACKAGES = {json.dumps(packages, indent=2, sort_keys=True)} -%}}\n"
    )


def verify(lock: Lock, workdir: Path) -> None:
    """A fresh bake renders the lock exactly as uv wrote it."""
    project = bake(lock.combinations[0], workdir)
    rendered = (project / "uv.lock").read_text(encoding="utf-8")
    if rendered != lock.text:
        raise SystemExit(f"{lock.name}: the generated uv.lock differs from uv's")
    print(f"{lock.name}: rendered as uv wrote it", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--upgrade", action="store_true", help="newest versions for every package"
    )
    options = parser.parse_args()
    (STORE / "packages").mkdir(parents=True, exist_ok=True)
    if not INDEX.exists():  # The first run: bakes render an empty uv.lock.
        INDEX.write_text(_index([], []), encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        baked = group_by_pyproject(workdir)
        locks = []
        for lock, project in baked:
            resolve(lock, project, options.upgrade)
            split(lock)
            locks.append(lock)
        write_store(locks)
        for lock in locks:
            verify(lock, workdir)
    combinations = sum(len(lock.combinations) for lock in locks)
    print(f"{len(locks)} locks for {combinations} combinations in {STORE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
