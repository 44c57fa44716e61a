"""Jinja extensions cookiecutter loads through `_extensions` in cookiecutter.json."""

import json
import logging
import re
import textwrap
import unicodedata
from pathlib import Path

from jinja2 import Environment
from jinja2.ext import Extension

COOKIECUTTER_JSON = Path(__file__).resolve().parent / "cookiecutter.json"
# Every package of every generated project's lock, one file each:
# <name>-<version>-<hash>.toml (scripts/lock_python.py writes them).
LOCKED_PACKAGES = Path(__file__).resolve().parent / "templates" / "uv" / "packages"


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
    the cookiecutter.json beside this file; `locked_packages`: the name of every
    package the generated projects' locks hold (templates/uv/packages).

    The pre-generation hook checks answers against them: a replay file (or cruft's
    context) hands answers to the hooks without checking them, and a project named as
    one of its locked packages has a uv.lock uv cannot read.
    """

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        questions = json.loads(COOKIECUTTER_JSON.read_text(encoding="utf-8"))
        environment.globals["template_choices"] = {
            question: values
            for question, values in questions.items()
            if not question.startswith("_") and isinstance(values, list)
        }
        environment.globals["locked_packages"] = sorted(
            {path.name.rsplit("-", 2)[0] for path in LOCKED_PACKAGES.glob("*.toml")}
        )


# Free-text answers (project_name, description, author_name, author_email) reach the
# files below only through these filters, each writing the text as that kind of file
# reads it back unchanged. The pre-generation hook has already refused what no file
# can hold: newlines, control and invisible formatting characters.

# Where a generated line may end: ruff's line length, Prettier's print width.
PYTHON_LINE_LENGTH = 88
PRETTIER_PRINT_WIDTH = 120
# Characters CommonMark gives a meaning anywhere in a line (a backslash makes each
# one literal); `{` is there for the template's own tests, which look for `{{`.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|&~{}])")
# ... and at the start of a paragraph or heading: a list item, a quote, a heading
# underline.
MARKDOWN_BLOCK_MARKER = re.compile(r"^([-+=>])")
MARKDOWN_ORDERED_ITEM = re.compile(r"^(\d+)([.)])")


def toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, plus DEL, which TOML forbids."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


# Letters ruff never takes for look-alikes of ASCII ones (besides Latin letters with
# diacritics, see `_is_plain_latin`).
PLAIN_LATIN_LETTERS = frozenset("ßæøœłđþðÆØŒŁĐÞ")


def _is_plain_latin(character: str) -> bool:
    """é, ü, ñ...: an ASCII letter with combining marks, or one of a few others."""
    if character in PLAIN_LATIN_LETTERS:
        return True
    base, *marks = unicodedata.normalize("NFD", character)
    return (
        bool(marks)
        and base.isascii()
        and base.isalpha()
        and all(unicodedata.category(mark).startswith("M") for mark in marks)
    )


def _escape_for_python(text: str, quote: str) -> str:
    """Backslash and the quote escaped, and every character that is neither
    printable ASCII nor a plain Latin letter: ruff flags look-alikes of ASCII
    characters (RUF001/RUF002: en dash, curly quotes, fullwidth letters, a Cyrillic
    letter among Latin ones), and an escape is never one."""
    pieces = []
    for character in text:
        if character in ("\\", quote):
            pieces.append("\\" + character)
        elif (character.isascii() and character.isprintable()) or _is_plain_latin(
            character
        ):
            pieces.append(character)
        elif ord(character) <= 0xFFFF:
            pieces.append(f"\\u{ord(character):04x}")
        else:
            pieces.append(f"\\U{ord(character):08x}")
    return "".join(pieces)


def python_string(text: str) -> str:
    """A Python string literal as ruff format writes it: double quotes unless the
    text holds more double quotes than single ones."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    return quote + _escape_for_python(text, quote) + quote


def python_docstring(text: str) -> str:
    """A module docstring, `\"\"\"` included, wrapped to ruff's line length."""
    escaped = _escape_for_python(text.strip(), '"')
    # Escapes hold no spaces, so wrapping never cuts one apart.
    lines = textwrap.wrap(
        escaped,
        width=PYTHON_LINE_LENGTH - 3,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return '"""' + "\n".join(lines) + '"""'


def python_argument(text: str, keyword: str, indent: int = 8) -> str:
    """`keyword="text",` on a line of its own, in a call `indent` spaces deep; a
    line too long for ruff says so (a string cannot be split)."""
    line = " " * indent + f"{keyword}={python_string(text)},"
    # E501 spares lines of one word: only a line with a space in it is flagged.
    if len(line) > PYTHON_LINE_LENGTH and " " in line.strip():
        line += "  # noqa: E501"
    return line


def js_string_constant(text: str, name: str) -> str:
    """`export const NAME = "text";` as Prettier writes it (TypeScript)."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    body = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    literal = quote + body + quote
    statement = f"export const {name} = {literal};"
    if len(statement) <= PRETTIER_PRINT_WIDTH:
        return statement
    return f"export const {name} =\n  {literal};"


def html_text(text: str) -> str:
    """Text content of an HTML element; `%` too, which Vite's index.html reads as
    the start of `%ENV_VARIABLE%`."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("%", "&#37;")
    )


def markdown_text(text: str) -> str:
    """Inline Markdown that renders as the text itself (CommonMark)."""
    escaped = MARKDOWN_SPECIAL.sub(r"\\\1", text.strip())
    escaped = MARKDOWN_BLOCK_MARKER.sub(r"\\\1", escaped)
    return MARKDOWN_ORDERED_ITEM.sub(r"\1\\\2", escaped)


class FreeTextFilters(Extension):
    """The filters above, for the template's files."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters.update(
            toml_string=toml_string,
            python_string=python_string,
            python_docstring=python_docstring,
            python_argument=python_argument,
            js_string_constant=js_string_constant,
            html_text=html_text,
            markdown_text=markdown_text,
        )
