"""Jinja extensions cookiecutter loads through `_extensions` in cookiecutter.json."""

import json
import logging
from pathlib import Path

from jinja2 import Environment
from jinja2.ext import Extension

COOKIECUTTER_JSON = Path(__file__).resolve().parent / "cookiecutter.json"


class _DropHookFailureTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Stopping generation because")


class QuietHookFailure(Extension):
    """Keep a refused answer to the one line the pre-generation hook printed.

    Cookiecutter logs a traceback of its own internals whenever a hook exits non-zero;
    for a refused answer that is noise around the message that matters.
    """

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        logger = logging.getLogger("cookiecutter.hooks")
        if not any(isinstance(f, _DropHookFailureTraceback) for f in logger.filters):
            logger.addFilter(_DropHookFailureTraceback())


class TemplateChoices(Extension):
    """`template_choices`: every multiple-choice question with its choices, read from
    the cookiecutter.json beside this file.

    The pre-generation hook checks answers against it: a replay file (or cruft's
    context) hands answers to the hooks without checking them.
    """

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        questions = json.loads(COOKIECUTTER_JSON.read_text(encoding="utf-8"))
        environment.globals["template_choices"] = {
            question: values
            for question, values in questions.items()
            if not question.startswith("_") and isinstance(values, list)
        }
