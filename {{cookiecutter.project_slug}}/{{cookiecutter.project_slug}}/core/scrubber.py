"""Remove secrets and personal data from Sentry events before they leave the process.

`scrub_event` is the SDK's `before_send` and `before_send_transaction`; it applies the
whole policy on its own. The policy is data, in `scrubbing_policy.json` (which the
browser's scrubber reads too), in four parts:

* key rules: under a sensitive key (`db_password`, `X-Api-Key`) a value becomes
  `[Filtered]`; under a client-address key (`X-Forwarded-For`, `CF-Connecting-IP`,
  `REMOTE_ADDR`) its IP addresses do, unless SENTRY_SEND_DEFAULT_PII is on;
* detectors: one ordered table of values found by pattern in every string, each
  applying in the PII modes it names (SENTRY_PII_MODE);
* `DECODERS` here: encodings undone before the detectors look (percent-encoding);
* `USER_FIELDS` here: what the event's user keeps in each PII mode.

How it runs: one walk applies the key rules and collects the strings not already known
clean. They are joined, and each detector's hints (patterns that start with a literal,
which the regex engine finds at C speed) are searched once over the lot, lowercased and
with every digit written 0; only the strings a hint flags go through that detector.
It never raises: a part of the event that fails to scrub is dropped, not the event.
"""

import ipaddress
import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_plus

FILTERED = "[Filtered]"
POLICY: dict[str, Any] = json.loads(
    Path(__file__).with_name("scrubbing_policy.json").read_text(encoding="utf-8")
)
# Extend it before the first event, or call configure() afterwards.
SENSITIVE_KEYS: list[str] = list(POLICY["keys"]["sensitive"])
STANDARD, STRICT, CLIENT_ADDRESS = "standard", "strict", "client_address"
SENSITIVE, COUNTER, TEXT = "sensitive", "counter", "text"  # Key rules' outcomes.
USER_FIELDS = {STANDARD: ("id", "username", "email"), STRICT: ("id",)}
SHORT_FRAGMENT = 4  # Fragments this short match whole words only: "pin" in "userPin".
REMEMBERED = 8192  # Texts known clean (and scrubbed source lines) kept at most.
SHAPE = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ123456789", "abcdefghijklmnopqrstuvwxyz000000000"
)
IDENTITY = frozenset(POLICY["sdk_fields"])  # Filled by the SDK: ids, times, names.
SOURCE_CONTEXT = frozenset({"pre_context", "context_line", "post_context"})
REQUEST_FIELDS = frozenset(
    {"url", "method", "query_string", "cookies", "headers", "data", "env"}
)
# The SDK's lists of items, and the field that holds the SQL of an item's `db.params`.
ITEMS = {
    "exception": "",
    "threads": "",
    "breadcrumbs": "message",
    "spans": "description",
}


def key_words(key: str) -> list[str]:
    """A key's lowercase words: 'X-Api-Key' gives ['x', 'api', 'key']."""
    spaced = re.sub(r"([a-z0-9])([A-Z])|([A-Z])([A-Z][a-z])", r"\1\3_\2\4", key)
    return [word for word in re.split(r"[^a-z0-9]+", spaced.lower()) if word]


def fragments_matcher(fragments: Iterable[str]) -> Callable[[list[str]], bool]:
    """Whether a key's words hold a fragment: a long one anywhere in the words run
    together ('dbpassword'), a short one as a whole word."""
    flat = {"".join(key_words(str(fragment))) for fragment in fragments}
    short = frozenset(f for f in flat if len(f) <= SHORT_FRAGMENT)
    long = re.compile("|".join(sorted(flat - short, key=len, reverse=True)) or "(?!)")
    return lambda words: (
        not short.isdisjoint(words) or bool(long.search("".join(words)))
    )


# --- values -------------------------------------------------------------------------


def luhn_valid(number: str) -> bool:
    """Whether the 13 to 19 digits of `number` pass the Luhn check (card numbers)."""
    digits = [int(c) for c in reversed(number) if c.isdigit()]
    doubled = [d * 2 - 9 if d > 4 else d * 2 for d in digits[1::2]]
    return 13 <= len(digits) <= 19 and (sum(digits[::2]) + sum(doubled)) % 10 == 0


def is_ip_address(text: str) -> bool:
    try:
        return bool(ipaddress.ip_address(text))
    except ValueError:
        return False


def is_credential(text: str) -> bool:
    """'Bearer abc123def' holds a credential; 'Bearer token' is prose."""
    return len(text) >= 20 or (len(text) >= 8 and not text.isalpha())


def is_phone_number(text: str) -> bool:
    return 8 <= sum(character.isdigit() for character in text) <= 15


# What a detector's match must pass (the policy's `check`).
CHECKS: dict[str, Callable[[str], bool]] = {
    "luhn": luhn_valid,
    "ip_address": is_ip_address,
    "credential": is_credential,
    "phone_number": is_phone_number,
}


def replace(pattern: str, check: str | None = None) -> Callable[[str], str]:
    """Replace each match of `pattern` (its first group, if any) that passes
    `check` with FILTERED."""
    compiled = re.compile(pattern)
    group = 1 if compiled.groups else 0

    def substitute(match: re.Match[str]) -> str:
        if match[group] is None or (check and not CHECKS[check](match[group])):
            return match[0]
        start, end = (
            match.start(group) - match.start(),
            match.end(group) - match.start(),
        )
        return match[0][:start] + FILTERED + match[0][end:]

    return lambda text: compiled.sub(substitute, text)


CREDENTIAL_FORMATS = [
    re.compile(row["pattern"]) for row in POLICY["credential_formats"]
]
# Where a key gives its value: `key=`, `"key": `, SQL's `key = `, `--key value`; and
# the value: quoted, an HTTP auth scheme with its credential, or a word.
KEY_MARK = re.compile(r"[ \t]*[=:][ \t]*|(?<![\w-])(--[A-Za-z][\w-]*)[ \t]+(?=[^\s-])")
VALUE = re.compile(
    r"\"([^\"\n]*)\"|'([^'\n]*)'"
    r"|((?:(?:[Bb]earer|[Bb]asic)[ \t]+)?[^\s&,;\"'<>{}\[\]()]+)"
)
NOT_KEY = re.compile(r"[^\w.-]+")
# Query placeholders (`password = %s`) hold no secret; their parameters might.
PLACEHOLDER = re.compile(r"%s|\?|%\(\w+\)s|:[A-Za-z_]\w*|\$\d+|\{\w*\}|None|null")
POSITIONAL = re.compile(r"%s|\?|\$(\d+)")
OPERATOR = re.compile(r"(?:=|<>|!=|\blike|\bin\s*\()\s*$", re.IGNORECASE)
SQL_INSERT = re.compile(
    r"\bINSERT\s+INTO\s+[\w.\"`]+\s*\(([^()]*)\)\s*VALUES\s*\(([^()]*)\)", re.I
)
SQL_LITERAL = re.compile(r"\s*('(?:[^']|'')*'|[^,]*)\s*(?:,|$)")


def key_before(text: str, position: int) -> str:
    """The key-like word ending before `position`: 'password' in '{"password": '."""
    words = text[max(0, position - 64) : position].rstrip(" \t\"'").rsplit(None, 1)
    return NOT_KEY.split(words[-1])[-1] if words else ""


def near_key(scrubber: "Scrubber", shape: str, position: int) -> bool:
    """Whether a sensitive key gives a value at `position` (a hint's confirmation)."""
    if shape.startswith("--", position):
        return scrubber.is_sensitive_key(shape[position : position + 64].split()[0])
    return scrubber.is_sensitive_key(key_before(shape, position))


def scrub_keyed_values(scrubber: "Scrubber", text: str) -> str:
    """Replace the value each sensitive key gives in `text`; keep the rest."""
    parts, done = [], 0
    for mark in KEY_MARK.finditer(text):
        key = mark[1] or key_before(text, mark.start())
        value = VALUE.match(text, mark.end())
        if mark.start() >= done and value and scrubber.hides(key, value[0]):
            parts += [text[done : value.start(value.lastindex or 0)], FILTERED]
            done = value.end(value.lastindex or 0)
    return "".join([*parts, text[done:]])


def scrub_sql_insert(scrubber: "Scrubber", text: str) -> str:
    """Replace the values an INSERT puts in sensitive columns."""

    def values(match: re.Match[str]) -> str:
        columns = [column.strip(' "`') for column in match[1].split(",")]
        literals = SQL_LITERAL.findall(match[2])[: len(columns)]
        kept = [
            ("'[Filtered]'" if value.startswith("'") else FILTERED)
            if scrubber.hides(column, value.strip("'"))
            else value
            for column, value in zip(columns, literals, strict=False)
        ]
        return match[0][: match.start(2) - match.start()] + ", ".join(kept) + ")"

    return SQL_INSERT.sub(values, text)


def filter_sql_parameters(scrubber: "Scrubber", statement: Any, data: Any) -> None:
    """In a span's or breadcrumb's `db.params`, filter the parameters bound to a
    sensitive column or word of `statement` (`password = %s`, INSERT columns)."""
    params = data.get("db.params") if isinstance(data, dict) else None
    if not params or not isinstance(params, list) or not isinstance(statement, str):
        return
    rows = params if isinstance(params[0], list) else [params]
    for index, name in parameter_names(statement).items():
        for row in rows if scrubber.is_sensitive_key(name) else []:
            row[index : index + 1] = [FILTERED] * (index < len(row))


def parameter_names(statement: str) -> dict[int, str]:
    """{index of a positional parameter: the column or word it is bound to}."""
    insert = SQL_INSERT.search(statement)
    columns = [c.strip(' "`') for c in insert[1].split(",")] if insert else []
    names = {}
    for position, placeholder in enumerate(POSITIONAL.finditer(statement)):
        before = statement[max(0, placeholder.start() - 80) : placeholder.start()]
        operator = OPERATOR.search(before)
        name = key_before(before, operator.start()) if operator else ""
        name = name or "".join(columns[position : position + 1])
        names[int(placeholder[1] or position + 1) - 1] = name
    return names


@dataclass(frozen=True)
class Detector:
    """A row of the policy's detectors: `scrub(scrubber, text)` replaces its values."""

    name: str
    hints: tuple[str, ...]
    scrub: Callable[["Scrubber", str], str]
    modes: frozenset[str]
    confirm: Callable[["Scrubber", str, int], bool] | None = None


def detector(row: dict[str, Any]) -> Detector:
    """The detector of a policy row; a row without a pattern is written as code."""
    if row["pattern"] is not None:
        substitute = replace(row["pattern"], row.get("check"))
        scrub = lambda scrubber, text: substitute(text)  # noqa: E731
    else:
        scrub = {
            "credential_format": lambda _, text: replace_each(CREDENTIAL_FORMATS, text),
            "keyed_value": scrub_keyed_values,
            "sql_insert": scrub_sql_insert,
        }[row["name"]]
    modes = frozenset(row.get("modes", [STANDARD, STRICT]))
    confirm = near_key if row["name"] == "keyed_value" else None
    return Detector(row["name"], tuple(row["hints"]), scrub, modes, confirm)


def replace_each(patterns: list[re.Pattern[str]], text: str) -> str:
    for pattern in patterns:
        text = pattern.sub(FILTERED, text)
    return text


DETECTORS = [detector(row) for row in POLICY["detectors"]]
PERCENT_ESCAPE = re.compile("%[0-9A-Fa-f]{2}")


def percent_decoded(text: str) -> str:
    """`text` with %XX escapes (twice encoded too) and '+' (a space) undone."""
    decoded = unquote_plus(text)
    return unquote(decoded) if PERCENT_ESCAPE.search(decoded) else decoded


# (name, hint, decode): a string its hint flags goes through every detector decoded.
DECODERS = [("percent_encoding", "%[0a-f][0a-f]", percent_decoded)]


# --- the event ----------------------------------------------------------------------


@dataclass
class Strings:
    """An event's strings to search, as (container, key); `client`: every string that
    may hold the client's address; `source`: new lines of source code, as they were."""

    refs: list[tuple[Any, Any]] = field(default_factory=list)
    client: list[tuple[Any, Any]] = field(default_factory=list)
    source: list[tuple[Any, Any, str]] = field(default_factory=list)


Hint = tuple[re.Pattern[str], list[tuple[str, Any]]]


def detectors_for(pii_mode: str, hide_client_address: bool) -> list[Detector]:
    """The detectors of a PII mode, in table order."""
    modes = {pii_mode, CLIENT_ADDRESS if hide_client_address else ""}
    return [detector for detector in DETECTORS if detector.modes & modes]


def hint_patterns(detectors: list[Detector]) -> list[Hint]:
    """Each hint, compiled once, with the (detector or decoder, confirm) it serves."""
    hints: dict[str, list[tuple[str, Any]]] = {h: [(n, None)] for n, h, _ in DECODERS}
    for detector in detectors:
        for hint in detector.hints:
            hints.setdefault(hint, []).append((detector.name, detector.confirm))
    return [(re.compile(hint), found) for hint, found in hints.items()]


class Scrubber:
    """The policy for one PII mode. `scrub_event(event)` scrubs in place and returns
    None, as the SDK's EventScrubber does (an instance can be its `event_scrubber`)."""

    def __init__(
        self,
        pii_mode: str = STANDARD,
        extra_keys: Iterable[str] = (),
        send_default_pii: bool = False,
    ) -> None:
        # An unknown mode is a configuration mistake: fail towards privacy.
        self.pii_mode = next((m for m in USER_FIELDS if m == pii_mode), STRICT)
        self.strict = self.pii_mode == STRICT
        self.hide_client_address = self.strict or not send_default_pii
        self.extra_keys = tuple(filter(None, (str(k).strip() for k in extra_keys)))
        keys = POLICY["keys"]
        self._sensitive = fragments_matcher([*SENSITIVE_KEYS, *self.extra_keys])
        self._client = fragments_matcher(keys["client_address"])
        self._kept = frozenset(map("_".join, map(key_words, keys["not_sensitive"])))
        self._counters = frozenset(keys["counters"])
        self._rules: dict[Any, str] = {}
        self._clean: dict[str, None] = {}  # Texts known to hold nothing to scrub.
        self._lines: dict[str, str] = {}  # Source lines (static code), scrubbed.
        self.detectors = detectors_for(self.pii_mode, self.hide_client_address)
        self._names = frozenset(d.name for d in self.detectors)
        self._hints = hint_patterns(self.detectors)
        self.user_fields = USER_FIELDS[self.pii_mode]
        self.user_fields += () if self.hide_client_address else ("ip_address",)

    def key_rule(self, key: Any) -> str:
        """SENSITIVE, COUNTER, CLIENT_ADDRESS or TEXT (searched like any string)."""
        if key not in self._rules:
            if len(self._rules) > REMEMBERED:
                self._rules.clear()
            words = key_words(key) if isinstance(key, str) else []
            if not words or "_".join(words) in self._kept:
                self._rules[key] = TEXT
            elif self._sensitive(words):
                self._rules[key] = COUNTER if words[-1] in self._counters else SENSITIVE
            else:
                self._rules[key] = CLIENT_ADDRESS if self._client(words) else TEXT
        return self._rules[key]

    def is_sensitive_key(self, key: Any) -> bool:
        return self.key_rule(key) in (SENSITIVE, COUNTER)

    def hides(self, key: Any, value: Any) -> bool:
        """Whether `value`, found under `key`, is replaced."""
        return replaces(self.key_rule(key), value)

    # --- strings --------------------------------------------------------------------

    def scrub_text(self, text: str) -> str:
        """`text` with every secret and personal value the PII mode names replaced."""
        holder = [text]
        if isinstance(text, str) and text not in self._clean:
            self._scrub_strings(Strings([(holder, 0)]))
        return holder[0]

    def _scrub_strings(self, strings: Strings) -> None:
        texts = [container[key] for container, key in strings.refs]
        try:
            flagged = self._flag(texts)
        except Exception:  # Without the hints every string goes through everything.
            everything = {*self._names, DECODERS[0][0]}
            flagged = {index: everything for index in range(len(texts))}
        if len(self._clean) > REMEMBERED:
            self._clean.clear()
        for index, text in enumerate(texts):
            scrubbed = (
                self._scrub_flagged(text, flagged[index]) if index in flagged else text
            )
            if scrubbed == text:
                self._clean[text] = None
            container, key = strings.refs[index]
            container[key] = scrubbed
        for container, key in strings.client if self.hide_client_address else []:
            container[key] = DETECTORS_BY_NAME["ip_address"].scrub(self, container[key])

    def _flag(self, texts: list[str]) -> dict[int, set[str]]:
        """{index of a string: the detectors and decoders its hints name}."""
        shape = "\n".join(texts).translate(SHAPE)
        ends = list(accumulate(len(text) + 1 for text in texts))
        flagged: dict[int, set[str]] = {}
        for pattern, found in self._hints:
            for match in pattern.finditer(shape):
                for name, confirm in found:
                    if confirm is None or confirm(self, shape, match.start()):
                        index = bisect_right(ends, match.start())
                        flagged.setdefault(index, set()).add(name)
        return flagged

    def _scrub_flagged(self, text: str, names: set[str]) -> str:
        try:
            for name, _, decode in DECODERS:
                decoded = decode(text) if name in names else text
                scrubbed = (
                    self._detect(decoded, self._names) if decoded != text else text
                )
                if scrubbed != decoded:
                    return scrubbed
            return self._detect(text, names)
        except Exception:
            return FILTERED  # A string that cannot be checked is not sent.

    def _detect(self, text: str, names: Iterable[str]) -> str:
        for detector in self.detectors:
            if detector.name in names:
                text = detector.scrub(self, text)
        return text

    def _source_line(self, lines: Any, key: Any, strings: Strings) -> None:
        """A line of source code is static: scrubbed once, whatever it holds."""
        line = lines[key]
        if line in self._lines:
            lines[key] = self._lines[line]
        elif isinstance(line, str):
            strings.refs.append((lines, key))
            strings.source.append((lines, key, line))

    # --- the event ------------------------------------------------------------------

    def scrub_event(self, event: Any) -> None:
        """Scrub `event` in place; a part that fails to scrub is dropped."""
        strings = Strings()
        for name in list(event) if isinstance(event, dict) else []:
            marks = len(strings.refs), len(strings.client), len(strings.source)
            try:
                self._scrub_part(event, name, strings)
            except Exception:
                event.pop(name, None)
                del strings.refs[marks[0] :], strings.client[marks[1] :]
                del strings.source[marks[2] :]
        self._scrub_strings(strings)
        if len(self._lines) > REMEMBERED:
            self._lines.clear()
        for lines, key, line in strings.source:
            self._lines[line] = lines[key]

    def _scrub_part(self, event: dict[str, Any], name: str, strings: Strings) -> None:
        if name in ITEMS:
            self._scrub_items(event[name], ITEMS[name], strings)
        elif name == "request":
            for key in list(event[name]):  # Its fields are judged by what they hold.
                rule = TEXT if key in REQUEST_FIELDS else self.key_rule(key)
                self._visit(event[name], key, rule, strings, False)
        elif name == "user":
            self._scrub_user(event)
        elif name not in IDENTITY:
            self._visit(event, name, self.key_rule(name), strings, False)

    def _scrub_items(self, items: Any, statement: str, strings: Strings) -> None:
        """Exceptions, threads, frames, breadcrumbs, spans; `statement`: the field
        that may hold the SQL of an item's `db.params`."""
        values = items.get("values") if isinstance(items, dict) else items
        for item in values if isinstance(values, list) else []:
            if isinstance(item, dict):
                filter_sql_parameters(self, item.get(statement), item.get("data"))
                if self.strict:
                    item.pop("vars", None)
                for key in item.keys() - IDENTITY:
                    self._scrub_item_field(item, key, strings)

    def _scrub_item_field(
        self, item: dict[str, Any], key: str, strings: Strings
    ) -> None:
        value = item[key]
        if key == "stacktrace" and isinstance(value, dict):
            self._scrub_items(value.get("frames"), "", strings)
        elif key in SOURCE_CONTEXT and isinstance(value, list):
            for index in range(len(value)):
                self._source_line(value, index, strings)
        elif key in SOURCE_CONTEXT:
            self._source_line(item, key, strings)
        else:
            self._visit(item, key, self.key_rule(key), strings, False)

    def _scrub_user(self, event: dict[str, Any]) -> None:
        user = event["user"] if isinstance(event["user"], dict) else {}
        kept = {
            name: user[name]
            for name in self.user_fields
            if is_identifier(user.get(name))
        }
        if self.strict and isinstance(kept.get("id"), str):
            kept["id"] = self.scrub_text(kept["id"])
        event["user"] = kept
        if not kept:
            del event["user"]

    def _walk(self, node: Any, strings: Strings, client: bool) -> None:
        """Apply the key rules to a dict or list and what it holds; collect strings."""
        if not isinstance(node, dict):
            self._walk_list(node, strings, client)
            return
        for key, value in node.items():
            rule = self._rules.get(key) or self.key_rule(key)
            if rule is TEXT and isinstance(value, str) and not client:
                if value not in self._clean:  # The usual case, inline.
                    strings.refs.append((node, key))
            else:
                self._visit(node, key, rule, strings, client)

    def _walk_list(self, node: list[Any], strings: Strings, client: bool) -> None:
        """A [name, value] pair takes the rule of its name; in an argument list,
        `--password VALUE` hides VALUE."""
        if is_pair(node):
            self._visit(node, 0, TEXT, strings, client)
            self._visit(node, 1, self.key_rule(node[0]), strings, client)
            return
        for index in range(len(node)):
            option = node[index - 1] if index else None
            is_option = isinstance(option, str) and option.startswith("--")
            rule = self.key_rule(option) if is_option else TEXT
            self._visit(node, index, rule, strings, client)

    def _collect(self, node: Any, key: Any, strings: Strings, client: bool) -> None:
        if client:
            strings.client.append((node, key))
        if client or node[key] not in self._clean:
            strings.refs.append((node, key))

    def _visit(
        self, node: Any, key: Any, rule: str, strings: Strings, client: bool
    ) -> None:
        """Apply `rule` to `node[key]`."""
        value, client = node[key], client or rule is CLIENT_ADDRESS
        if rule is SENSITIVE or rule is COUNTER:
            node[key] = FILTERED if replaces(rule, value) else value
        elif isinstance(value, (dict, list)):
            self._walk(value, strings, client)
        elif isinstance(value, str):
            self._collect(node, key, strings, client)
        elif is_foreign(value):
            node[key] = json_value(value)
            self._visit(node, key, rule, strings, client)


def replaces(rule: str, value: Any) -> bool:
    """Whether a key rule replaces `value`: never nothing, placeholders, or a number
    under a counter ('input_tokens')."""
    if rule not in (SENSITIVE, COUNTER) or value is None or isinstance(value, bool):
        return False
    if isinstance(value, str) and (
        value in ("", FILTERED) or PLACEHOLDER.fullmatch(value)
    ):
        return False
    return rule == SENSITIVE or not is_number(value)


def is_number(value: Any) -> bool:
    if isinstance(value, str):
        return re.fullmatch(r"-?\d+(?:\.\d+)?", value) is not None
    return isinstance(value, (int, float))


def is_identifier(value: Any) -> bool:
    return isinstance(value, (str, int)) and not isinstance(value, bool)


def is_pair(node: list[Any]) -> bool:
    """A [name, value] pair, as headers and query strings may be sent."""
    return len(node) == 2 and isinstance(node[0], str) and " " not in node[0]


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


DETECTORS_BY_NAME = {detector.name: detector for detector in DETECTORS}

# --- the module's policy ------------------------------------------------------------

_configured: list[Scrubber] = []


def configure(
    pii_mode: str = STANDARD,
    extra_keys: Iterable[str] = (),
    send_default_pii: bool = False,
) -> Scrubber:
    """Set the policy of `scrub_event` and `scrub_text` (SENTRY_PII_MODE,
    SENTRY_EXTRA_SENSITIVE_KEYS, SENTRY_SEND_DEFAULT_PII); call it again after
    changing SENSITIVE_KEYS. `init_sentry` calls it with the settings."""
    _configured[:] = [Scrubber(pii_mode, extra_keys, send_default_pii)]
    return _configured[0]


def reset() -> None:
    """Forget the configured policy: the next call reads the settings again."""
    _configured.clear()


def _policy() -> Scrubber:
    """The configured policy; the settings' the first time."""
    if _configured:
        return _configured[0]
    try:
        from .settings import get_settings

        settings = get_settings()
        keys, pii = settings.extra_sensitive_keys, settings.sentry_send_default_pii
        return configure(settings.pii_mode, keys, pii)
    except Exception:  # Unreadable settings must not open the gates.
        return configure(STRICT)


def scrub_event(event: Any, hint: Any = None) -> Any:
    """The SDK's `before_send`: scrub `event` in place and return it; None (the event
    is not sent) if scrubbing failed as a whole."""
    try:
        _policy().scrub_event(event)
    except Exception:
        return None
    return event


filter_sensitive_data = scrub_event


def scrub_text(text: str) -> str:
    """`text` with e-mails, card numbers, tokens, keys... replaced."""
    try:
        return _policy().scrub_text(text)
    except Exception:
        return FILTERED
