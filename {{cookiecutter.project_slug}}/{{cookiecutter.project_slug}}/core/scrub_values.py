"""The tests and rewrites the scrubber's tables (`core/scrubber.py`) name: key words
and fragments, the validators of detector matches, the percent-encoding decoder, the
detectors written as code (values a sensitive key names in free text: `password=...`,
`"token": ...`, `--password VALUE`, SQL `password = '...'`, an INSERT's columns; and
the SQL parameters bound to such a key), and the JSON form of values that are not JSON.

The key rule comes from the scrubber: `hides(key, value)` says whether a value under a
key is replaced, `is_sensitive(key)` whether a key is sensitive.
"""

import base64
import html
import ipaddress
import itertools
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote, unquote_plus

FILTERED = "[Filtered]"
# The objects whose value takes the rule of their name (a list's last item, if a list),
# as {key of the value: keys of the name}: HAR headers, Kubernetes env, AWS tags,
# pydantic's errors ({"loc": [..., "password"], "input": ...}).
NAMED_VALUES = {"value": ("name", "key"), "Value": ("Name", "Key"), "input": ("loc",)}
SHORT_FRAGMENT = 4  # Fragments this short match whole words only: "pin" in "userPin".
Hides = Callable[[Any, Any], bool]
# A detector's check: whether its match passes, or (start, end) of the part that does.
Check = Callable[[str], bool | tuple[int, int] | None]
IsSensitive = Callable[[Any], bool]

# Where a key gives its value: `key=`, `"key": `, `'key' => `, SQL's `key = ` and
# `key IN (`, XML's `<key>`, `--key value` (the `--` not inside a word); and the value:
# quoted, an HTTP auth scheme with its credentials (to the end of the line for the
# schemes that take parameters), a word, or a list in parentheses (a word or a list
# may hold `%(name)s` placeholders).
KEY_MARK = re.compile(
    r"=>?[ \t]*|[:>][ \t]*|[ \t](?:IN|in)[ \t]*(?=\()"
    r"|(--(?<![\w-]--)[A-Za-z][\w-]*)[ \t]+(?=[^\s-])"
)
# A character of a word value (VALUE): no space, separator, quote or bracket.
WORD = r"[^\s&,;\"'<>{}\[\]()]"
SCHEMES = "[Bb]earer|[Bb]asic|Token|Bot|SSWS|ApiKey|Negotiate|NTLM|DPoP"
VALUE = re.compile(
    r"\"([^\"\n]*)\"|'([^'\n]*)'|((?:Digest|OAuth|AWS4-HMAC-SHA256)[ \t][^\n]*"
    r"|(?:(?:" + SCHEMES + r")[ \t]+)?" + WORD + r"+(?:(?<=%)\(\w+\)" + WORD + "*)*)"
    r"|\(([^()\n]*(?:(?<=%)\(\w+\)[^()\n]*)*)\)"
)
NOT_KEY = re.compile(r"[^\w.-]+")
# Query placeholders (`password = %s`, `token IN (?, ?)`) and booleans hold no secret;
# the parameters bound to them might.
ONE_PLACEHOLDER = r"(?:%s|\?|%\(\w+\)s|:[A-Za-z_]\w*|\$\d+)(?:::\w+)?"
PLACEHOLDER = re.compile(
    rf"{ONE_PLACEHOLDER}|\(\s*{ONE_PLACEHOLDER}(?:\s*,\s*{ONE_PLACEHOLDER})*\s*\)"
    r"|\{\w*\}|None|null|true|false"
)
POSITIONAL = re.compile(r"%s|\?|\$(\d+)")
NAMED = re.compile(r"%\((\w+)\)s|(?<![:\w]):([A-Za-z_]\w*)")
OPERATOR = re.compile(
    r"(?:=|<>|!=|\blike|\bin\s*\((?:\s*(?:%s|\?|\$\d+)\s*,)*)\s*$", re.IGNORECASE
)
# An INSERT's columns and its rows of values (quoted values and `%(name)s` placeholders
# may hold parentheses).
SQL_ROW = re.compile(r"\(((?:'(?:[^']|'')*'|%\(\w+\)s|[^()'])*)\)")
SQL_INSERT = re.compile(
    rf"\bINSERT\s+INTO\s+[\w.\"`]+\s*\(([^()]*)\)\s*VALUES\s*"
    rf"({SQL_ROW.pattern}(?:\s*,\s*{SQL_ROW.pattern})*)",
    re.IGNORECASE,
)
SQL_LITERAL = re.compile(r"\s*('(?:[^']|'')*'|[^,]*)\s*(?:,|$)")
# A database error's parts (an ORM's and PostgreSQL's): the statement and its
# parameters, one row (a tuple) or many (a list of tuples), and a duplicate key.
SQL_ERROR = re.compile(r"\[SQL: ([^\n]*)\]\n\[parameters: ([^\n]*)\]")
PY_TUPLE = re.compile(r"\(((?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^()'\"])*)\)")
PY_ITEM = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s,'\"][^,]*")
SQL_DETAIL = re.compile(r"\bKey \(([^()\n]+)\)=\(([^()\n]*)\)")
# A validation error's field and the input it shows (pydantic: 'password\n  String
# should have at least 12 characters [type=string_too_short, input_value='hunter2'').
VALIDATION_INPUT = re.compile(
    r"^([^\s\[\]]+)\n[ \t]+[^\n]*\[type=[\w.]+, "
    r"input_value=('[^'\n]*'|\"[^\"\n]*\"|[^,\n]*)",
    re.MULTILINE,
)


def key_words(key: str, harmless: Iterable[str] = ()) -> list[str]:
    """A key's lowercase words but the `harmless` ones: 'X-Api-Key' gives ['x', 'api',
    'key']."""
    spaced = re.sub(r"([a-z0-9])([A-Z])|([A-Z])([A-Z][a-z])", r"\1\3_\2\4", key)
    words = re.split(r"[^a-z0-9]+", spaced.lower())
    return [word for word in words if word and word not in harmless]


def fragments_matcher(fragments: Iterable[str]) -> Callable[[list[str]], bool]:
    """Whether a key's words hold a fragment: a long one anywhere in the words run
    together ('dbpassword'), a short one as a whole word."""
    flat = {"".join(key_words(str(fragment))) for fragment in fragments}
    short = frozenset(f for f in flat if len(f) <= SHORT_FRAGMENT)
    long = re.compile("|".join(sorted(flat - short, key=len, reverse=True)) or "(?!)")
    return lambda words: (
        not short.isdisjoint(words) or bool(long.search("".join(words)))
    )


def by_first_character(patterns: Iterable[str]) -> list[str]:
    """`patterns` joined in one alternation per first literal character: one search
    finds all of them (a regular expression that starts with a literal is found fast).
    A pattern that starts with an escape, a class or a group stays on its own."""
    groups: dict[str, list[str]] = {}
    for pattern in patterns:
        literal = pattern[:1] not in ("\\", "[", "(", ".")
        groups.setdefault(pattern[:1] if literal else pattern, []).append(pattern)
    return ["|".join(group) for group in groups.values()]


def luhn_valid(number: str) -> bool:
    """Whether the 13 to 19 digits of `number` pass the Luhn check (card numbers)."""
    digits = [int(c) for c in reversed(number) if c.isdigit()]
    doubled = [d * 2 - 9 if d > 4 else d * 2 for d in digits[1::2]]
    return 13 <= len(digits) <= 19 and (sum(digits[::2]) + sum(doubled)) % 10 == 0


def card_span(number: str) -> tuple[int, int] | None:
    """Where the card number is in `number` (a run of digit groups): all of it if it
    passes the Luhn check, else the longest run of its whole groups that does (13 to 19
    digits, the leftmost of equals): '4111111111111111 404' is a card and a number."""
    if luhn_valid(number):
        return 0, len(number)
    groups = [group.span() for group in re.finditer(r"\d+", number)]
    pairs = itertools.combinations_with_replacement(groups, 2)
    runs = sorted((-digits(number[s:e]), s, e) for (s, _), (_, e) in pairs)
    return next(((s, e) for _, s, e in runs if luhn_valid(number[s:e])), None)


def digits(text: str) -> int:
    return sum(character.isdigit() for character in text)


def checked_span(check: Check | None, found: str | None) -> tuple[int, int] | None:
    """Where in `found` (a detector's match) the value to replace is: all of it if it
    passes `check`, the part `check` names, or None."""
    answer = check(found) if check and found is not None else found is not None
    if answer is True:
        return 0, len(found or "")
    return answer or None


def is_ip_address(text: str) -> bool:
    try:
        return bool(ipaddress.ip_address(text))
    except ValueError:
        return False


def is_credential(text: str) -> bool:
    """'Bearer abc123def' holds a credential; 'Bearer token' is prose."""
    return len(text) >= 20 or (len(text) >= 8 and not text.isalpha())


def is_phone_number(text: str) -> bool:
    return 8 <= digits(text) <= 15


def percent_decoded(text: str) -> str:
    """`text` with %XX escapes (twice encoded too) and '+' (a space) undone."""
    decoded = unquote_plus(text)
    return unquote(decoded) if re.search("%[0-9A-Fa-f]{2}", decoded) else decoded


ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|x([0-9A-Fa-f]{2})|([\"'/]))")
# A base64 JSON object ('{"' is 'eyJ'), not a part of a JWT (those have dots).
BASE64_JSON = re.compile(r"(?<![\w.+/-])eyJ[A-Za-z0-9+/_-]{6,}={0,2}(?![\w.+/=-])")


def unescaped(text: str) -> str:
    """`text` with the backslash escapes of JSON and Python strings undone:
    '\\u0040' and '\\x40' are '@', '\\"' is '"'."""
    return ESCAPE.sub(lambda m: m[3] or chr(int(m[1] or m[2], 16)), text)


def html_decoded(text: str) -> str:
    """`text` with HTML character references undone: '&#64;' and '&commat;' are '@'."""
    return html.unescape(text)


def base64_json_decoded(text: str) -> str:
    """`text` with each base64 JSON object decoded (kept as it is if it is not one)."""

    def decoded(match: re.Match[str]) -> str:
        data = match[0].replace("-", "+").replace("_", "/")
        try:
            return base64.b64decode(data + "=" * (-len(data) % 4)).decode("utf-8")
        except ValueError:
            return match[0]

    return BASE64_JSON.sub(decoded, text)


def is_number(value: Any) -> bool:
    if isinstance(value, str):
        return re.fullmatch(r"-?\d+(?:\.\d+)?", value) is not None
    return isinstance(value, (int, float))


def is_placeholder(value: Any) -> bool:
    """Nothing, or a query placeholder (`%s`, `:name`): no secret in it."""
    if value is None or isinstance(value, bool):
        return True
    return isinstance(value, str) and (
        value in ("", FILTERED) or PLACEHOLDER.fullmatch(value) is not None
    )


def is_foreign(value: Any) -> bool:
    """Not a JSON value, or an integer long enough to be a card number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return 10**12 <= abs(value) < 10**19
    return value is not None and not isinstance(value, (bool, float))


def json_value(value: Any) -> Any:
    """A foreign value made JSON: bytes and objects as text, tuples and sets as lists,
    an integer as text (filtered if a card number)."""
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    if isinstance(value, int):
        return FILTERED if luhn_valid(str(value)) else str(value)
    return repr(value)


def is_id(value: Any) -> bool:
    return isinstance(value, (str, int)) and not isinstance(value, bool)


def is_pair(node: list[Any]) -> bool:
    """A [name, value] pair, as headers and query strings may be sent."""
    return len(node) == 2 and isinstance(node[0], str) and " " not in node[0]


def named_value(node: dict[Any, Any]) -> tuple[Any, Any]:
    """(value's key, name) of an object of NAMED_VALUES; (None, None) for others."""
    for value_key, name_keys in NAMED_VALUES.items() if len(node) <= 6 else ():
        if value_key in node:
            name = next((node[key] for key in name_keys if key in node), None)
            name = name[-1] if isinstance(name, list) and name else name
            return (value_key, name) if isinstance(name, str) else (None, None)
    return None, None


def key_before(text: str, position: int) -> str:
    """The key-like word ending before `position`: 'password' in '{"password": '."""
    words = text[max(0, position - 64) : position].rstrip(" \t\"'").rsplit(None, 1)
    return NOT_KEY.split(words[-1])[-1] if words else ""


def names_a_key(is_sensitive: IsSensitive, text: str, position: int) -> bool:
    """Whether the `=`, `:` or `--` at `position` of `text` follows or starts a
    sensitive key (the keyed values' hints count only then)."""
    if text.startswith("--", position):
        return is_sensitive(text[position : position + 64].split()[0])
    return is_sensitive(key_before(text, position))


def scrub_keyed_values(hides: Hides, text: str) -> str:
    """Replace the value each sensitive key gives in `text`; keep the rest."""
    parts, done = [], 0
    for mark in KEY_MARK.finditer(text):
        key = mark[1] or key_before(text, mark.start())
        value = VALUE.match(text, mark.end())
        if mark.start() >= done and value and hides(key, value[0]):
            parts += [text[done : value.start(value.lastindex or 0)], FILTERED]
            done = value.end(value.lastindex or 0)
    return "".join([*parts, text[done:]])


def scrub_sql_insert(hides: Hides, text: str) -> str:
    """Replace the values an INSERT puts in sensitive columns, in each of its rows."""

    def values(match: re.Match[str]) -> str:
        columns = [column.strip(' "`') for column in match[1].split(",")]

        def row(values: re.Match[str]) -> str:
            literals = SQL_LITERAL.findall(values[1])[: len(columns)]
            kept = [
                ("'[Filtered]'" if value.startswith("'") else FILTERED)
                if hides(column, value.strip("'"))
                else value
                for column, value in zip(columns, literals, strict=False)
            ]
            return "(" + ", ".join(kept) + ")"

        return match[0][: match.start(2) - match.start()] + SQL_ROW.sub(row, match[2])

    return SQL_INSERT.sub(values, text)


def scrub_sql_errors(hides: Hides, text: str) -> str:
    """Replace, in a database error, the parameters bound to sensitive columns and the
    value of a duplicate key in a sensitive column."""

    def parameters(match: re.Match[str]) -> str:
        names = parameter_names(match[1], POSITIONAL)

        def row(values: re.Match[str]) -> str:
            items = [item[0] for item in PY_ITEM.finditer(values[1])]
            kept = [
                FILTERED if hides(names.get(index, ""), item.strip("'\"")) else item
                for index, item in enumerate(items)
            ]
            return "(" + ", ".join(kept) + ("," if len(kept) == 1 else "") + ")"

        start = match.start(2) - match.start()
        return match[0][:start] + PY_TUPLE.sub(row, match[2]) + "]"

    def detail(match: re.Match[str]) -> str:
        columns = [column.strip(' "') for column in match[1].split(",")]
        hidden = any(hides(column, match[2]) for column in columns)
        return f"Key ({match[1]})=({FILTERED})" if hidden else match[0]

    return SQL_DETAIL.sub(detail, SQL_ERROR.sub(parameters, text))


def scrub_validation_inputs(hides: Hides, text: str) -> str:
    """Replace the input a validation error shows for a sensitive field ('body.password'
    is the field password)."""

    def input_value(match: re.Match[str]) -> str:
        field = match[1].rsplit(".", 1)[-1]
        if not hides(field, match[2].strip("'\"")):
            return match[0]
        return match[0][: match.start(2) - match.start()] + FILTERED

    return VALIDATION_INPUT.sub(input_value, text)


def filter_sql_parameters(is_sensitive: IsSensitive, statement: Any, data: Any) -> None:
    """In a span's or breadcrumb's `db.params`, filter the parameters bound to a
    sensitive column or word of `statement` (`password = %s`, `token IN (?, ?)`,
    `password = %(pw)s`, INSERT columns)."""
    params = data.get("db.params") if isinstance(data, dict) else None
    rows = parameter_rows(params) if params and isinstance(statement, str) else []
    if not rows:
        return
    placeholders = NAMED if isinstance(rows[0], dict) else POSITIONAL
    names = parameter_names(statement, placeholders).items()
    sensitive = [slot for slot, name in names if is_sensitive(name)]
    for row, slot in itertools.product(rows, sensitive):
        if holds(row, slot):
            row[slot] = FILTERED


def parameter_rows(params: Any) -> list[Any]:
    """The rows of `db.params`: a list or a dict (named parameters) is one row, a list
    of lists or dicts is many."""
    if isinstance(params, dict):
        return [params]
    if not params or not isinstance(params, list):
        return []
    return params if isinstance(params[0], (list, dict)) else [params]


def holds(row: Any, slot: int | str) -> bool:
    """Whether a row of parameters (a list, or a dict of named ones) has `slot`."""
    if isinstance(row, dict):
        return slot in row
    return isinstance(row, list) and isinstance(slot, int) and slot < len(row)


def parameter_names(statement: str, placeholders: re.Pattern[str]) -> dict[Any, str]:
    """{index of a POSITIONAL parameter, or name of a NAMED one (`%(name)s`, `:name`):
    the column or word it is bound to}."""
    insert = SQL_INSERT.search(statement)
    columns = [c.strip(' "`') for c in insert[1].split(",")] if insert else []
    names: dict[Any, str] = {}
    for position, placeholder in enumerate(placeholders.finditer(statement)):
        before = statement[max(0, placeholder.start() - 80) : placeholder.start()]
        operator = OPERATOR.search(before)
        name = key_before(before, operator.start()) if operator else ""
        name = name or (columns[position % len(columns)] if columns else "")
        names[parameter_slot(placeholder, position)] = name
    return names


def parameter_slot(placeholder: re.Match[str], position: int) -> int | str:
    """Where a placeholder's value is in the parameters: its name, or its index."""
    if placeholder.re is NAMED:
        return str(placeholder[1] or placeholder[2])
    return int(placeholder[1] or position + 1) - 1
