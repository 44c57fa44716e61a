"""Remove secrets and personal data from Sentry events before they leave the process.

``scrub_event`` is meant for ``before_send`` and ``before_send_transaction``: it sees
the serialised event (JSON-like primitives) and applies the whole policy on its own:

* keys: a dict key containing a fragment of ``SENSITIVE_KEYS`` (case-insensitive,
  with ``-``, ``.`` and camelCase normalised) gets its value replaced by
  ``[Filtered]``, anywhere in the event;
* values: every string is searched for e-mail addresses, Luhn-valid card numbers,
  ``Bearer``/``Basic`` credentials (capitalised, as HTTP writes them), JWTs, US
  SSNs, PEM private keys, credentials in URLs and ``key=value`` / ``key: value``
  pairs with a sensitive key; strict mode adds phone numbers and IP addresses. Only
  the match is replaced, the rest of the text stays readable;
* user: standard mode keeps ``id``, ``username`` and ``email``; strict mode keeps the
  ``id`` only and drops the local variables of stack frames.

It never raises: when scrubbing one part fails, that part is dropped, not the event.

How it stays cheap: a walk applies the key policy and only *registers* the strings
it meets; all of them are then joined into one text and searched once for the
characters every pattern needs ("@", "eyJ", "=", digit runs...), with C-speed
``str.find``/``bytes.translate``. Only the strings found there run the (slow)
regular expressions.
"""

from __future__ import annotations

import ipaddress
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from itertools import accumulate, count, repeat
from operator import add, getitem, itemgetter
from typing import Any
from urllib.parse import unquote, unquote_plus

from sentry_sdk.scrubber import DEFAULT_DENYLIST, DEFAULT_PII_DENYLIST, EventScrubber

__all__ = [
    "SENSITIVE_KEYS",
    "Scrubber",
    "configure",
    "filter_sensitive_data",
    "reset",
    "scrub_event",
    "scrub_text",
]

_FILTERED = "[Filtered]"

# Key fragments, matched case-insensitively as substrings of the normalised key.
# Fragments of up to four characters ("auth", "pin", "ssn") only match a whole word
# of the key ("x_auth", "userPin"), so "author" or "spinner" keep their values.
# Extend the list before the first event, or call configure() afterwards.
SENSITIVE_KEYS: list[str] = list(
    dict.fromkeys(
        [
            "password",
            "passwd",
            "passphrase",
            "pass",
            "pwd",
            "secret",
            "token",
            "api_key",
            "apikey",
            "access_key",
            "private_key",
            "authorization",
            "auth",
            "credential",
            "cookie",
            "session",
            "sessid",
            "csrf",
            "xsrf",
            "jwt",
            "bearer",
            "ssn",
            "social_security",
            "card_number",
            "credit_card",
            "cvv",
            "cvv2",
            "cvc",
            "pin",
            "otp",
            "iban",
            *DEFAULT_DENYLIST,
            *DEFAULT_PII_DENYLIST,
        ]
    )
)

_SHORT_FRAGMENT_LEN = 4
# Sensitive-looking keys that name a count or a duration ("input_tokens",
# "session_ttl"): numbers under them carry no secret and are worth keeping.
_COUNTER_KEY_RE = re.compile(
    r"(?:^|_)(?:count|counts|tokens|size|length|len|ttl|age|expires_in|expiry|"
    r"timeout|limit|remaining|used)$"
)
# Identifiers the SDK generates: never sensitive, not worth scanning.
_OPAQUE_KEYS = frozenset(
    {
        "trace_id",
        "span_id",
        "parent_span_id",
        "event_id",
        "timestamp",
        "start_timestamp",
        "sample_rand",
        "thread.id",
        "profile_id",
    }
)
_CAMEL_RE = re.compile(r"([a-z0-9])([A-Z])")
_FLAT_DROP_RE = re.compile(r"[\s_.\-]+")
_NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")

# What a key means for its value. Odd codes are sensitive: replace the value, or
# (3) replace it unless it is a number; 2 marks SDK identifiers, left alone.
_SCAN, _SENSITIVE, _OPAQUE, _SENSITIVE_TEXT = 0, 1, 2, 3
_KEY_CACHE_MAX = 4096
_SOURCE_CACHE_MAX = 2048

# Which value patterns a string may contain, found by the cheap pre-search.
_F_PEM, _F_JWT, _F_AUTH, _F_AT, _F_KV = 1, 2, 4, 8, 16
_F_CARD, _F_SSN, _F_PHONE, _F_IP, _F_KV_COLON = 32, 64, 128, 256, 512
_AUTH_SCHEMES = ("Bearer", "Basic", "BEARER", "BASIC")
# Query placeholders ("password = %s") are no secret, and what a previous pass
# left is done.
_PLACEHOLDERS = frozenset({"%s", "?", "'?'", "%d", "{}", "''", '""', _FILTERED})
_PLACEHOLDER_RE = re.compile(r"%\(\w+\)s|:[A-Za-z_]\w*|\$[0-9]+|\{\w*\}")

_PEM_RE = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?"
    r"(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)",
    re.S,
)
_JWT_RE = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_AUTH_SCHEME_RE = re.compile(
    r"\b(?P<scheme>Bearer|BEARER|Basic|BASIC)(?P<ws>[ \t]+)"
    r"(?P<cred>[A-Za-z0-9._~+/-]+=*)"
)
_URL_CRED_RE = re.compile(r"://[^\s/?#@'\"<>]+(?:@[^\s/?#@'\"<>]+)*@")
_URL_CRED_REPL = "://" + _FILTERED + "@"
# E-mails are found from their "@": the local part is matched backwards on the
# reversed string and the domain forwards, both anchored, so nothing is scanned.
_EMAIL_LOCAL_REV_RE = re.compile(r"[A-Za-z0-9._%+-]{1,64}")
_EMAIL_DOMAIN_RE = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})*"
    r"\.[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)
# The value after a sensitive key: quoted, an auth scheme plus credential, or a bare
# token running to the next delimiter.
_KV_VALUE_RE = re.compile(
    r"([ \t]*)(\"[^\"]*\"|'[^']*'|(?:(?:[Bb]earer|[Bb]asic)[ \t]+)?"
    r"[^\s&,;\"'<>{}\[\]()]+)"
)
_CARD_RE = re.compile(r"[2-6][0-9](?:[ -]?[0-9]){11,40}")
_CARD_GROUP_RE = re.compile(r"[0-9]+")
_SSN_RE = re.compile(r"[0-9]{3}-[0-9]{2}-[0-9]{4}")
_PHONE_RE = re.compile(
    r"(?:\+[0-9]{1,3}[ .-]?(?:\([0-9]{1,4}\)[ .-]?)?[0-9]{1,4}"
    r"(?:[ .-]?[0-9]{2,4}){1,4}|(?:\([0-9]{3}\)[ ]?|[0-9]{3}[ .-])[0-9]{3}[ .-]"
    r"[0-9]{4})"
)
_IPV4_RE = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")
_IPV6_RE = re.compile(
    r"(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|[0-9]{1,3}(?:\.[0-9]{1,3}){3})?"
)


def _shape_table(as_digit: str, as_dash: str) -> bytes:
    """bytes.translate table: digits (and ``as_digit``) become "0", ``as_dash``
    becomes "-", anything else "x"."""
    table = bytearray(b"x" * 256)
    for i in range(48, 58):
        table[i] = 48
    for ch in as_digit:
        table[ord(ch)] = 48
    for ch in as_dash:
        table[ord(ch)] = 45
    return bytes(table)


# A text's "shape" keeps only what digit patterns are made of, so substring tests
# on it (C-fast, and the runs of "x" let them skip ahead) say where a card number
# or an SSN can be.
_SHAPE = _shape_table("", " -")
_CARD_SHAPES = ("0000000000000", "0000-0000-0000-0", "0000-000000-0000")
_SSN_SHAPE = "000-00-0000"
# Phones and IPv4 addresses: at least 7 digits and separators in a row.
_STRICT_SHAPE = _shape_table(" -.()+", "")
# IPv6 addresses: hex digits around a colon, or "::".
_HEX_SHAPE = bytes(
    48 if chr(i) in "0123456789abcdefABCDEF" else 58 if i == 58 else 120
    for i in range(256)
)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i & 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _isolated(text: str, start: int, end: int, joiners: str) -> bool:
    """Whether text[start:end] is not glued to more letters or digits."""
    if start and (
        text[start - 1].isalnum()
        or (text[start - 1] in joiners and start > 1 and text[start - 2].isalnum())
    ):
        return False
    return not (
        end < len(text)
        and (
            text[end].isalnum()
            or (
                text[end] in joiners and end + 1 < len(text) and text[end + 1].isdigit()
            )
        )
    )


def _card_repl(match: re.Match[str]) -> str:
    text, string, start = match.group(), match.string, match.start()
    if start and string[start - 1].isalnum():
        return text
    # The run may go on into another number ("4111 1111 1111 1111 2024"): take the
    # longest Luhn-valid prefix of 13-19 digits that ends on a group boundary.
    digits, cut = "", 0
    for group in _CARD_GROUP_RE.finditer(text):
        digits += group.group()
        if len(digits) > 19:
            break
        if len(digits) >= 13 and _luhn_ok(digits):
            cut = group.end()
    if not cut:
        return text
    if cut == len(text) and match.end() < len(string) and string[match.end()].isalnum():
        return text
    return _FILTERED + text[cut:]


def _ssn_repl(match: re.Match[str]) -> str:
    if _isolated(match.string, match.start(), match.end(), "-"):
        return _FILTERED
    return match.group()


def _auth_scheme_repl(match: re.Match[str]) -> str:
    scheme, cred = match.group("scheme"), match.group("cred")
    if scheme[1] in "eE":
        # "Bearer token", "Bearer authentication": words, not credentials.
        if len(cred) < 16 and cred.isalpha():
            return match.group()
    elif not (
        len(cred) >= 8
        and (not cred.isalpha() or cred.endswith("=") or not cred[1:].islower())
    ):
        # "Basic usage", "Basic Information" are prose, not base64.
        return match.group()
    return scheme + match.group("ws") + _FILTERED


def _phone_repl(match: re.Match[str]) -> str:
    text = match.group()
    digits = sum(ch.isdigit() for ch in text)
    if 8 <= digits <= 15 and _isolated(match.string, match.start(), match.end(), ".-"):
        return _FILTERED
    return text


def _ip_repl(match: re.Match[str]) -> str:
    text = match.group()
    if not _isolated(match.string, match.start(), match.end(), ".:"):
        return text
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return text
    return _FILTERED


def _is_placeholder(value: str) -> bool:
    return value in _PLACEHOLDERS or _PLACEHOLDER_RE.fullmatch(value) is not None


def _is_numeric(value: Any) -> bool:
    if isinstance(value, (int, float)):
        return True
    if isinstance(value, str):
        return value.replace(".", "", 1).lstrip("-").isdigit()
    return False


_third = itemgetter(2)
_SPACES = repeat(" ")
_LAST_48 = repeat(slice(-48, None))


def _mark(
    text: str, needle: str, ends: list[int], flags: dict[int, int], bit: int
) -> None:
    """Flag every string (of those joined into ``text``) containing ``needle``."""
    find = text.find
    pos = find(needle)
    while pos != -1:
        i = bisect_right(ends, pos)
        flags[i] = flags.get(i, 0) | bit
        pos = find(needle, ends[i])


class Scrubber(EventScrubber):
    """``EventScrubber`` with substring key matching, value patterns and a PII mode.

    ``scrub_event`` scrubs in place and returns None like the base class, so an
    instance can also serve as the SDK's ``event_scrubber``.
    """

    def __init__(
        self, pii_mode: str = "standard", extra_keys: Iterable[str] = ()
    ) -> None:
        super().__init__(recursive=True)
        mode = str(pii_mode or "standard").strip().lower()
        # An unknown mode is a configuration mistake: fail towards privacy.
        self.pii_mode = mode if mode in ("standard", "strict") else "strict"
        self.strict = self.pii_mode == "strict"
        self.extra_keys = tuple(str(k).strip() for k in extra_keys if str(k).strip())
        long_fragments: set[str] = set()
        short_fragments: set[str] = set()
        for fragment in (*SENSITIVE_KEYS, *self.denylist, *self.extra_keys):
            flat = _FLAT_DROP_RE.sub("", str(fragment).lower())
            if len(flat) > _SHORT_FRAGMENT_LEN:
                long_fragments.add(flat)
            elif flat:
                short_fragments.add(flat)
        self._long_re = re.compile(
            "|".join(map(re.escape, sorted(long_fragments, key=len, reverse=True)))
            or "(?!)"
        )
        self._short = frozenset(short_fragments)
        self._user_keep = ("id",) if self.strict else ("id", "username", "email")
        self._key_cache: dict[Any, int] = {}
        self._source_cache: dict[Any, tuple[Any, ...]] = {}
        self._process = self._build_processor()
        self._walk_dict, self._walk_list, self._other = self._build_walkers()

    # --- keys --------------------------------------------------------------------

    def _classify(self, key: Any) -> int:
        """Decide (and cache) what to do with the values stored under ``key``."""
        cache = self._key_cache
        if len(cache) >= _KEY_CACHE_MAX:
            cache.clear()
        try:
            raw = key if isinstance(key, str) else str(key)
            snake = _CAMEL_RE.sub(r"\1_\2", raw).lower()
            if self._long_re.search(
                _FLAT_DROP_RE.sub("", snake)
            ) or not self._short.isdisjoint(_NON_ALNUM_RE.split(snake)):
                code = _SENSITIVE_TEXT if _COUNTER_KEY_RE.search(snake) else _SENSITIVE
            elif raw in _OPAQUE_KEYS:
                code = _OPAQUE
            else:
                code = _SCAN
        except Exception:
            code = _SENSITIVE
        cache[key] = code
        return code

    def is_sensitive_key(self, key: Any) -> bool:
        """Whether values stored under ``key`` are replaced."""
        code = self._key_cache.get(key)
        if code is None:
            code = self._classify(key)
        return bool(code & 1)

    # --- strings -----------------------------------------------------------------

    def _scan(self, texts: list[str]) -> dict[int, int]:
        """Return {index: pattern flags} for the strings that need a closer look.

        All strings are searched at once, joined by newlines: a match straddling
        two strings only costs a closer look, and a string's own matches are all
        there. The newline ends words, so a key at the start of a string ("pin: 1")
        is judged alone, not glued to the end of the previous string.
        """
        joined = "\n".join(texts)
        # ends[i]: where string i+1 starts (string i, then its newline).
        ends = list(map(add, accumulate(map(len, texts)), count(1)))
        flags: dict[int, int] = {}
        if "@" in joined:
            _mark(joined, "@", ends, flags, _F_AT)
        if "J" in joined:
            _mark(joined, "eyJ", ends, flags, _F_JWT)
        if "K" in joined:
            _mark(joined, "PRIVATE KEY", ends, flags, _F_PEM)
        if "B" in joined:
            find = joined.find
            pos = find("B")
            while pos != -1:
                if joined.startswith(_AUTH_SCHEMES, pos):
                    i = bisect_right(ends, pos)
                    flags[i] = flags.get(i, 0) | _F_AUTH
                pos = find("B", pos + 1)
        if "=" in joined:
            self._scan_keys(joined.split("="), ends, flags, _F_KV)
        if ":" in joined:
            self._scan_keys(joined.split(":"), ends, flags, _F_KV_COLON)
        # One byte per character, so positions in the shapes match the text.
        latin = joined.encode("latin-1", "replace")
        shape = latin.translate(_SHAPE).decode("latin-1")
        if "0000" in shape or self.strict:
            for needle in _CARD_SHAPES:
                if needle in shape:
                    _mark(shape, needle, ends, flags, _F_CARD)
            # Spaces count as separators above; an SSN wants dashes.
            if _SSN_SHAPE in shape:
                _mark(shape, _SSN_SHAPE, ends, flags, _F_SSN)
            if self.strict:
                strict_shape = latin.translate(_STRICT_SHAPE).decode("latin-1")
                _mark(strict_shape, "0000000", ends, flags, _F_PHONE | _F_IP)
                if ":" in joined:
                    hex_shape = latin.translate(_HEX_SHAPE).decode("latin-1")
                    _mark(hex_shape, "0:0", ends, flags, _F_IP)
                    _mark(hex_shape, "::", ends, flags, _F_IP)
        return flags

    def _scan_keys(
        self, parts: list[str], ends: list[int], flags: dict[int, int], bit: int
    ) -> None:
        """Flag the strings where a sensitive key precedes a separator.

        ``parts`` is the text split at the separator. The word right before each
        separator is a candidate key, judged like a dict key (and cached), so
        "db_password=x" and '"X-Api-Key": "x"' are found. The words are cut out with
        C-level maps: a Python loop over every "=" and ":" costs too much.
        """
        parts.pop()
        # rstrip returns the part itself unless it ends in whitespace; cutting the
        # last 48 characters before rpartition spares copying long parts.
        cut: Iterator[str] = map(getitem, map(str.rstrip, parts), _LAST_48)
        words = list(map(_third, map(str.rpartition, cut, _SPACES)))
        codes = list(map(self._key_cache.get, words))
        if None in codes:
            for j, code in enumerate(codes):
                if code is None:
                    codes[j] = self._classify(words[j])
        if _SENSITIVE in codes or _SENSITIVE_TEXT in codes:
            positions = list(accumulate(map(len, parts)))
            for j, code in enumerate(codes):
                if code and code & 1:
                    i = bisect_right(ends, positions[j] + j)
                    flags[i] = flags.get(i, 0) | bit

    def _build_processor(self) -> Callable[[str, int], str]:
        """Return ``process(text, flags)``: run the patterns ``flags`` selects."""
        key_cache = self._key_cache
        classify = self._classify
        filtered = _FILTERED
        pem_sub = _PEM_RE.sub
        jwt_sub = _JWT_RE.sub
        auth_sub = _AUTH_SCHEME_RE.sub
        url_cred_sub = _URL_CRED_RE.sub
        local_rev_match = _EMAIL_LOCAL_REV_RE.match
        domain_match = _EMAIL_DOMAIN_RE.match
        kv_value_match = _KV_VALUE_RE.match
        card_sub = _CARD_RE.sub
        ssn_sub = _SSN_RE.sub
        phone_sub = _PHONE_RE.sub
        ipv4_sub = _IPV4_RE.sub
        ipv6_sub = _IPV6_RE.sub

        def emails(s: str) -> str:
            at = s.find("@")
            while at > 0:
                domain = domain_match(s, at + 1)
                if domain is not None:
                    local = local_rev_match(s[at - 1 :: -1])
                    if local is not None:
                        start = at - local.end()
                        s = s[:start] + filtered + s[domain.end() :]
                        at = start + len(filtered)
                at = s.find("@", at + 1)
            return s

        def kv_scrub(s: str, sep: str) -> str:
            """Replace the value after each ``key<sep>`` whose key is sensitive.

            The key is the last word before the separator (its last 48 characters),
            looked for after the previous separator or replaced value.
            """
            done: list[str] = []
            start = word_start = 0
            pos = s.find(sep)
            while pos != -1:
                words = s[word_start:pos].rstrip()[-48:].rsplit(None, 1)
                word_start = pos + 1
                if words:
                    code = key_cache.get(words[-1])
                    if code is None:
                        code = classify(words[-1])
                    match = kv_value_match(s, pos + 1) if code & 1 else None
                    if match is not None:
                        value = match.group(2)
                        if not _is_placeholder(value) and not (
                            code == _SENSITIVE_TEXT and _is_numeric(value)
                        ):
                            if value[0] == '"' or value[0] == "'":
                                value = value[0] + filtered + value[0]
                            else:
                                value = filtered
                            done += (s[start : pos + 1], match.group(1), value)
                            start = word_start = match.end()
                pos = s.find(sep, word_start)
            if not done:
                return s
            done.append(s[start:])
            return "".join(done)

        def process(text: str, flags: int) -> str:
            s = text
            if flags & _F_PEM:
                s = pem_sub(filtered, s)
            if flags & _F_JWT:
                s = jwt_sub(filtered, s)
            if flags & _F_AUTH:
                s = auth_sub(_auth_scheme_repl, s)
            if flags & _F_AT:
                if "://" in s:
                    s = url_cred_sub(_URL_CRED_REPL, s)
                s = emails(s)
            if flags & (_F_KV | _F_KV_COLON):
                # A separator the scan did not flag has no sensitive key before it,
                # unless a replacement above moved the 48-character key window.
                if flags & _F_KV or (s is not text and "=" in s):
                    s = kv_scrub(s, "=")
                if flags & _F_KV_COLON or (s is not text and ":" in s):
                    s = kv_scrub(s, ":")
            if flags & _F_CARD:
                s = card_sub(_card_repl, s)
            if flags & _F_SSN:
                s = ssn_sub(_ssn_repl, s)
            if flags & _F_PHONE:
                s = phone_sub(_phone_repl, s)
            if flags & _F_IP:
                if s.count(".") >= 3:
                    s = ipv4_sub(_ip_repl, s)
                if s.count(":") >= 2:
                    s = ipv6_sub(_ip_repl, s)
            return s

        return process

    def scrub_text(self, text: str) -> str:
        """Return ``text`` with every sensitive value in it replaced."""
        if not isinstance(text, str) or len(text) < 6:
            return text
        flags = self._scan([text]).get(0)
        return self._process(text, flags) if flags else text

    def _scrub_strings(self, refs: list[Any]) -> None:
        """Scrub the strings registered as (container, key) pairs in ``refs``."""
        containers, keys = refs[0::2], refs[1::2]
        try:
            texts: list[Any] = list(map(getitem, containers, keys))
            flags = self._scan(texts)
        except Exception:
            # Without the pre-search every string gets every pattern.
            texts = [None] * len(keys)
            flags = dict.fromkeys(range(len(keys)), -1)
        process = self._process
        done: dict[tuple[str, int], str] = {}
        for i, bits in flags.items():
            try:
                text = texts[i]
                if text is None:
                    text = containers[i][keys[i]]
                new = done.get((text, bits))
                if new is None:
                    new = done[text, bits] = process(text, bits)
                if new != text:
                    containers[i][keys[i]] = new
            except Exception:
                # A string that cannot be checked is not sent.
                with suppress(Exception):
                    containers[i][keys[i]] = _FILTERED

    # --- containers --------------------------------------------------------------

    def _build_walkers(
        self,
    ) -> tuple[Callable[..., None], Callable[..., None], Callable[..., None]]:
        """Return in-place walkers for dicts and lists, specialised for JSON types.

        They apply the key policy and register each string longer than five
        characters (nothing shorter holds a pattern) with ``add(container)``,
        ``add(key)`` for the batched value scan.
        """
        key_cache = self._key_cache
        classify = self._classify
        filtered = _FILTERED

        def replaceable(code: int, value: Any) -> bool:
            if value is None or value is True or value is False or value == filtered:
                return False
            return code == _SENSITIVE or not _is_numeric(value)

        def other(container: Any, key: Any, value: Any, add: Any) -> None:
            # Rare types: big ints that may be card numbers, bytes, tuples, sets,
            # str/dict/list subclasses.
            t = type(value)
            if t is int:
                if 10**12 <= value < 10**19 and _luhn_ok(str(value)):
                    container[key] = filtered
            elif t is bytes or t is bytearray:
                container[key] = value = value.decode("utf-8", "replace")
                if len(value) > 5:
                    add(container)
                    add(key)
            elif t is tuple or t is set or t is frozenset:
                container[key] = value = list(value)
                walk_list(value, add)
            elif isinstance(value, str):
                container[key] = value = str(value)
                if len(value) > 5:
                    add(container)
                    add(key)
            elif isinstance(value, dict):
                walk_dict(value, add)
            elif isinstance(value, list):
                walk_list(value, add)

        def walk_dict(d: dict[Any, Any], add: Any) -> None:
            for k, v in d.items():
                code = key_cache.get(k)
                if code is None:
                    code = classify(k)
                if code:
                    if code & 1 and replaceable(code, v):
                        d[k] = filtered
                    continue
                t = type(v)
                if t is str:
                    if len(v) > 5:
                        add(d)
                        add(k)
                elif t is dict:
                    walk_dict(v, add)
                elif t is list:
                    walk_list(v, add)
                elif t is not float and t is not bool and v is not None:
                    other(d, k, v, add)

        def walk_list(lst: list[Any], add: Any) -> None:
            for i, v in enumerate(lst):
                t = type(v)
                if t is str:
                    if len(v) > 5:
                        add(lst)
                        add(i)
                elif t is dict:
                    walk_dict(v, add)
                elif t is list:
                    # [key, value] pairs: headers, query strings, form fields.
                    if len(v) == 2 and type(v[0]) is str and " " not in v[0]:
                        code = key_cache.get(v[0])
                        if code is None:
                            code = classify(v[0])
                        if code & 1:
                            if replaceable(code, v[1]):
                                v[1] = filtered
                            continue
                    walk_list(v, add)
                elif t is not float and t is not bool and v is not None:
                    other(lst, i, v, add)

        return walk_dict, walk_list, other

    def _field(self, container: Any, key: Any, add: Callable[[Any], None]) -> None:
        """Scrub ``container[key]``, whatever its type."""
        value = container[key]
        t = type(value)
        if t is str:
            if len(value) > 5:
                add(container)
                add(key)
        elif t is dict:
            self._walk_dict(value, add)
        elif t is list:
            self._walk_list(value, add)
        elif t is not float and t is not bool and value is not None:
            self._other(container, key, value, add)

    # --- event sections ----------------------------------------------------------

    def _source(self, frame: dict[str, Any]) -> None:
        """Scrub a frame's source context (pre_context, context_line, post_context).

        Source lines are static text shared by every event from a code path, so the
        scrubbed context is memoised across events per file and line (runtime
        values never are). A hit is verified against the lines themselves, which
        linecache hands out as the same objects: a few identity compares.
        """
        pre = frame.get("pre_context")
        line = frame.get("context_line")
        post = frame.get("post_context")
        cache_key = (frame.get("abs_path"), frame.get("lineno"), line)
        cached = self._source_cache.get(cache_key)
        if cached is None or cached[0] != pre or cached[1] != post:
            holder = [
                list(pre) if type(pre) is list else pre,
                list(post) if type(post) is list else post,
                line,
            ]
            refs: list[Any] = []
            for lines in (holder[0], holder[1], holder):
                if type(lines) is list:
                    for i, text in enumerate(lines):
                        if type(text) is str and len(text) > 5:
                            refs += (lines, i)
            self._scrub_strings(refs)
            cached = (
                list(pre) if type(pre) is list else pre,
                list(post) if type(post) is list else post,
                holder != [pre, post, line],
                *holder,
            )
            if len(self._source_cache) >= _SOURCE_CACHE_MAX:
                self._source_cache.clear()
            self._source_cache[cache_key] = cached
        if cached[2]:
            for key, value in zip(_FRAME_SOURCE_KEYS, cached[3:], strict=True):
                if key in frame:
                    frame[key] = list(value) if type(value) is list else value

    def _scrub_frames(self, frames: Any, add: Callable[[Any], None]) -> None:
        if type(frames) is not list:
            return
        strict = self.strict
        walk_dict = self._walk_dict
        for frame in frames:
            if type(frame) is not dict:
                continue
            try:
                if strict:
                    frame.pop("vars", None)
                if frame.keys() <= _FRAME_KNOWN_KEYS:
                    local_vars = frame.get("vars")
                    if type(local_vars) is dict:
                        walk_dict(local_vars, add)
                    elif local_vars is not None:
                        self._field(frame, "vars", add)
                else:
                    for key in list(frame):
                        if key not in _FRAME_KNOWN_KEYS or key == "vars":
                            self._field(frame, key, add)
                if "context_line" in frame or "pre_context" in frame:
                    self._source(frame)
            except Exception:
                for key in ("vars", *_FRAME_SOURCE_KEYS):
                    frame.pop(key, None)

    def _scrub_exceptions(self, container: Any, add: Callable[[Any], None]) -> None:
        values = container.get("values") if type(container) is dict else container
        if type(values) is not list:
            return
        for exc in values:
            if type(exc) is not dict:
                continue
            for key in list(exc):
                if key == "stacktrace":
                    if type(exc[key]) is dict:
                        self._scrub_frames(exc[key].get("frames"), add)
                elif key not in _EXCEPTION_IDENTITY_KEYS:
                    self._field(exc, key, add)

    def _scrub_items(
        self,
        items: Any,
        text_key: str,
        known_keys: frozenset[str],
        add: Callable[[Any], None],
    ) -> None:
        """Breadcrumbs and spans: scrub each item, drop the ones that fail."""
        if type(items) is not list:
            return
        walk_dict = self._walk_dict
        broken = []
        for index, item in enumerate(items):
            if type(item) is not dict:
                continue
            try:
                if item.keys() <= known_keys:
                    # The usual shape: one text field and a data dict.
                    value = item.get(text_key)
                    if type(value) is str:
                        if len(value) > 5:
                            add(item)
                            add(text_key)
                    elif value is not None:
                        self._field(item, text_key, add)
                    data = item.get("data")
                    if type(data) is dict:
                        walk_dict(data, add)
                    elif data is not None:
                        self._field(item, "data", add)
                    continue
                for key in list(item):
                    if key not in known_keys or key == text_key or key == "data":
                        self._field(item, key, add)
            except Exception:
                broken.append(index)
        for index in reversed(broken):
            del items[index]

    def _scrub_request(self, request: Any, add: Callable[[Any], None]) -> None:
        if type(request) is not dict:
            raise TypeError("request is not a dict")
        _decode_url_fields(request)
        for key in list(request):
            try:
                # Containers such as "cookies" are judged by their entries, not by
                # their (sensitive-looking) name.
                if key in _REQUEST_FIELDS or not self.is_sensitive_key(key):
                    self._field(request, key, add)
                else:
                    request[key] = _FILTERED
            except Exception:
                request[key] = _FILTERED

    def _scrub_user(self, event: dict[str, Any]) -> None:
        user = event["user"]
        kept = {}
        if type(user) is dict:
            for key in self._user_keep:
                value = user.get(key)
                if isinstance(value, (str, int)) and not isinstance(value, bool):
                    kept[key] = value
            ident = kept.get("id")
            if self.strict and type(ident) is str:
                kept["id"] = self.scrub_text(ident)
        if kept:
            event["user"] = kept
        else:
            del event["user"]

    def scrub_event(self, event: Any) -> None:
        """Scrub ``event`` in place; a section that fails to scrub is dropped."""
        if type(event) is not dict:
            return
        refs: list[Any] = []
        for key in list(event):
            if key in _EVENT_IDENTITY_KEYS:
                continue
            # Each section registers its strings separately, so a failing section
            # can be dropped together with what it registered.
            section: list[Any] = []
            add = section.append
            try:
                value = event[key]
                if key == "exception" or key == "threads":
                    self._scrub_exceptions(value, add)
                elif key == "breadcrumbs":
                    self._scrub_items(
                        value.get("values") if type(value) is dict else value,
                        "message",
                        _BREADCRUMB_KEYS,
                        add,
                    )
                elif key == "spans":
                    self._scrub_items(value, "description", _SPAN_KEYS, add)
                elif key == "request":
                    self._scrub_request(value, add)
                elif key == "user":
                    self._scrub_user(event)
                elif key in _EVENT_DATA_KEYS or not self.is_sensitive_key(key):
                    self._field(event, key, add)
                else:
                    event[key] = _FILTERED
            except Exception:
                event.pop(key, None)
            else:
                refs += section
        self._scrub_strings(refs)


# Fields the SDK itself fills with paths, names, ids and times (nothing to scrub),
# plus the ones handled explicitly. Items with other keys take the slow path.
_FRAME_SOURCE_KEYS = ("pre_context", "post_context", "context_line")
_FRAME_KNOWN_KEYS = frozenset(
    {
        "filename",
        "abs_path",
        "function",
        "module",
        "lineno",
        "colno",
        "in_app",
        "platform",
        "package",
        "instruction_addr",
        "vars",
        *_FRAME_SOURCE_KEYS,
    }
)
_EXCEPTION_IDENTITY_KEYS = frozenset({"type", "module", "mechanism", "thread_id"})
_BREADCRUMB_KEYS = frozenset(
    {"timestamp", "type", "category", "level", "message", "data"}
)
_SPAN_KEYS = frozenset(
    {
        "trace_id",
        "span_id",
        "parent_span_id",
        "same_process_as_parent",
        "op",
        "start_timestamp",
        "timestamp",
        "origin",
        "status",
        "exclusive_time",
        "hash",
        "description",
        "data",
    }
)
_REQUEST_FIELDS = frozenset(
    {"url", "method", "query_string", "cookies", "headers", "data", "env"}
)
# Percent-encoding hides values from the patterns ("card=4111+1111+...",
# "leak%40example.com"): these fields are scrubbed in their decoded form.
_URL_DECODERS: dict[str, Callable[[str], str]] = {
    "url": unquote,
    "query_string": unquote_plus,
}


def _decode_url_fields(request: dict[str, Any]) -> None:
    for key, decode in _URL_DECODERS.items():
        value = request.get(key)
        if type(value) is str and ("%" in value or "+" in value):
            request[key] = decode(value)


# Not "transaction": a name taken from the URL (404s, source "url") can hold values.
_EVENT_IDENTITY_KEYS = frozenset(
    {
        "event_id",
        "timestamp",
        "start_timestamp",
        "level",
        "platform",
        "release",
        "dist",
        "environment",
        "transaction_info",
        "type",
        "sdk",
        "modules",
        "debug_meta",
        "measurements",
        "server_name",
        "logger",
        "_meta",
    }
)
_EVENT_DATA_KEYS = frozenset({"extra", "contexts", "tags", "logentry", "message"})

_default: Scrubber | None = None
_by_mode: dict[str, Scrubber] = {}


def configure(pii_mode: str = "standard", extra_keys: Iterable[str] = ()) -> Scrubber:
    """Replace the scrubber used by ``scrub_event`` and ``scrub_text``."""
    global _default
    _default = Scrubber(pii_mode=pii_mode, extra_keys=extra_keys)
    _by_mode.clear()
    return _default


def reset() -> None:
    """Forget the configured policy: the next scrub builds it from the settings."""
    global _default
    _default = None
    _by_mode.clear()


def _get_default() -> Scrubber:
    global _default
    if _default is None:
        try:
            from .settings import get_settings

            settings = get_settings()
            _default = Scrubber(
                pii_mode=settings.pii_mode,
                extra_keys=tuple(settings.extra_sensitive_keys),
            )
        except Exception:
            # Unreadable settings must not open the gates: use the strictest policy.
            _default = Scrubber(pii_mode="strict")
    return _default


def scrub_event(event: Any, hint: Any = None) -> Any:
    """``before_send``/``before_send_transaction`` hook applying the whole policy."""
    try:
        _get_default().scrub_event(event)
    except Exception:
        # Sections fail on their own inside Scrubber.scrub_event; getting here means
        # nobody knows what is left unscrubbed, so the event is not sent.
        return None
    return event


filter_sensitive_data = scrub_event


def scrub_text(text: str, pii_mode: str | None = None) -> str:
    """Return ``text`` with e-mails, card numbers, tokens, keys... replaced."""
    scrubber = _get_default()
    if pii_mode is not None and pii_mode != scrubber.pii_mode:
        scrubber = _by_mode.get(pii_mode) or _by_mode.setdefault(
            pii_mode, Scrubber(pii_mode=pii_mode, extra_keys=scrubber.extra_keys)
        )
    try:
        return scrubber.scrub_text(text)
    except Exception:
        return _FILTERED
