from __future__ import annotations

import base64
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from hypothesis import given
from hypothesis import strategies as st

from security.totp import (
    MAX_TOTP_INPUT_CHARS,
    MIN_TOTP_SECRET_BYTES,
    TOTP_DIGITS,
    TOTP_SECRET_BYTES,
    TOTP_SKEW_STEPS,
    TOTP_STEP_SECS,
    TotpSecretError,
    new_totp_secret,
    provisioning_uri,
    verify_totp,
)

# RFC 6238 appendix B: the SHA1 secret, and times with their 8-digit codes (we use 6 digits).
RFC_SECRET = b"12345678901234567890"
NOW = 1_111_111_111.0
STEP = int(NOW // TOTP_STEP_SECS)


def code_at(step: int, secret: bytes = RFC_SECRET) -> str:
    totp = TOTP(secret, TOTP_DIGITS, SHA1(), TOTP_STEP_SECS)  # noqa: S303
    return totp.generate(step * TOTP_STEP_SECS).decode()


class TestSecret:
    def test_length(self) -> None:
        assert len(new_totp_secret()) == TOTP_SECRET_BYTES

    def test_secrets_differ(self) -> None:
        assert new_totp_secret() != new_totp_secret()


class TestVerifyRfcVectors:
    @pytest.mark.parametrize(
        ("now", "code"),
        [(59, "287082"), (1111111109, "081804"), (1111111111, "050471"),
         (1234567890, "005924"), (2000000000, "279037")],
    )  # fmt: skip
    def test_rfc6238_vector(self, now: float, code: str) -> None:
        assert verify_totp(RFC_SECRET, code, now, None) == now // TOTP_STEP_SECS


class TestSkew:
    @pytest.mark.parametrize("offset", range(-TOTP_SKEW_STEPS, TOTP_SKEW_STEPS + 1))
    def test_neighbouring_steps_are_accepted(self, offset: int) -> None:
        assert verify_totp(RFC_SECRET, code_at(STEP + offset), NOW, None) == STEP + offset

    @pytest.mark.parametrize("offset", [-TOTP_SKEW_STEPS - 1, TOTP_SKEW_STEPS + 1, 10])
    def test_steps_further_away_are_refused(self, offset: int) -> None:
        assert verify_totp(RFC_SECRET, code_at(STEP + offset), NOW, None) is None

    def test_step_boundary(self) -> None:
        start = STEP * TOTP_STEP_SECS
        assert verify_totp(RFC_SECRET, code_at(STEP + 2), start + TOTP_STEP_SECS, None) == STEP + 2
        assert (
            verify_totp(RFC_SECRET, code_at(STEP + 2), start + TOTP_STEP_SECS - 0.001, None) is None
        )


class TestReplay:
    def test_same_code_twice_is_refused(self) -> None:
        code = code_at(STEP)
        used = verify_totp(RFC_SECRET, code, NOW, None)
        assert used == STEP
        assert verify_totp(RFC_SECRET, code, NOW, used) is None
        assert verify_totp(RFC_SECRET, code, NOW + 1, used) is None

    def test_earlier_code_after_later_one_is_refused(self) -> None:
        used = verify_totp(RFC_SECRET, code_at(STEP + 1), NOW, None)
        assert used == STEP + 1
        assert verify_totp(RFC_SECRET, code_at(STEP), NOW, used) is None
        assert verify_totp(RFC_SECRET, code_at(STEP - 1), NOW, used) is None

    def test_next_code_is_accepted(self) -> None:
        used = verify_totp(RFC_SECRET, code_at(STEP - 1), NOW, None)
        assert verify_totp(RFC_SECRET, code_at(STEP), NOW, used) == STEP


class TestInput:
    @pytest.mark.parametrize("spaced", ["050 471", " 050471 ", "05 04 71", "\t050471\n"])
    def test_whitespace_is_ignored(self, spaced: str) -> None:
        assert verify_totp(RFC_SECRET, spaced, NOW, None) == STEP

    @pytest.mark.parametrize(
        "bad",
        ["", "05047", "0504711", "05047a", "-50471", "+50471", "05047.",
         "\u0660\u0665\u0660\u0664\u0667\u0661", "\uff10\uff15\uff10\uff14\uff17\uff11",
         "050471" + " " * MAX_TOTP_INPUT_CHARS],
    )  # fmt: skip
    def test_malformed_is_refused(self, bad: str) -> None:
        assert verify_totp(RFC_SECRET, bad, NOW, None) is None

    @given(code=st.text(max_size=40))
    def test_any_text_returns_a_step_or_none(self, code: str) -> None:
        result = verify_totp(RFC_SECRET, code, NOW, None)
        assert result is None or STEP - TOTP_SKEW_STEPS <= result <= STEP + TOTP_SKEW_STEPS

    def test_other_secret_is_refused(self) -> None:
        assert verify_totp(b"another secret, 20 b", code_at(STEP), NOW, None) is None

    def test_short_secret_raises(self) -> None:
        with pytest.raises(TotpSecretError):
            verify_totp(b"x" * (MIN_TOTP_SECRET_BYTES - 1), "123456", NOW, None)

    def test_time_near_epoch_has_no_negative_steps(self) -> None:
        assert verify_totp(RFC_SECRET, code_at(0), 1.0, None) == 0


class TestProvisioningUri:
    def test_shape(self) -> None:
        secret = new_totp_secret()
        uri = provisioning_uri(secret, "anna")
        parts = urlsplit(uri)
        assert (parts.scheme, parts.netloc, unquote(parts.path)) == (
            "otpauth",
            "totp",
            "/Fristad:anna",
        )
        query = parse_qs(parts.query)
        assert query["issuer"] == ["Fristad"]
        assert query["algorithm"] == ["SHA1"]
        assert query["digits"] == [str(TOTP_DIGITS)]
        assert query["period"] == [str(TOTP_STEP_SECS)]
        encoded = query["secret"][0]
        assert encoded == encoded.upper()
        assert "=" not in encoded
        assert base64.b32decode(encoded + "=" * (-len(encoded) % 8)) == secret

    def test_unpadded_secret_of_odd_length(self) -> None:
        uri = provisioning_uri(b"s" * 17, "anna")
        assert "%3D" not in uri
        assert "=" not in parse_qs(urlsplit(uri).query)["secret"][0]

    def test_label_is_escaped(self) -> None:
        uri = provisioning_uri(new_totp_secret(), "a:b c/d", issuer="Fristad Test")
        path = urlsplit(uri).path
        assert path == "/Fristad%20Test:a%3Ab%20c%2Fd"
        assert parse_qs(urlsplit(uri).query)["issuer"] == ["Fristad Test"]

    def test_short_secret_raises(self) -> None:
        with pytest.raises(TotpSecretError):
            provisioning_uri(b"short", "anna")
