"""Jinja extensions cookiecutter loads through `_extensions` in cookiecutter.json."""

import logging

from jinja2 import Environment
from jinja2.ext import Extension


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
