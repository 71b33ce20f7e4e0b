from __future__ import annotations

import math
import re

import pytest
from argon2 import PasswordHasher, Type

from security.passwords import (
    MAX_PASSWORD_CHARS,
    ONE_TIME_PASSWORD_ALPHABET,
    ONE_TIME_PASSWORD_GROUP_CHARS,
    ONE_TIME_PASSWORD_GROUPS,
    PasswordLengthError,
    generate_one_time_password,
    hash_password,
    needs_rehash,
    verify_password,
)

# Cheap parameters for hashes the tests make directly; they also count as "outdated".
WEAK_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)


@pytest.fixture(scope="module")
def stored() -> str:
    return hash_password("Sommar-2025 är här")


class TestHashing:
    def test_hash_is_argon2id_with_salt(self, stored: str) -> None:
        assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        assert "Sommar" not in stored

    def test_same_password_hashes_differently(self) -> None:
        assert hash_password("x") != hash_password("x")

    def test_empty_password_is_refused(self) -> None:
        with pytest.raises(PasswordLengthError):
            hash_password("")

    def test_overly_long_password_is_refused(self) -> None:
        with pytest.raises(PasswordLengthError, match=str(MAX_PASSWORD_CHARS)):
            hash_password("a" * (MAX_PASSWORD_CHARS + 1))

    def test_longest_password_is_accepted(self) -> None:
        password = "a" * MAX_PASSWORD_CHARS
        assert verify_password(hash_password(password), password)


class TestVerify:
    def test_right_password(self, stored: str) -> None:
        assert verify_password(stored, "Sommar-2025 är här")

    @pytest.mark.parametrize("guess", ["", "sommar-2025 är här", "Sommar-2025 är här "])
    def test_wrong_password(self, stored: str, guess: str) -> None:
        assert not verify_password(stored, guess)

    @pytest.mark.parametrize(
        "bad_hash",
        ["", "garbage", "$argon2id$v=19$m=65536,t=3,p=4$xx$yy", "$2b$12$abcdefghijklmnopqrstuv"],
    )
    def test_malformed_hash_is_false_not_an_error(self, bad_hash: str) -> None:
        assert not verify_password(bad_hash, "anything")

    def test_login_with_overly_long_password(self) -> None:
        # Even the right password is refused past the limit, so nobody can make the server
        # hash megabytes per attempt.
        password = "b" * (MAX_PASSWORD_CHARS + 1)
        long_hash = WEAK_HASHER.hash(password)
        assert not verify_password(long_hash, password)
        assert not verify_password(long_hash, "b" * 1_000_000)


class TestRehash:
    def test_current_hash_needs_no_rehash(self, stored: str) -> None:
        assert not needs_rehash(stored)

    def test_weaker_hash_needs_rehash(self) -> None:
        weak = WEAK_HASHER.hash("x")
        assert verify_password(weak, "x")
        assert needs_rehash(weak)

    def test_malformed_hash_needs_rehash(self) -> None:
        assert needs_rehash("garbage")


class TestOneTimePassword:
    def test_format(self) -> None:
        group = f"[{ONE_TIME_PASSWORD_ALPHABET}]{{{ONE_TIME_PASSWORD_GROUP_CHARS}}}"
        pattern = "-".join([group] * ONE_TIME_PASSWORD_GROUPS)
        for _ in range(50):
            assert re.fullmatch(pattern, generate_one_time_password())

    def test_has_at_least_80_bits(self) -> None:
        chars = ONE_TIME_PASSWORD_GROUPS * ONE_TIME_PASSWORD_GROUP_CHARS
        assert chars * math.log2(len(set(ONE_TIME_PASSWORD_ALPHABET))) >= 80

    def test_alphabet_has_no_look_alikes(self) -> None:
        assert not set("0o1li") & set(ONE_TIME_PASSWORD_ALPHABET)

    def test_passwords_differ(self) -> None:
        assert len({generate_one_time_password() for _ in range(100)}) == 100

    def test_fits_the_password_limit_and_verifies(self) -> None:
        password = generate_one_time_password()
        assert len(password) <= MAX_PASSWORD_CHARS
        assert verify_password(hash_password(password), password)
