from __future__ import annotations

import datetime
import ipaddress
import logging
from typing import Any

import pytest
import structlog
from hypothesis import given
from hypothesis import strategies as st
from uvicorn.logging import AccessFormatter

from security.redaction import (
    IP_PLACEHOLDER,
    REDACTED,
    RedactingFilter,
    is_sensitive_key,
    redact_event,
    scrub_text,
)

# Text around an address: anything but the characters addresses are made of.
surrounding = st.text(alphabet=st.characters(codec="utf-8", exclude_characters=".:"), max_size=30)
# What separates an address from its neighbours in real log lines.
separators = st.sampled_from([" ", "=", "(", ")", "'", '"', ",", ";", "/", "\n", "\t", "<", "|"])


def redact(**event: Any) -> dict[str, Any]:
    return dict(redact_event(None, "info", event))


class TestScrubTextProperties:
    @given(ip=st.ip_addresses(v=4), before=surrounding, after=surrounding)
    def test_ipv4_anywhere_is_removed(
        self, ip: ipaddress.IPv4Address, before: str, after: str
    ) -> None:
        assert str(ip) not in scrub_text(before + str(ip) + after)

    @given(ip=st.ip_addresses(v=4), port=st.integers(0, 65535), before=surrounding, sep=separators)
    def test_ipv4_with_port_is_removed(
        self, ip: ipaddress.IPv4Address, port: int, before: str, sep: str
    ) -> None:
        scrubbed = scrub_text(f"{before}{sep}{ip}:{port} - GET /")
        assert str(ip) not in scrubbed
        assert f"{IP_PLACEHOLDER}:{port} - GET /" in scrubbed

    @given(
        ip=st.ip_addresses(v=6),
        form=st.sampled_from(["compressed", "exploded", "upper"]),
        before=surrounding,
        after=surrounding,
        sep1=separators,
        sep2=separators,
    )
    def test_ipv6_between_separators_is_removed(
        self,
        ip: ipaddress.IPv6Address,
        form: str,
        before: str,
        after: str,
        sep1: str,
        sep2: str,
    ) -> None:
        text = {"compressed": str(ip), "exploded": ip.exploded, "upper": str(ip).upper()}[form]
        scrubbed = scrub_text(before + sep1 + text + sep2 + after)
        assert text not in scrubbed
        assert IP_PLACEHOLDER in scrubbed

    @given(ip=st.ip_addresses(v=6), port=st.integers(0, 65535), before=surrounding)
    def test_bracketed_ipv6_with_port_is_removed(
        self, ip: ipaddress.IPv6Address, port: int, before: str
    ) -> None:
        scrubbed = scrub_text(f"{before} [{ip}]:{port}")
        assert str(ip) not in scrubbed
        assert scrubbed.endswith(f"[{IP_PLACEHOLDER}]:{port}")

    @given(ip=st.ip_addresses(v=6), port=st.integers(0, 65535))
    def test_uvicorn_style_ipv6_with_port_is_removed(
        self, ip: ipaddress.IPv6Address, port: int
    ) -> None:
        # uvicorn's get_client_addr gives f"{host}:{port}" without brackets.
        scrubbed = scrub_text(f'{ip}:{port} - "WebSocket /ws/visit" [accepted]')
        assert str(ip) not in scrubbed
        assert scrubbed.startswith(IP_PLACEHOLDER)

    @given(st.text())
    def test_any_text_is_handled(self, text: str) -> None:
        assert isinstance(scrub_text(text), str)

    @given(st.datetimes(timezones=st.just(datetime.UTC) | st.none()))
    def test_timestamps_are_kept(self, moment: datetime.datetime) -> None:
        for text in (moment.isoformat(), moment.time().isoformat(), str(moment)):
            assert scrub_text(f"at {text} ok") == f"at {text} ok"

    @given(st.lists(st.integers(0, 999), min_size=1, max_size=3))
    def test_versions_are_kept(self, parts: list[int]) -> None:
        version = ".".join(map(str, parts))
        assert scrub_text(f"fristad {version}") == f"fristad {version}"

    @given(st.floats(min_value=0, max_value=1e6, allow_nan=False))
    def test_durations_are_kept(self, seconds: float) -> None:
        for text in (f"{seconds}s", f"{seconds:.3f} ms", str(datetime.timedelta(seconds=seconds))):
            assert scrub_text(text) == text


class TestScrubTextExamples:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ('127.0.0.1:5555 - "WebSocket /ws/visit" [accepted]',
             '[ip]:5555 - "WebSocket /ws/visit" [accepted]'),
            ("::1", "[ip]"),
            ("::1:5555 - x", "[ip] - x"),
            ("[::1]:8000", "[[ip]]:8000"),
            ("fe80::1%eth0 up", "[ip]%eth0 up"),
            ("from ::ffff:1.2.3.4.", "from [ip]."),
            ("[::FFFF:10.0.0.1]:443", "[[ip]]:443"),
            ("2001:db8:0:0:0:0:0:1:5555", "[ip]:5555"),
            ("x-forwarded-for: 203.0.113.7, 198.51.100.2", "x-forwarded-for: [ip], [ip]"),
            ("peer=('10.1.2.3', 443)", "peer=('[ip]', 443)"),
        ],
    )  # fmt: skip
    def test_addresses(self, text: str, expected: str) -> None:
        assert scrub_text(text) == expected

    @pytest.mark.parametrize(
        "text",
        ["12:30:45", "2025-03-14T12:30:45.123456+01:00", "v1.2.3", "took 0.25s", "1:02:03",
         "aa:bb:cc:dd:ee:ff", "std::move", "550e8400-e29b-41d4-a716-446655440000",
         "seq=12 chat=c0ffee", "ratio 3.14", "close 1008", ""],
    )  # fmt: skip
    def test_ordinary_text_is_kept(self, text: str) -> None:
        assert scrub_text(text) == text


class TestSensitiveKeys:
    @pytest.mark.parametrize(
        "key",
        ["text", "body", "message_text", "token", "resume_token", "code", "return_code",
         "password", "totp", "secret", "ip", "client", "client_addr", "remote_addr", "peer",
         "cookie", "authorization", "session", "TEXT", "Authorization", "x_token",
         "resumeToken", "x-resume-token", "authtoken", "session_id", "totp_secret", "clientIP",
         "XRealIP", "x_forwarded_for", "user_agent", "tokens", "master_key", "peername"],
    )  # fmt: skip
    def test_sensitive(self, key: str) -> None:
        assert is_sensitive_key(key)

    @pytest.mark.parametrize(
        "key",
        ["event", "level", "timestamp", "logger", "chat", "seq", "channel", "lang", "position",
         "description", "recipients", "context", "zip", "status_code", "close_code",
         "error_code", "duration_ms", "somebody", "reason"],
    )  # fmt: skip
    def test_not_sensitive(self, key: str) -> None:
        assert not is_sensitive_key(key)


class TestRedactEvent:
    def test_sensitive_values_are_redacted_whole(self) -> None:
        event = redact(event="msg_stored", text="hjälp mig", token="abc", seq=3, code=None)
        assert event == {
            "event": "msg_stored", "text": REDACTED, "token": REDACTED, "seq": 3, "code": REDACTED,
        }  # fmt: skip

    def test_ip_in_other_values_is_scrubbed(self) -> None:
        event = redact(event="failed for 10.0.0.1", detail="refused by ::1", count=2)
        assert event == {"event": "failed for [ip]", "detail": "refused by [ip]", "count": 2}

    def test_nested_containers(self) -> None:
        event = redact(
            event="frame_rejected",
            frame={"type": "msg", "text": "secret words", "meta": {"remote_addr": "x"}},
            hops=["10.0.0.1", ("fe80::1", 80)],
            seen={"192.168.1.1"},
        )
        assert event["frame"] == {
            "type": "msg",
            "text": REDACTED,
            "meta": {"remote_addr": REDACTED},
        }
        assert event["hops"] == ["[ip]", ("[ip]", 80)]
        assert event["seen"] == {"[ip]"}

    def test_ip_address_objects(self) -> None:
        event = redact(event="x", via=ipaddress.ip_address("192.0.2.1"))
        assert event["via"] == IP_PLACEHOLDER

    def test_self_referencing_structure_terminates(self) -> None:
        loop: dict[str, Any] = {"name": "10.0.0.1"}
        loop["self"] = loop
        event = redact(event="x", loop=loop)
        assert event["loop"]["name"] == "[ip]"
        assert REDACTED in repr(event)

    def test_non_string_values_pass_through(self) -> None:
        marker = object()
        assert redact(event="x", n=1.5, flag=True, obj=marker)["obj"] is marker

    def test_as_structlog_processor(self) -> None:
        logger = structlog.wrap_logger(
            structlog.ReturnLogger(),
            processors=[redact_event, structlog.processors.JSONRenderer(sort_keys=True)],
        )
        line = logger.info("visitor_connected", client="1.2.3.4", note="from 10.0.0.1", seq=1)
        assert line == (
            '{"client": "[redacted]", "event": "visitor_connected", "note": "from [ip]", "seq": 1}'
        )


def make_record(msg: object, args: Any, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ConnectionError("Connect call failed ('10.9.8.7', 6379)")
        except ConnectionError as error:
            exc_info = (type(error), error, error.__traceback__)
    return logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, msg, args, exc_info)


class TestRedactingFilter:
    def test_uvicorn_websocket_line(self) -> None:
        record = make_record('%s - "WebSocket %s" [accepted]', ("127.0.0.1:5555", "/ws/visit"))
        assert RedactingFilter().filter(record) is True
        assert record.getMessage() == '[ip]:5555 - "WebSocket /ws/visit" [accepted]'

    def test_uvicorn_access_formatter_still_works(self) -> None:
        record = make_record(
            '%s - "%s %s HTTP/%s" %d', ("[::1]:5555", "GET", "/api/status", "1.1", 200)
        )
        RedactingFilter().filter(record)
        line = AccessFormatter("%(message)s", use_colors=False).format(record)
        assert line == '[[ip]]:5555 - "GET /api/status HTTP/1.1" 200'

    def test_ip_in_message_itself(self) -> None:
        record = make_record("connection from 10.0.0.1 lost", None)
        RedactingFilter().filter(record)
        assert record.getMessage() == "connection from [ip] lost"

    def test_mapping_args(self) -> None:
        record = make_record("%(who)s", ({"who": "::1"},))
        RedactingFilter().filter(record)
        assert record.getMessage() == "[ip]"

    def test_non_plain_args_are_rendered_and_cleared(self) -> None:
        record = make_record("client %s", (("10.0.0.1", 5555),))
        RedactingFilter().filter(record)
        assert record.args is None
        assert record.getMessage() == "client ('[ip]', 5555)"

    def test_non_string_message(self) -> None:
        record = make_record(ValueError("bad peer 10.0.0.1"), None)
        RedactingFilter().filter(record)
        assert record.getMessage() == "bad peer [ip]"

    def test_broken_format_string_is_kept(self) -> None:
        record = make_record("%s and %s from %r", ([1], "10.0.0.1"))
        assert RedactingFilter().filter(record) is True
        assert "10.0.0.1" not in record.getMessage()

    def test_traceback_is_scrubbed(self) -> None:
        record = make_record("redis down", None, exc=True)
        RedactingFilter().filter(record)
        line = logging.Formatter("%(message)s").format(record)
        assert "Connect call failed" in line
        assert "10.9.8.7" not in line

    def test_through_a_real_logger(self, caplog: pytest.LogCaptureFixture) -> None:
        logger = logging.getLogger("tests.redaction")
        redacting = RedactingFilter()
        logger.addFilter(redacting)
        try:
            with caplog.at_level(logging.INFO, logger="tests.redaction"):
                logger.info('%s - "WebSocket %s" [accepted]', "192.0.2.10:5555", "/ws/visit")
        finally:
            logger.removeFilter(redacting)
        assert caplog.messages == ['[ip]:5555 - "WebSocket /ws/visit" [accepted]']
