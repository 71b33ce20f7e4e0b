"""The log safety net: no message text, secret or IP address reaches a log line.

Code should never log such values in the first place (see docs/security.md); this module
catches the mistakes. It has two parts:

- :func:`redact_event`, a structlog processor. Values of sensitive keys (:data:`SENSITIVE_KEYS`)
  are replaced whole with ``"[redacted]"``; every other string, however deeply nested in
  dicts, lists and tuples, has its IP addresses replaced with ``"[ip]"``.
- :class:`RedactingFilter`, a :class:`logging.Filter` for stdlib loggers that structlog does
  not see first (uvicorn's ``uvicorn.error`` and ``uvicorn.access``), which scrubs IP
  addresses from the rendered message.

IP scrubbing (:func:`scrub_text`) favours removing too much over too little for IPv4 (any
dotted quad of 0-255 goes, even inside a longer run of digits and dots), while IPv6
candidates must stand apart from identifiers and pass :mod:`ipaddress` validation, so times
(``12:30:45``), MAC addresses and C++ names (``std::move``) survive.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import re
from collections.abc import Mapping, MutableMapping
from typing import Any

from typing_extensions import override  # typing.override from Python 3.12

__all__ = [
    "IP_PLACEHOLDER",
    "MAX_NESTING_DEPTH",
    "NON_SENSITIVE_KEYS",
    "REDACTED",
    "SENSITIVE_KEYS",
    "SUBSTRING_MATCH_MIN_CHARS",
    "RedactingFilter",
    "is_sensitive_key",
    "redact_event",
    "scrub_text",
]

#: Replaces the whole value of a sensitive key.
REDACTED = "[redacted]"
#: Replaces each IP address found in a string.
IP_PLACEHOLDER = "[ip]"

#: Keys whose values are never logged. Matched case-insensitively against the words of a key
#: (``resume_token``, ``resumeToken`` and ``x-resume-token`` all contain ``token``, and a
#: trailing plural "s" counts), and, for entries of at least
#: :data:`SUBSTRING_MATCH_MIN_CHARS` characters, anywhere in the key with separators removed
#: (``authtoken``, ``xsessionid``). Short entries (``ip``, ``code``, ``text``) match whole
#: words only, so ``description``, ``recipients`` and ``context`` stay readable.
SENSITIVE_KEYS = frozenset(
    {
        # What people write, and credentials.
        *("text", "body", "message_text", "token", "resume_token", "code", "return_code"),
        *("password", "passphrase", "totp", "secret", "key", "cookie", "authorization"),
        "session",
        # Where people are.
        *("ip", "client", "client_addr", "remote_addr", "peer", "peername", "addr", "address"),
        *("forwarded", "user_agent"),
    }
)
#: Entries of :data:`SENSITIVE_KEYS` at least this long (separators removed) also match as
#: substrings of a key; shorter ones would hit too many innocent words.
SUBSTRING_MATCH_MIN_CHARS = 5
#: Keys that look sensitive by the rules above but hold protocol numbers or codes, kept so
#: that close codes and HTTP statuses stay in the logs.
NON_SENSITIVE_KEYS = frozenset({"status_code", "close_code", "error_code"})
#: How deep :func:`redact_event` follows nested containers; anything deeper is replaced with
#: :data:`REDACTED` whole, so a self-referencing structure cannot recurse forever.
MAX_NESTING_DEPTH = 16

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
# No boundaries on purpose: "1.2.3.4" is removed wherever it appears.
_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
# A maximal run of hex digits, colons and dots that does not touch a word character; each run
# is then validated with ipaddress. Possessive "++" keeps this linear.
_IPV6_RUN = re.compile(r"(?<![\w:.])[0-9A-Fa-f:.]++(?!\w)")


def _words(key: str) -> tuple[str, ...]:
    return tuple(word for word in _NON_ALNUM.split(_CAMEL_BOUNDARY.sub("_", key).lower()) if word)


_SENSITIVE_WORDS = tuple(sorted(_words(entry) for entry in SENSITIVE_KEYS))


@functools.lru_cache(maxsize=4096)
def is_sensitive_key(key: str) -> bool:
    """Tell whether a log key's value must be redacted whole.

    Args:
        key: A key of a structlog event dict (or of a dict nested in it).

    Returns:
        True if the key matches :data:`SENSITIVE_KEYS` as described there and is not in
        :data:`NON_SENSITIVE_KEYS`.
    """
    words = _words(key)
    if "_".join(words) in NON_SENSITIVE_KEYS:
        return False
    joined, compact = "_" + "_".join(words) + "_", "".join(words)
    for entry in _SENSITIVE_WORDS:
        sequence = "_" + "_".join(entry)
        if sequence + "_" in joined or sequence + "s_" in joined:
            return True
        entry_compact = "".join(entry)
        if len(entry_compact) >= SUBSTRING_MATCH_MIN_CHARS and entry_compact in compact:
            return True
    return False


def _is_ipv6(candidate: str) -> bool:
    try:
        ipaddress.IPv6Address(candidate)
    except ValueError:
        return False
    return True


def _replace_ipv6_run(match: re.Match[str]) -> str:
    run = match[0]
    if run.count(":") < 2:
        return run  # "12:30" or "1.2.3.4:80", left to the IPv4 pass
    # The run may carry a sentence's full stop, a trailing colon, or a ":port" (uvicorn logs
    # IPv6 clients as "::1:5555"); try the run, then without those.
    trimmed = run.rstrip(".:")
    for candidate in (run, trimmed, trimmed.rpartition(":")[0]):
        if candidate and _is_ipv6(candidate):
            return IP_PLACEHOLDER + run[len(candidate) :]
    return run


def scrub_text(text: str) -> str:
    """Replace every IPv4 and IPv6 address in a string with :data:`IP_PLACEHOLDER`.

    Handles ``1.2.3.4``, ``1.2.3.4:5555``, ``::1``, ``[2001:db8::1]:443``, ``fe80::1%eth0``
    and ``::ffff:1.2.3.4``; leaves times, dates, version numbers and durations alone.

    Args:
        text: Any string.

    Returns:
        The string without IP addresses; unchanged if it had none.
    """
    if ":" in text:
        text = _IPV6_RUN.sub(_replace_ipv6_run, text)
    if "." in text:
        text = _IPV4.sub(IP_PLACEHOLDER, text)
    return text


def _scrub_value(value: object, depth: int) -> object:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return IP_PLACEHOLDER
    if not isinstance(value, Mapping | list | tuple | set | frozenset):
        return value
    if depth >= MAX_NESTING_DEPTH:
        return REDACTED
    if isinstance(value, Mapping):
        return {key: _scrub_item(key, item, depth + 1) for key, item in value.items()}
    scrubbed = (_scrub_value(item, depth + 1) for item in value)
    if isinstance(value, list):
        return list(scrubbed)
    if isinstance(value, tuple):
        return tuple(scrubbed)
    return set(scrubbed)


def _scrub_item(key: object, value: object, depth: int) -> object:
    if isinstance(key, str) and is_sensitive_key(key):
        return REDACTED
    return _scrub_value(value, depth)


def redact_event(
    logger: object, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Redact secrets and IP addresses from a structlog event, as a processor.

    Place it after ``format_exc_info`` (so rendered tracebacks are scrubbed too) and
    immediately before the renderer. Dicts nested in values are checked for sensitive keys as
    well, so ``frame={"type": "msg", "text": ...}`` loses its text.

    Args:
        logger: The wrapped logger (unused).
        method_name: The name of the log method called (unused).
        event_dict: The event; modified in place.

    Returns:
        The same ``event_dict``.
    """
    for key, value in list(event_dict.items()):
        event_dict[key] = _scrub_item(key, value, 0)
    return event_dict


class RedactingFilter(logging.Filter):
    """Scrub IP addresses from stdlib log records; attach it to handlers or loggers.

    When the record's message is a format string and its arguments are plain strings and
    numbers (uvicorn's records, e.g. ``'%s - "WebSocket %s" [accepted]'`` with
    ``('127.0.0.1:5555', '/ws/visit')``), both are scrubbed in place, so formatters that read
    ``record.args`` (uvicorn's ``AccessFormatter`` unpacks them) keep working. Otherwise the
    message is rendered, scrubbed, and ``record.args`` cleared. A traceback or stack attached
    to the record is rendered and scrubbed too.

    It never drops a record: :meth:`filter` always returns True.
    """

    @override
    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub the record in place.

        Args:
            record: The record being logged.

        Returns:
            True, always.
        """
        args = record.args
        if isinstance(record.msg, str) and _are_plain(args):
            record.msg = scrub_text(record.msg)
            record.args = _scrub_plain(args)
        else:
            record.msg = scrub_text(_render(record))
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub_text(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub_text(record.stack_info)
        return True


_Args = tuple[object, ...] | Mapping[str, object] | None


def _is_plain(value: object) -> bool:
    return value is None or isinstance(value, str | int | float)


def _are_plain(args: _Args) -> bool:
    if isinstance(args, Mapping):
        return all(_is_plain(value) for value in args.values())
    return args is None or all(_is_plain(value) for value in args)


def _scrub_plain(args: _Args) -> _Args:
    if isinstance(args, Mapping):
        return {key: scrub_text(v) if isinstance(v, str) else v for key, v in args.items()}
    if args is None:
        return None
    return tuple(scrub_text(v) if isinstance(v, str) else v for v in args)


def _render(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # a broken format string must not lose the record
        return f"{record.msg} {record.args!r}"
