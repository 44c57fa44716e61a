"""Benchmark the bake time of every combination against cookiecutter's own floor.

Every combination the template's tests bake (tests/helpers/combos.py ``matrix()``)
is baked with the cookiecutter CLI (``python -m cookiecutter --no-input``), best of
--runs, each bake right after a bake of a one-file template made the same way (the
floor: what cookiecutter costs by itself), so both see the same machine load. The
ratio per combination is best bake / best floor bake of its own pairs; the goal is
at most 1.5x for every combination.

Usage: python benchmarks/bake_benchmark.py [--runs N] [--combos ID ...] [--quick]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # The combinations live with the template's tests.

from tests.helpers.combos import Combo, matrix  # noqa: E402

GOAL = 1.5
STARTED = time.monotonic()


class BakeError(Exception):
    """A bake failed: one message for the user."""


def progress(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:7.1f}s] {message}", flush=True)


def one_file_template(root: Path) -> Path:
    """The smallest template: one question set, one rendered file, no hooks."""
    template = root / "one-file-template"
    (template / "{{cookiecutter.project_slug}}").mkdir(parents=True)
    (template / "cookiecutter.json").write_text(
        json.dumps({"project_name": "Acme Service", "project_slug": "acme_service"}),
        encoding="utf-8",
    )
    (template / "{{cookiecutter.project_slug}}" / "README.md").write_text(
        "# {{ cookiecutter.project_name }}\n", encoding="utf-8"
    )
    return template


def isolated_config(root: Path) -> Path:
    """A cookiecutter config that keeps replay files out of the user's home."""
    config = root / "cookiecutter-config.yaml"
    config.write_text(
        f"cookiecutters_dir: {root / 'cc'}\nreplay_dir: {root / 'replay'}\n",
        encoding="utf-8",
    )
    return config


def cli_bake_seconds(
    template: Path, answers: dict[str, str], out: Path, config: Path
) -> float:
    """Wall time of one CLI bake into the empty directory ``out`` (removed after)."""
    out.mkdir(parents=True)
    cmd = [sys.executable, "-m", "cookiecutter", "--no-input"]
    cmd += ["--config-file", str(config), "-o", str(out), str(template)]
    cmd += [f"{key}={value}" for key, value in answers.items()]
    started = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    shutil.rmtree(out, ignore_errors=True)
    if result.returncode != 0:
        raise BakeError(
            f"`{' '.join(cmd)}` exited {result.returncode}:\n{result.stderr[-2000:]}"
        )
    return seconds


@dataclass
class Timing:
    combo: str
    floor: float  # Best of the one-file bakes paired with this combination's.
    bake: float  # Best of this combination's bakes.

    @property
    def ratio(self) -> float:
        return self.bake / self.floor


def time_combo(
    combo: Combo, floor_template: Path, runs: int, work: Path, config: Path
) -> Timing:
    floors, bakes = [], []
    for run in range(runs):
        # Floor first, then the template, each run: both meet the same load.
        floors.append(
            cli_bake_seconds(floor_template, {}, work / f"floor-{run}", config)
        )
        bakes.append(
            cli_bake_seconds(ROOT, combo.extra_context, work / f"bake-{run}", config)
        )
    return Timing(combo.id, min(floors), min(bakes))


def print_table(timings: list[Timing], runs: int) -> None:
    width = max(len("combination"), *(len(t.combo) for t in timings))
    print()
    print(f"bake wall time, cookiecutter CLI, best of {runs} (goal <= {GOAL}x floor)")
    header = f"{'combination':<{width}}  {'floor s':>8}  {'bake s':>8}  {'ratio':>6}"
    print(header)
    print("-" * len(header))
    for t in timings:
        print(f"{t.combo:<{width}}  {t.floor:>8.3f}  {t.bake:>8.3f}  {t.ratio:>5.2f}x")
    worst = max(timings, key=lambda t: t.ratio)
    met = worst.ratio <= GOAL
    print()
    print(f"combinations: {len(timings)}")
    floor = min(t.floor for t in timings)
    print(f"floor (one-file template), best overall: {floor:.3f} s")
    print(
        f"worst ratio: {worst.ratio:.2f}x ({worst.combo}) -> "
        f"{'met' if met else 'NOT met'} (goal <= {GOAL}x)"
    )


def choose(args: argparse.Namespace) -> list[Combo]:
    combos = matrix()
    if args.combos:
        by_id = {combo.id: combo for combo in combos}
        unknown = [ident for ident in args.combos if ident not in by_id]
        if unknown:
            raise BakeError(f"unknown combination(s) {unknown}; see --list")
        return [by_id[ident] for ident in args.combos]
    if args.quick:
        return [combos[0], combos[-1]]  # The default bake and a mix of options.
    return combos


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="best of N (default 3)")
    parser.add_argument("--combos", nargs="+", metavar="ID", help="only these ids")
    parser.add_argument("--list", action="store_true", help="print the ids and exit")
    parser.add_argument(
        "--quick", action="store_true", help="one run of two combinations (smoke test)"
    )
    args = parser.parse_args()
    if args.list:
        print("\n".join(combo.id for combo in matrix()))
        return 0
    runs = 1 if args.quick else args.runs
    work = Path(tempfile.mkdtemp(prefix="bake-benchmark-"))
    try:
        combos = choose(args)
        config = isolated_config(work)
        floor_template = one_file_template(work)
        progress(f"{len(combos)} combinations, best of {runs}, in {work}")
        timings = []
        for number, combo in enumerate(combos, 1):
            timing = time_combo(combo, floor_template, runs, work / "out", config)
            timings.append(timing)
            progress(
                f"{number}/{len(combos)} {combo.id}: {timing.bake:.3f} s "
                f"(floor {timing.floor:.3f} s, {timing.ratio:.2f}x)"
            )
    except BakeError as error:
        print(f"bake_benchmark: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bake_benchmark: interrupted", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_table(timings, runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
