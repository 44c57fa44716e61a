"""Remove secrets and personal data from Sentry events before they leave the process.

`scrub_event` is the SDK's `before_send` and `before_send_transaction`. The policy is
four tables, read from `scrubbing_policy.json` (which the browser's scrubber reads too)
or written below:

* key rules (`KeyRules`, from POLICY["keys"]): a value under a sensitive key
  (`db_password`, `X-Api-Key`) becomes `[Filtered]`; under a client-address key
  (`X-Forwarded-For`, `REMOTE_ADDR`) its IP addresses do, unless the PII switch is on;
* detectors (`DETECTORS`, from POLICY["detectors"]): values found by pattern in every
  string, in order, each in the PII modes it names (SENTRY_PII_MODE);
* decoders (`DECODERS`): encodings undone before the detectors look, in both modes;
* the user rule (`USER_FIELDS`): what the event's user keeps in each PII mode.

How it runs: one walk applies the key rules and collects every string as (container,
key); each hint is searched once over the strings joined, and only the strings a
detector's hints flag go through it. Nothing is kept between events but the rule of
each key name. It never raises: a part that fails to scrub is dropped, not the event.
"""

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from typing import Any

from . import scrub_values
from .scrub_values import FILTERED as FILTERED
from .scrub_values import fragments_matcher, is_number, key_words, percent_decoded

POLICY: dict[str, Any] = json.loads(
    Path(__file__).with_name("scrubbing_policy.json").read_text(encoding="utf-8")
)
# Extend it before the first event, or call configure() afterwards.
SENSITIVE_KEYS: list[str] = list(POLICY["keys"]["sensitive"])
STANDARD, STRICT, CLIENT_ADDRESS = "standard", "strict", "client_address"
SENSITIVE, COUNTER, TEXT, SDK_ID = "sensitive", "counter", "text", "sdk_id"  # Rules.
# The user rule: the user's fields kept per PII mode (+ ip_address if the PII switch).
USER_FIELDS = {STANDARD: ("id", "username", "email"), STRICT: ("id",)}
KNOWN_KEYS = 8192  # Key names whose rule is kept at most.
IDENTITY = frozenset(POLICY["sdk_fields"])  # Filled by the SDK: ids, times, names.
REQUEST_FIELDS = ("url", "method", "query_string", "cookies", "headers", "data", "env")
# The SDK's lists of items, and the field that holds the SQL of an item's `db.params`.
ITEMS = dict(exception="", threads="", breadcrumbs="message", spans="description")


class KeyRules:
    """The key rules: SENSITIVE, COUNTER (sensitive, but a number under it stays),
    SDK_ID (the SDK's numbers), CLIENT_ADDRESS, TEXT (searched), from POLICY["keys"]
    (personal keys if `strict`), SENSITIVE_KEYS, `extra_keys` (SENTRY_EXTRA_...)."""

    def __init__(self, extra_keys: Iterable[str] = (), strict: bool = False) -> None:
        keys = POLICY["keys"]
        extra = [str(key).strip() for key in extra_keys]
        extra += keys["personal"] if strict else []
        self.sensitive = fragments_matcher([*SENSITIVE_KEYS, *filter(None, extra)])
        self.client = fragments_matcher(keys["client_address"])
        self.kept = frozenset("_".join(key_words(k)) for k in keys["not_sensitive"])
        self.counters = frozenset(keys["counters"])
        self.sdk_ids = frozenset("_".join(key_words(k)) for k in keys["sdk_ids"])
        self.harmless = frozenset(keys["harmless_words"])
        self.known: dict[Any, str] = {}

    def __call__(self, key: Any) -> str:
        rule = self.known.get(key)
        if rule is None:
            if len(self.known) > KNOWN_KEYS:
                self.known.clear()
            rule = self.known[key] = self.classify(key)
        return rule

    def classify(self, key: Any) -> str:
        words = key_words(key, self.harmless) if isinstance(key, str) else []
        if not words or "_".join(words) in self.kept:
            return TEXT
        if "_".join(words) in self.sdk_ids:
            return SDK_ID
        if self.sensitive(words):
            return COUNTER if words[-1] in self.counters else SENSITIVE
        return CLIENT_ADDRESS if self.client(words) else TEXT


# What a detector's match must pass, or the part of it that does (a row's `check`).
VALIDATORS: dict[str, scrub_values.Check] = {
    "luhn": scrub_values.card_span,
    "ip_address": scrub_values.is_ip_address,
    "credential": scrub_values.is_credential,
    "phone_number": scrub_values.is_phone_number,
}
# The detectors whose policy row has no pattern: (the key rule's `hides`, text) -> text.
CODE: dict[str, Callable[[scrub_values.Hides, str], str]] = {
    "keyed_value": scrub_values.scrub_keyed_values,
    "sql_insert": scrub_values.scrub_sql_insert,
    "sql_error": scrub_values.scrub_sql_errors,
    "validation_error": scrub_values.scrub_validation_inputs,
}


@dataclass(frozen=True)
class Detector:
    """A row of the policy's detectors. Each match of `pattern` (its first group, if it
    has one) that passes `validator` becomes FILTERED, or `code` replaces the values;
    `hints` find every place in a text where it can match."""

    name: str
    pattern: re.Pattern[str] | None
    validator: scrub_values.Check | None
    code: Callable[[scrub_values.Hides, str], str] | None
    modes: frozenset[str]
    hints: tuple[re.Pattern[str], ...]

    def scrub(self, scrubber: "Scrubber", text: str) -> str:
        if self.code is not None:
            return self.code(scrubber.hides, text)
        return self.pattern.sub(self.replace, text) if self.pattern else text

    def replace(self, match: re.Match[str]) -> str:
        group = 1 if match.re.groups else 0
        span = scrub_values.checked_span(self.validator, match[group])
        if span is None:
            return match[0]
        (start, end), offset = span, match.start(group) - match.start()
        return match[0][: offset + start] + FILTERED + match[0][offset + end :]


def detector(row: dict[str, Any]) -> Detector:
    """The detector of a policy row; credential_format's pattern is every format."""
    formats = [format_["pattern"] for format_ in POLICY["credential_formats"]]
    credentials = row["name"] == "credential_format"
    pattern = "|".join(formats) if credentials else row["pattern"]
    hints = scrub_values.by_first_character(formats if credentials else row["hints"])
    return Detector(
        name=row["name"],
        pattern=re.compile(pattern) if pattern else None,
        validator=VALIDATORS[row["check"]] if row.get("check") else None,
        code=CODE.get(row["name"]),
        modes=frozenset(row.get("modes", [STANDARD, STRICT])),
        hints=tuple(map(re.compile, hints)),
    )


DETECTORS = [detector(row) for row in POLICY["detectors"]]
IP_ADDRESS = next(d for d in DETECTORS if d.name == "ip_address")


# (name, hint, decode): a string hints flag goes through every detector so decoded.
DECODERS = [
    ("percent_encoding", re.compile("%[0-9A-Fa-f]{2}"), percent_decoded),
    ("backslash", re.compile(r"\\(?:u00[2-7]|x[2-7]|[\"/])"), scrub_values.unescaped),
    ("html_entities", re.compile("&#?[0-9A-Za-z]{2,8};"), scrub_values.html_decoded),
    ("base64_json", re.compile("eyJ"), scrub_values.base64_json_decoded),
]


@dataclass
class Strings:
    """An event's strings as (container, key); `client`: those with client addresses."""

    refs: list[tuple[Any, Any]] = field(default_factory=list)
    client: list[tuple[Any, Any]] = field(default_factory=list)


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
        self.pii_mode = pii_mode if pii_mode in USER_FIELDS else STRICT
        self.strict = self.pii_mode == STRICT
        self.hide_client_address = self.strict or not send_default_pii
        self.key_rule = KeyRules(extra_keys, self.strict)
        modes = {self.pii_mode, CLIENT_ADDRESS if self.hide_client_address else ""}
        self.detectors = [d for d in DETECTORS if d.modes & modes]
        # (hint, name of its detector or decoder), each searched on its own.
        self.hints = [(hint, d.name) for d in self.detectors for hint in d.hints]
        self.hints += [(hint, name) for name, hint, _ in DECODERS]
        self.user_fields = USER_FIELDS[self.pii_mode]
        self.user_fields += () if self.hide_client_address else ("ip_address",)

    def is_sensitive_key(self, key: Any) -> bool:
        return self.key_rule(key) in (SENSITIVE, COUNTER)

    def hides(self, key: Any, value: Any) -> bool:
        """Whether `value`, found under `key`, is replaced."""
        return replaces(self.key_rule(key), value)

    def scrub_text(self, text: str) -> str:
        """`text` with every secret and personal value the PII mode names replaced."""
        holder = [text]
        self._scrub_strings(Strings([(holder, 0)] if isinstance(text, str) else []))
        return holder[0]

    def _scrub_strings(self, strings: Strings) -> None:
        texts = [container[key] for container, key in strings.refs]
        try:
            flagged = self._flag(texts)
        except Exception:  # Without the hints every string goes through everything.
            every = {name for _, name in self.hints}
            flagged = dict.fromkeys(range(len(texts)), every)
        for index, names in flagged.items():
            container, key = strings.refs[index]
            container[key] = self._scrub_flagged(texts[index], names)
        for container, key in strings.client if self.hide_client_address else []:
            container[key] = IP_ADDRESS.scrub(self, container[key])

    def _flag(self, texts: list[str]) -> dict[int, set[str]]:
        """{index of a string: the detectors and decoders whose hints it holds}."""
        joined = "\n".join(texts)
        ends = list(accumulate(len(text) + 1 for text in texts))
        flagged: dict[int, set[str]] = {}
        for hint, name in self.hints:
            starts = [match.start() for match in hint.finditer(joined)]
            if name == "keyed_value":  # Only after a sensitive key.
                is_key = scrub_values.names_a_key
                starts = [s for s in starts if is_key(self.is_sensitive_key, joined, s)]
            for start in starts:
                flagged.setdefault(bisect_right(ends, start), set()).add(name)
        return flagged

    def _scrub_flagged(self, text: str, names: set[str]) -> str:
        """`text` through the detectors `names`; through all once it is decoded."""
        try:
            decoded = text
            for name, _, decode in DECODERS:
                decoded = decode(decoded) if name in names else decoded
            scrubbed = self._detect(decoded, None) if decoded != text else text
            return scrubbed if scrubbed != decoded else self._detect(text, names)
        except Exception:
            return FILTERED  # A string that cannot be checked is not sent.

    def _detect(self, text: str, names: set[str] | None) -> str:
        """`text` through the mode's detectors (those in `names`, when given)."""
        for detector in self.detectors:
            if names is None or detector.name in names:
                text = detector.scrub(self, text)
        return text

    def scrub_event(self, event: Any) -> None:
        """Scrub `event` in place; a part that fails to scrub is dropped."""
        strings = Strings()
        for name in list(event) if isinstance(event, dict) else []:
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
                sql, data = item.get(statement), item.get("data")
                scrub_values.filter_sql_parameters(self.is_sensitive_key, sql, data)
                if self.strict:
                    item.pop("vars", None)
                self._scrub_item(item, strings)

    def _scrub_item(self, item: dict[str, Any], strings: Strings) -> None:
        for key in item.keys() - IDENTITY:
            value = item[key]
            if key == "stacktrace" and isinstance(value, dict):
                self._scrub_items(value.get("frames"), "", strings)
            else:
                self._visit(item, key, self.key_rule(key), strings, False)

    def _scrub_user(self, event: dict[str, Any]) -> None:
        user = event["user"] if isinstance(event["user"], dict) else {}
        kept = {n: user[n] for n in self.user_fields if scrub_values.is_id(user.get(n))}
        if self.strict and isinstance(kept.get("id"), str):
            kept["id"] = self.scrub_text(kept["id"])
        event["user"] = kept
        if not kept:
            del event["user"]

    def _visit(
        self, node: Any, key: Any, rule: str, strings: Strings, client: bool
    ) -> None:
        """Apply `rule` to `node[key]` and what it holds; collect its strings.
        `client`: it may hold the client's address."""
        value, client = node[key], client or rule == CLIENT_ADDRESS
        if rule in (SENSITIVE, COUNTER) or (rule == SDK_ID and is_number(value)):
            node[key] = FILTERED if replaces(rule, value) else value
        elif isinstance(value, str):
            strings.refs.append((node, key))
            strings.client += [(node, key)] if client else []
        elif isinstance(value, (dict, list)):
            self._walk(value, strings, client)
        elif scrub_values.is_foreign(value):
            node[key] = scrub_values.json_value(value)
            self._visit(node, key, rule, strings, client)

    def _walk(self, node: Any, strings: Strings, client: bool) -> None:
        """`_visit` what a dict or list holds (its plain strings directly)."""
        for key, rule in self._rules(node):
            if rule == TEXT and not client and isinstance(node[key], str):
                strings.refs.append((node, key))  # The usual case, at once.
            else:
                self._visit(node, key, rule, strings, client)

    def _rules(self, node: dict[Any, Any] | list[Any]) -> list[tuple[Any, str]]:
        """(key or index, rule) of what `node` holds. A [name, value] pair's value or a
        {"name", "value"} dict's takes the name's rule, as VALUE after `--password`."""
        if isinstance(node, dict):
            value, name = scrub_values.named_value(node)
            return [(key, self.key_rule(name if key == value else key)) for key in node]
        if scrub_values.is_pair(node):
            return [(0, TEXT), (1, self.key_rule(node[0]))]
        rules = [(index, TEXT) for index in range(len(node))]
        for index, item in enumerate(node[:-1]):
            if isinstance(item, str) and item.startswith("--"):
                rules[index + 1] = (index + 1, self.key_rule(item))
        return rules


def replaces(rule: str, value: Any) -> bool:
    """Whether a key rule replaces `value` (None, placeholders, counts stay)."""
    if rule not in (SENSITIVE, COUNTER) or scrub_values.is_placeholder(value):
        return False
    return rule == SENSITIVE or not is_number(value)


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
    """The configured policy; the settings' the first time (not cached: a line
    logged early must not fix the settings the process starts Sentry with)."""
    if _configured:
        return _configured[0]
    try:
        from .settings import SentrySettings, load_settings

        settings = load_settings(SentrySettings)
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
