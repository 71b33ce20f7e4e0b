from __future__ import annotations

import datetime
import re

import pytest

from security.address import (
    ADDRESS_HASH_HEX_CHARS,
    MIN_ADDRESS_SECRET_BYTES,
    AddressHasher,
    AddressSecretError,
)

DAY = datetime.date(2025, 3, 14)
NEXT_DAY = DAY + datetime.timedelta(days=1)


@pytest.fixture
def hasher() -> AddressHasher:
    return AddressHasher(b"s" * 32)


class TestAddressHasher:
    def test_short_hex(self, hasher: AddressHasher) -> None:
        assert re.fullmatch(
            f"[0-9a-f]{{{ADDRESS_HASH_HEX_CHARS}}}", hasher.hash_address("192.0.2.1", DAY)
        )

    def test_stable_within_a_day(self, hasher: AddressHasher) -> None:
        assert hasher.hash_address("192.0.2.1", DAY) == hasher.hash_address("192.0.2.1", DAY)

    def test_rotates_daily(self, hasher: AddressHasher) -> None:
        assert hasher.hash_address("192.0.2.1", DAY) != hasher.hash_address("192.0.2.1", NEXT_DAY)

    def test_addresses_differ(self, hasher: AddressHasher) -> None:
        assert hasher.hash_address("192.0.2.1", DAY) != hasher.hash_address("192.0.2.2", DAY)

    def test_depends_on_secret(self, hasher: AddressHasher) -> None:
        other = AddressHasher(b"t" * 32)
        assert hasher.hash_address("192.0.2.1", DAY) != other.hash_address("192.0.2.1", DAY)

    @pytest.mark.parametrize(
        ("one", "other"),
        [("192.0.2.1", " 192.0.2.1 "), ("192.0.2.1", "::ffff:192.0.2.1"),
         ("2001:db8::1", "2001:0DB8:0000::0001"), ("2001:db8::1", "[2001:db8::1]"),
         ("2001:db8::1", "2001:db8::ffff:1"), ("testclient", "TestClient")],
    )  # fmt: skip
    def test_equivalent_addresses_hash_alike(
        self, hasher: AddressHasher, one: str, other: str
    ) -> None:
        assert hasher.hash_address(one, DAY) == hasher.hash_address(other, DAY)

    def test_other_ipv6_networks_differ(self, hasher: AddressHasher) -> None:
        assert hasher.hash_address("2001:db8:0:1::1", DAY) != hasher.hash_address(
            "2001:db8:0:2::1", DAY
        )

    def test_short_secret_raises(self) -> None:
        with pytest.raises(AddressSecretError):
            AddressHasher(b"s" * (MIN_ADDRESS_SECRET_BYTES - 1))

    def test_repr_does_not_show_secret(self) -> None:
        assert "sss" not in repr(AddressHasher(b"s" * 32))
