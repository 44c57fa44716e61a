"""Remove secrets and personal data from Sentry events before they leave the process.

`scrub_event` is the SDK's `before_send` and `before_send_transaction`: it applies the
whole policy on its own. The policy is data, in four parts each edited in one place:

* key rules, in `scrubbing_policy.json` (shared with the browser's scrubber): under a
  sensitive key (`db_password`, `X-Api-Key`) a value becomes `[Filtered]`; under a
  client-address key (`X-Forwarded-For`, `CF-Connecting-IP`, `REMOTE_ADDR`) its IP
  addresses do, unless SENTRY_SEND_DEFAULT_PII is on;
* `DETECTORS`: one ordered table of values found by pattern in every string;
* `DECODERS`: encodings undone before the detectors look (percent-encoding);
* `USER_FIELDS`: what the event's user keeps in each PII mode (SENTRY_PII_MODE).

How it runs: one walk applies the key rules and collects the strings. Those not seen
clean before are joined, and each detector's hints are searched once over all of them;
only the strings a hint flags go through that detector. Hints start with a literal
string, which the regex engine finds at C speed, and are searched in a lowercase copy
of the text with every digit written 0 (so that "0000" finds four digits in a row).

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

__all__ = ["FILTERED", "POLICY", "SENSITIVE_KEYS", "Scrubber", "configure"]
__all__ += ["filter_sensitive_data", "scrub_event", "scrub_text"]

FILTERED = "[Filtered]"
POLICY: dict[str, Any] = json.loads(
    Path(__file__).with_name("scrubbing_policy.json").read_text(encoding="utf-8")
)
# Extend it before the first event, or call configure() afterwards.
SENSITIVE_KEYS: list[str] = list(POLICY["keys"]["sensitive"])
STANDARD, STRICT = "standard", "strict"
BOTH = frozenset({STANDARD, STRICT})
USER_FIELDS = {STANDARD: ("id", "username", "email"), STRICT: ("id",)}
# What the key rules make of a value (TEXT: searched like any other string).
SENSITIVE, COUNTER, CLIENT_ADDRESS, TEXT = "sensitive", "counter", "client_address", "text"
SHORT_FRAGMENT = 4  # Fragments this short match whole words only: "pin" in "userPin".
REMEMBERED = 8192  # Results kept: texts found clean, and source lines (static code).
SHAPE = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ123456789", "abcdefghijklmnopqrstuvwxyz" + "0" * 9)


def key_words(key: str) -> list[str]:
    """A key's lowercase words: 'X-Api-Key' gives ['x', 'api', 'key']."""
    spaced = re.sub(r"([a-z0-9])([A-Z])|([A-Z])([A-Z][a-z])", r"\1\3_\2\4", key)
    return [word for word in re.split(r"[^a-z0-9]+", spaced.lower()) if word]


class KeyFragments:
    """Key fragments: long ones match anywhere in a key's words run together
    ('dbpassword'), short ones only as a whole word."""

    def __init__(self, fragments: Iterable[str]) -> None:
        flat = {"".join(key_words(str(fragment))) for fragment in fragments}
        long = sorted((f for f in flat if len(f) > SHORT_FRAGMENT), key=len, reverse=True)
        self.words = frozenset(f for f in flat if 0 < len(f) <= SHORT_FRAGMENT)
        self.pattern = re.compile("|".join(long) or "(?!)")

    def match(self, words: list[str]) -> bool:
        return not self.words.isdisjoint(words) or bool(self.pattern.search("".join(words)))


# --- values -------------------------------------------------------------------------

Scrub = Callable[["Scrubber", str], str]


@dataclass(frozen=True)
class Detector:
    """One kind of value, found wherever it is. Each of `hints` starts with a literal
    and, searched in the shape of all strings, finds where the value may be; `scrub`
    replaces it in one string. `modes`: the PII modes it applies in."""

    name: str
    hints: tuple[str, ...]
    scrub: Scrub
    modes: frozenset[str] = BOTH
    # Confirms a hint found at a position of the shape (the key before `=`).
    confirm: Callable[["Scrubber", str, int], bool] | None = None


def replace(pattern: str, check: Callable[[str], bool] | None = None) -> Scrub:
    """Replace each match of `pattern` (only its `secret` group, if it has one)
    that `check` accepts, with FILTERED."""
    compiled = re.compile(pattern, re.DOTALL)
    group = "secret" if "secret" in compiled.groupindex else 0

    def substitute(match: re.Match[str]) -> str:
        if match[group] is None or (check is not None and not check(match[group])):
            return match[0]
        start, end = match.start(group) - match.start(), match.end(group) - match.start()
        return match[0][:start] + FILTERED + match[0][end:]

    return lambda scrubber, text: compiled.sub(substitute, text)


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
    return len(text) >= 8 and not text.isalpha() or len(text) >= 20


def is_phone_number(text: str) -> bool:
    return 8 <= sum(c.isdigit() for c in text) <= 15


# Where a key gives its value: `key=`, `"key": `, SQL's `key = `, `--key value`.
KEY_MARK = re.compile(
    r"[ \t]*[=:][ \t]*|(?<![\w-])(?P<option>--[A-Za-z][\w-]*)[ \t]+(?=[^\s-])"
)
NOT_KEY = re.compile(r"[^\w.-]+")
# The value after a key: quoted, an HTTP auth scheme and its credential, or a word.
VALUE = re.compile(
    r"\"(?P<dq>[^\"\n]*)\"|'(?P<sq>[^'\n]*)'"
    r"|(?P<word>(?:(?:[Bb]earer|[Bb]asic)[ \t]+)?[^\s&,;\"'<>{}\[\]()]+)"
)
# Query placeholders (`password = %s`) hold no secret; their parameters might.
PLACEHOLDER = re.compile(r"%s|\?|%\(\w+\)s|:[A-Za-z_]\w*|\$\d+|\{\w*\}|None|null")
POSITIONAL = re.compile(r"%s|\?|\$(?P<number>\d+)")
BOUND_TO = re.compile(r"(?P<name>[\w.]+)[\"'`\]]?\s*(?:=|<>|!=|like|in\s*\()\s*$", re.I)
SQL_INSERT = re.compile(
    r"\bINSERT\s+INTO\s+[\w.\"`]+\s*\((?P<columns>[^()]*)\)\s*VALUES\s*\((?P<values>[^()]*)\)",
    re.IGNORECASE,
)
SQL_LITERAL = re.compile(r"\s*('(?:[^']|'')*'|[^,]*)\s*(?:,|$)")


def key_before(text: str, position: int) -> str:
    """The key-like word ending before `position`: 'password' in '{"password": '."""
    return NOT_KEY.split(text[max(0, position - 64) : position].rstrip(" \t\"'"))[-1]


def near_key(scrubber: "Scrubber", shape: str, position: int) -> bool:
    """Whether a sensitive key gives a value at `position` (a hint's confirmation)."""
    mark = KEY_MARK.match(shape, position)
    key = mark["option"] if mark and mark["option"] else key_before(shape, position)
    return scrubber.is_sensitive_key(key)


def scrub_keyed_values(scrubber: "Scrubber", text: str) -> str:
    """Replace the value a sensitive key gives in `text`; keep the rest."""
    parts, done = [], 0
    for mark in KEY_MARK.finditer(text):
        key = mark["option"] or key_before(text, mark.start())
        value = VALUE.match(text, mark.end())
        if mark.start() >= done and value and scrubber.hides(key, value[0]):
            parts += [text[done : value.start(value.lastgroup)], FILTERED]
            done = value.end(value.lastgroup)
    return "".join([*parts, text[done:]])


def scrub_sql_insert(scrubber: "Scrubber", text: str) -> str:
    """Replace the values an INSERT puts in sensitive columns."""

    def values(match: re.Match[str]) -> str:
        columns = [column.strip(" \"`") for column in match["columns"].split(",")]
        literals = SQL_LITERAL.findall(match["values"])[: len(columns)]
        kept = [
            ("'[Filtered]'" if value.startswith("'") else FILTERED)
            if scrubber.hides(column, value.strip("'"))
            else value
            for column, value in zip(columns, literals, strict=False)
        ]
        return match[0][: match.start("values") - match.start()] + ", ".join(kept) + ")"

    return SQL_INSERT.sub(values, text)


def filter_sql_parameters(scrubber: "Scrubber", statement: Any, data: Any) -> None:
    """In a span's or breadcrumb's `db.params`, filter the parameters bound to a
    sensitive column or word of `statement` (`password = %s`, INSERT columns)."""
    params = data.get("db.params") if isinstance(data, dict) else None
    if not params or not isinstance(params, list) or not isinstance(statement, str):
        return
    insert = SQL_INSERT.search(statement)
    columns = insert["columns"].split(",") if insert else []
    rows = params if isinstance(params[0], list) else [params]
    for position, placeholder in enumerate(POSITIONAL.finditer(statement)):
        bound = BOUND_TO.search(statement, 0, placeholder.start())
        name = bound["name"] if bound else "".join(columns[position : position + 1])
        index = int(placeholder["number"] or position + 1) - 1
        for row in rows if scrubber.is_sensitive_key(name.strip(" \"`")) else []:
            if index < len(row):
                row[index] = FILTERED


IP = (
    r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.]*\d)"
    r"|(?<![\w:.])(?=[0-9A-Fa-f:]*::?[0-9A-Fa-f]*:)[0-9A-Fa-f:]{2,39}(?![\w:])"
)
# In table order: a row's hints must find every string its scrub can change.
DETECTORS = [
    Detector(
        "private_key",
        ("-----begin",),
        replace(r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END[A-Z0-9 ]*PRIVATE KEY-----|\Z)"),
    ),
    Detector("jwt", ("eyj",), replace(r"\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*")),
    Detector(
        "credential_format",
        ("_[a-z0_-]{16}", "-[a-z0_-]{16}", r"\.[a-z0_-]{16}", ":aa", "hooks", "-us0")
        + ("akia", "asia", "aiza", "sk[0a-f]{32}"),
        replace("|".join(f"(?:{row['pattern']})" for row in POLICY["credential_formats"])),
    ),
    Detector("url_credentials", ("@",), replace(r"://(?P<secret>[^\s/?#@'\"<>]+)@")),
    Detector("keyed_value", ("=", ":", "--"), scrub_keyed_values, confirm=near_key),
    Detector(
        "authorization_scheme",
        (r"b(?:earer|asic)[ \t]",),
        replace(r"\b(?i:bearer|basic)[ \t]+(?P<secret>[\w.~+/-]+=*)", is_credential),
    ),
    Detector("sql_insert", ("values",), scrub_sql_insert),
    Detector(
        "email",
        ("@",),
        replace(r"(?<![\w.%+-])[\w.%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,24}(?![\w-])"),
    ),
    Detector(
        "card_number",
        ("0000(?:[ +-]?0000[ +-]?0000|[ +-]?000000)",),
        replace(r"(?<![\w.-])\d(?:[ +-]?\d){12,18}(?![\w-])", luhn_valid),
    ),
    Detector("ssn", ("000-00-",), replace(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])")),
    Detector(
        "phone_number",
        (r"\+0", r"\(000\)", "000-000-", r"000\.000\.", "000 000 "),
        replace(
            r"(?<![\w+])(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}"
            r"|(?:\(\d{3}\)[ ]?|\d{3}[ .-])\d{3}[ .-]\d{4})(?![\w.-]?\d)",
            is_phone_number,
        ),
        frozenset({STRICT}),
    ),
    Detector("ip_address", (r"0\.0", ":"), replace(f"(?P<secret>{IP})", is_ip_address), frozenset({STRICT})),
]
# The client's address at the head of an access-log line (uvicorn, gunicorn, nginx),
# filtered unless SENTRY_SEND_DEFAULT_PII is on.
ACCESS_LOG_CLIENT = Detector(
    "access_log_client",
    (" - ",),
    replace(rf"^\[?(?P<secret>{IP})\]?(?=(?::\d+)? - )", is_ip_address),
)
PERCENT_ESCAPE = re.compile("%[0-9A-Fa-f]{2}")


def percent_decoded(text: str) -> str:
    """`text` with %XX escapes and '+' (a space in a query) undone; twice encoded too."""
    decoded = unquote_plus(text)
    return unquote(decoded) if PERCENT_ESCAPE.search(decoded) else decoded


# (name, hint, decode): a string its hint flags goes through every detector decoded.
DECODERS: list[tuple[str, str, Callable[[str], str]]] = [
    ("percent_encoding", "%[0a-f][0a-f]", percent_decoded),
]




# --- the event ----------------------------------------------------------------------

# Fields the SDK fills with ids, times, names and paths (events, items and frames).
IDENTITY = frozenset(
    "event_id timestamp start_timestamp level platform release dist environment type"
    " sdk modules debug_meta measurements server_name logger transaction_info _meta"
    " module mechanism thread_id id crashed current main category trace_id span_id"
    " parent_span_id same_process_as_parent op origin status exclusive_time hash"
    " filename abs_path function lineno colno in_app package instruction_addr".split()
)
SOURCE_CONTEXT = frozenset({"pre_context", "context_line", "post_context"})
REQUEST_FIELDS = frozenset({"url", "method", "query_string", "cookies", "headers", "data", "env"})
# The SDK's lists of items, and the field holding the SQL of an item's `db.params`.
ITEMS = {"exception": "", "threads": "", "breadcrumbs": "message", "spans": "description"}


@dataclass
class Strings:
    """An event's strings as (container, key); `client`: those that may hold the
    client's address."""

    refs: list[tuple[Any, Any]] = field(default_factory=list)
    client: list[tuple[Any, Any]] = field(default_factory=list)


def is_number(value: Any) -> bool:
    if isinstance(value, str):
        return re.fullmatch(r"-?\d+(?:\.\d+)?", value) is not None
    return isinstance(value, (int, float))


def is_pair(node: list[Any]) -> bool:
    """A [name, value] pair, as headers and query strings may be sent."""
    return len(node) == 2 and isinstance(node[0], str) and " " not in node[0]


class Scrubber:
    """The policy for one PII mode. `scrub_event(event)` scrubs in place and returns
    None, as the SDK's EventScrubber does (an instance can be its `event_scrubber`)."""

    def __init__(
        self,
        pii_mode: str = STANDARD,
        extra_keys: Iterable[str] = (),
        send_default_pii: bool = False,
    ) -> None:
        mode = str(pii_mode or STANDARD).strip().lower()
        # An unknown mode is a configuration mistake: fail towards privacy.
        self.pii_mode = mode if mode in USER_FIELDS else STRICT
        self.strict = self.pii_mode == STRICT
        self.hide_client_address = self.strict or not send_default_pii
        self.extra_keys = tuple(k.strip() for k in map(str, extra_keys) if k.strip())
        keys = POLICY["keys"]
        self._sensitive = KeyFragments([*SENSITIVE_KEYS, *self.extra_keys])
        self._client = KeyFragments(keys["client_address"])
        self._kept = frozenset("_".join(key_words(k)) for k in keys["not_sensitive"])
        self._counters = frozenset(keys["counters"])
        self._rules: dict[Any, str] = {}
        self._remembered: dict[str, str] = {}
        self.detectors = [d for d in DETECTORS if self.pii_mode in d.modes]
        self.detectors += [ACCESS_LOG_CLIENT] if self.hide_client_address else []
        self._names = frozenset(detector.name for detector in self.detectors)
        self.user_fields = USER_FIELDS[self.pii_mode]
        if not self.hide_client_address:
            self.user_fields += ("ip_address",)
        self._hints: dict[str, list[tuple[str, Any]]] = {}
        for name, hint, _ in DECODERS:
            self._hints.setdefault(hint, []).append((name, None))
        for detector in self.detectors:
            for hint in detector.hints:
                self._hints.setdefault(hint, []).append((detector.name, detector.confirm))
        self._hint_patterns = [(re.compile(hint), found) for hint, found in self._hints.items()]

    # --- keys -----------------------------------------------------------------------

    def key_rule(self, key: Any) -> str:
        """SENSITIVE, COUNTER, CLIENT_ADDRESS or TEXT (searched like any string)."""
        rule = self._rules.get(key)
        if rule is None:
            if len(self._rules) > REMEMBERED:
                self._rules.clear()
            rule = self._rules[key] = self._classify(key)
        return rule

    def _classify(self, key: Any) -> str:
        words = key_words(key) if isinstance(key, str) else []
        if not words or "_".join(words) in self._kept:
            return TEXT
        if self._sensitive.match(words):
            return COUNTER if words[-1] in self._counters else SENSITIVE
        return CLIENT_ADDRESS if self._client.match(words) else TEXT

    def is_sensitive_key(self, key: Any) -> bool:
        return self.key_rule(key) in (SENSITIVE, COUNTER)

    def hides(self, key: Any, value: Any) -> bool:
        """Whether `value`, found under `key`, is replaced."""
        return self._replaces(self.key_rule(key), value)

    @staticmethod
    def _replaces(rule: str, value: Any) -> bool:
        if rule not in (SENSITIVE, COUNTER) or value is None or isinstance(value, bool):
            return False
        if isinstance(value, str) and (
            value in ("", FILTERED) or PLACEHOLDER.fullmatch(value)
        ):
            return False
        return rule == SENSITIVE or not is_number(value)

    # --- strings --------------------------------------------------------------------

    def scrub_text(self, text: str) -> str:
        """`text` with every secret and personal value the PII mode names replaced."""
        holder = [text]
        if isinstance(text, str):
            self._scrub_strings(Strings([(holder, 0)]))
        return holder[0]

    def _scrub_strings(self, strings: Strings) -> None:
        """Scrub the strings the walk collected (those not remembered)."""
        texts = [container[key] for container, key in strings.refs]
        try:
            flagged = self._flag(texts)
        except Exception:  # Without the hints every string goes through everything.
            flagged = dict.fromkeys(range(len(texts)), self._names | {"percent_encoding"})
        for index, text in enumerate(texts):
            scrubbed = self._scrub_flagged(text, flagged[index]) if index in flagged else text
            if scrubbed == text:
                self._remembered[text] = text
            container, key = strings.refs[index]
            container[key] = scrubbed
        for container, key in strings.client if self.hide_client_address else []:
            container[key] = self._detect(container[key], {"ip_address"}, everywhere=True)

    def _remember(self, line: Any) -> Any:
        """A source line, scrubbed once: static code, whatever it holds."""
        if line not in self._remembered:
            if len(self._remembered) > REMEMBERED:
                self._remembered.clear()
            self._remembered[line] = self.scrub_text(line)
        return self._remembered[line]

    def _flag(self, texts: list[str]) -> dict[int, set[str]]:
        """{index of a string: the detectors and decoders its hints name}."""
        shape = "\n".join(texts).translate(SHAPE)
        ends = list(accumulate(len(text) + 1 for text in texts))
        flagged: dict[int, set[str]] = {}
        for pattern, found in self._hint_patterns:
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
                scrubbed = self._detect(decoded, self._names) if decoded != text else text
                if scrubbed != decoded:
                    return scrubbed
            return self._detect(text, names)
        except Exception:
            return FILTERED  # A string that cannot be checked is not sent.

    def _detect(self, text: str, names: Iterable[str], everywhere: bool = False) -> str:
        """Run the named detectors, in table order (`everywhere`: in any mode)."""
        for detector in DETECTORS + [ACCESS_LOG_CLIENT]:
            if detector.name in names and (everywhere or detector.name in self._names):
                text = detector.scrub(self, text)
        return text

    # --- the event ------------------------------------------------------------------

    def scrub_event(self, event: Any) -> None:
        """Scrub `event` in place; a part that fails to scrub is dropped."""
        if not isinstance(event, dict):
            return
        strings = Strings()
        for name in list(event):
            marks = len(strings.refs), len(strings.client)
            try:
                self._scrub_part(event, name, strings)
            except Exception:
                event.pop(name, None)
                del strings.refs[marks[0] :], strings.client[marks[1] :]
        self._scrub_strings(strings)

    def _scrub_part(self, event: dict[str, Any], name: str, strings: Strings) -> None:
        if name in ITEMS:
            self._scrub_items(event[name], ITEMS[name], strings)
        elif name == "request":
            if not isinstance(event[name], dict):
                raise TypeError("the request is not a dict")
            for key, value in event[name].items():
                rule = TEXT if key in REQUEST_FIELDS else self.key_rule(key)
                self._visit(event[name], key, value, rule, strings, False)
        elif name == "user":
            self._scrub_user(event)
        elif name not in IDENTITY:
            self._visit(event, name, event[name], self.key_rule(name), strings, False)

    def _scrub_items(self, items: Any, statement: str, strings: Strings) -> None:
        """Exceptions, threads, frames, breadcrumbs, spans; `statement`: the field
        that may hold the SQL of the item's `db.params`."""
        values = items.get("values") if isinstance(items, dict) else items
        for item in values if isinstance(values, list) else []:
            if not isinstance(item, dict):
                continue
            filter_sql_parameters(self, item.get(statement), item.get("data"))
            if self.strict:
                item.pop("vars", None)
            for key in item.keys() - IDENTITY:
                if key == "stacktrace" and isinstance(item[key], dict):
                    self._scrub_items(item[key].get("frames"), "", strings)
                elif key in SOURCE_CONTEXT and isinstance(item[key], list):
                    item[key] = [self._remember(line) for line in item[key]]
                elif key in SOURCE_CONTEXT:
                    item[key] = self._remember(item[key])
                else:
                    self._visit(item, key, item[key], self.key_rule(key), strings, False)

    def _scrub_user(self, event: dict[str, Any]) -> None:
        user = event["user"] if isinstance(event["user"], dict) else {}
        kept = {
            name: value
            for name in self.user_fields
            if isinstance(value := user.get(name), (str, int))
            and not isinstance(value, bool)
        }
        if self.strict and isinstance(kept.get("id"), str):
            kept["id"] = self.scrub_text(kept["id"])
        if kept:
            event["user"] = kept
        else:
            del event["user"]

    def _walk(self, node: Any, strings: Strings, client: bool) -> None:
        """Apply the key rules to a dict or list and all it holds; collect its strings."""
        if isinstance(node, dict):
            for key, value in node.items():
                rule = self._rules.get(key) or self.key_rule(key)
                if rule is TEXT and isinstance(value, str) and not client:
                    if value not in self._remembered:  # The usual case, inline.
                        strings.refs.append((node, key))
                else:
                    self._visit(node, key, value, rule, strings, client)
        elif is_pair(node):
            self._visit(node, 0, node[0], TEXT, strings, client)
            self._visit(node, 1, node[1], self.key_rule(node[0]), strings, client)
        else:
            for index, value in enumerate(node):
                self._visit(node, index, value, TEXT, strings, client)

    def _visit(
        self, node: Any, key: Any, value: Any, rule: str, strings: Strings, client: bool
    ) -> None:
        client = client or rule is CLIENT_ADDRESS
        if rule is SENSITIVE or rule is COUNTER:
            if self._replaces(rule, value):
                node[key] = FILTERED
        elif isinstance(value, str):
            if value not in self._remembered:
                strings.refs.append((node, key))
            if client:
                strings.client.append((node, key))
        elif isinstance(value, (dict, list)):
            self._walk(value, strings, client)
        elif value is not None and not isinstance(value, (int, float)):
            self._visit_other(node, key, value, strings, client)
        elif isinstance(value, int) and 10**12 <= abs(value) < 10**19:
            self._visit_other(node, key, value, strings, client)

    def _visit_other(
        self, node: Any, key: Any, value: Any, strings: Strings, client: bool
    ) -> None:
        """Values that are not JSON: card numbers as integers, bytes, tuples..."""
        if isinstance(value, int):
            node[key] = FILTERED if luhn_valid(str(value)) else value
            return
        if isinstance(value, (bytes, bytearray)):
            node[key] = value.decode("utf-8", "replace")
        elif isinstance(value, (tuple, set, frozenset)):
            node[key] = list(value)
        else:
            node[key] = repr(value)
        self._visit(node, key, node[key], TEXT, strings, client)


# --- the module's policy ------------------------------------------------------------

_configured: list[Scrubber] = []


def configure(
    pii_mode: str = STANDARD, extra_keys: Iterable[str] = (), send_default_pii: bool = False
) -> Scrubber:
    """Set the policy of `scrub_event` and `scrub_text` (SENTRY_PII_MODE,
    SENTRY_EXTRA_SENSITIVE_KEYS, SENTRY_SEND_DEFAULT_PII); call it again after
    changing SENSITIVE_KEYS. `init_sentry` calls it with the settings."""
    _configured[:] = [Scrubber(pii_mode, extra_keys, send_default_pii)]
    return _configured[0]


def _policy() -> Scrubber:
    """The configured policy; the settings' the first time."""
    if not _configured:
        try:
            from .settings import get_settings

            settings = get_settings()
            return configure(
                settings.pii_mode,
                settings.extra_sensitive_keys,
                settings.sentry_send_default_pii,
            )
        except Exception:  # Unreadable settings must not open the gates.
            return configure(STRICT)
    return _configured[0]


def scrub_event(event: Any, hint: Any = None) -> Any:
    """The SDK's `before_send`: scrub `event` in place and return it; None (the
    event is not sent) if scrubbing failed as a whole."""
    try:
        _policy().scrub_event(event)
    except Exception:
        return None
    return event


filter_sensitive_data = scrub_event


def scrub_text(text: str) -> str:
    """Return `text` with e-mails, card numbers, tokens, keys... replaced."""
    try:
        return _policy().scrub_text(text)
    except Exception:
        return FILTERED
