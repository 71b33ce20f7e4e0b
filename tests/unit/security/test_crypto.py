from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from security.crypto import (
    KEY_BYTES,
    MIN_HASH_KEY_BYTES,
    NONCE_BYTES,
    TAG_BYTES,
    DecryptionError,
    KeyFormatError,
    decrypt,
    derive_key,
    encrypt,
    generate_data_key,
    keyed_hash,
    load_master_key,
    unwrap_key,
    wrap_key,
)

AAD = b"chat:abc|seq:1"


class TestDataKeys:
    def test_data_key_has_key_length(self) -> None:
        assert len(generate_data_key()) == KEY_BYTES

    def test_data_keys_differ(self) -> None:
        assert len({generate_data_key() for _ in range(32)}) == 32


class TestEncryption:
    @given(plaintext=st.binary(max_size=512), aad=st.binary(max_size=64))
    def test_round_trip(self, plaintext: bytes, aad: bytes) -> None:
        key = generate_data_key()
        assert decrypt(key, encrypt(key, plaintext, aad), aad) == plaintext

    def test_blob_is_nonce_then_ciphertext_and_tag(self) -> None:
        blob = encrypt(generate_data_key(), b"hej", AAD)
        assert len(blob) == NONCE_BYTES + len(b"hej") + TAG_BYTES

    def test_same_plaintext_encrypts_differently(self) -> None:
        key = generate_data_key()
        assert encrypt(key, b"hej", AAD) != encrypt(key, b"hej", AAD)

    def test_plaintext_does_not_appear_in_blob(self) -> None:
        plaintext = b"my father must not know" * 4
        assert plaintext not in encrypt(generate_data_key(), plaintext, AAD)

    def test_wrong_key_raises(self) -> None:
        blob = encrypt(generate_data_key(), b"hej", AAD)
        with pytest.raises(DecryptionError):
            decrypt(generate_data_key(), blob, AAD)

    def test_wrong_aad_raises(self) -> None:
        key = generate_data_key()
        blob = encrypt(key, b"hej", AAD)
        with pytest.raises(DecryptionError):
            decrypt(key, blob, b"chat:abc|seq:2")

    @given(position=st.integers(min_value=0, max_value=NONCE_BYTES + 3 + TAG_BYTES - 1))
    def test_any_flipped_bit_raises(self, position: int) -> None:
        key = generate_data_key()
        blob = bytearray(encrypt(key, b"hej", AAD))
        blob[position] ^= 0x01
        with pytest.raises(DecryptionError):
            decrypt(key, bytes(blob), AAD)

    @pytest.mark.parametrize("length", [0, 1, NONCE_BYTES, NONCE_BYTES + TAG_BYTES - 1])
    def test_short_blob_raises(self, length: int) -> None:
        with pytest.raises(DecryptionError):
            decrypt(generate_data_key(), b"\x00" * length, AAD)

    def test_truncated_blob_raises(self) -> None:
        key = generate_data_key()
        blob = encrypt(key, b"hej hej", AAD)
        with pytest.raises(DecryptionError):
            decrypt(key, blob[:-1], AAD)

    @pytest.mark.parametrize("length", [0, 16, 31, 33])
    def test_bad_key_length_raises_key_format_error(self, length: int) -> None:
        with pytest.raises(KeyFormatError):
            encrypt(b"k" * length, b"hej", AAD)
        with pytest.raises(KeyFormatError):
            decrypt(b"k" * length, b"\x00" * 64, AAD)


class TestKeyWrapping:
    def test_round_trip(self) -> None:
        master, data_key = generate_data_key(), generate_data_key()
        wrapped = wrap_key(master, data_key, b"chat:1")
        assert unwrap_key(master, wrapped, b"chat:1") == data_key
        assert data_key not in wrapped

    def test_other_context_raises(self) -> None:
        master = generate_data_key()
        wrapped = wrap_key(master, generate_data_key(), b"chat:1")
        with pytest.raises(DecryptionError):
            unwrap_key(master, wrapped, b"chat:2")

    def test_other_master_raises(self) -> None:
        wrapped = wrap_key(generate_data_key(), generate_data_key(), b"chat:1")
        with pytest.raises(DecryptionError):
            unwrap_key(generate_data_key(), wrapped, b"chat:1")

    def test_message_blob_is_not_a_wrapped_key(self) -> None:
        # A blob from encrypt() under the master key must not unwrap, even with the same AAD.
        master = generate_data_key()
        blob = encrypt(master, generate_data_key(), b"chat:1")
        with pytest.raises(DecryptionError):
            unwrap_key(master, blob, b"chat:1")

    def test_wrapped_key_is_not_a_message_blob(self) -> None:
        master = generate_data_key()
        wrapped = wrap_key(master, generate_data_key(), b"chat:1")
        with pytest.raises(DecryptionError):
            decrypt(master, wrapped, b"chat:1")

    def test_short_data_key_is_refused(self) -> None:
        with pytest.raises(KeyFormatError):
            wrap_key(generate_data_key(), b"short", b"chat:1")


class TestLoadMasterKey:
    KEY = bytes(range(KEY_BYTES - 2)) + b"\xfb\xff"  # has '+/' or '-_' in its base64

    def test_standard_base64(self) -> None:
        assert load_master_key(base64.b64encode(self.KEY).decode()) == self.KEY

    def test_urlsafe_base64(self) -> None:
        text = base64.urlsafe_b64encode(self.KEY).decode()
        assert "-" in text or "_" in text
        assert load_master_key(text) == self.KEY

    def test_surrounding_whitespace(self) -> None:
        text = "  \t" + base64.b64encode(self.KEY).decode() + "\n"
        assert load_master_key(text) == self.KEY

    def test_missing_padding(self) -> None:
        assert load_master_key(base64.b64encode(self.KEY).decode().rstrip("=")) == self.KEY

    @pytest.mark.parametrize("length", [0, 16, 31, 33, 64])
    def test_wrong_length(self, length: int) -> None:
        with pytest.raises(KeyFormatError, match=f"exactly {KEY_BYTES} bytes"):
            load_master_key(base64.b64encode(b"x" * length).decode())

    @pytest.mark.parametrize(
        "text",
        ["not base64 at all!!", "c2VjcmV0IGtleSB3aXRoIGEg*HlwbyBpbiBpdCBhYmNkZWY=", "åäö", "a b c"],
    )
    def test_garbage(self, text: str) -> None:
        with pytest.raises(KeyFormatError) as excinfo:
            load_master_key(text)
        assert text not in str(excinfo.value)
        assert excinfo.value.__cause__ is None

    def test_error_never_echoes_input(self) -> None:
        text = base64.b64encode(b"y" * 31).decode()
        with pytest.raises(KeyFormatError) as excinfo:
            load_master_key(text)
        assert text not in str(excinfo.value)
        assert text.rstrip("=") not in repr(excinfo.value)


class TestDeriveKey:
    def test_is_deterministic_and_key_length(self) -> None:
        key = derive_key(b"correct horse", b"salt", b"fristad/test")
        assert len(key) == KEY_BYTES
        assert key == derive_key(b"correct horse", b"salt", b"fristad/test")

    @pytest.mark.parametrize(
        ("secret", "salt", "info"),
        [
            (b"other", b"salt", b"fristad/test"),
            (b"correct horse", b"pepper", b"fristad/test"),
            (b"correct horse", b"salt", b"fristad/other"),
        ],
    )
    def test_every_input_matters(self, secret: bytes, salt: bytes, info: bytes) -> None:
        assert derive_key(secret, salt, info) != derive_key(
            b"correct horse", b"salt", b"fristad/test"
        )

    def test_rfc5869_test_case_1(self) -> None:
        ikm = bytes.fromhex("0b" * 22)
        salt = bytes.fromhex("000102030405060708090a0b0c")
        info = bytes.fromhex("f0f1f2f3f4f5f6f7f8f9")
        expected = bytes.fromhex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf")
        assert derive_key(ikm, salt, info) == expected


class TestKeyedHash:
    def test_hex_and_deterministic(self) -> None:
        key = generate_data_key()
        digest = keyed_hash(key, b"blue-river-seven")
        assert len(digest) == 64
        assert int(digest, 16) >= 0
        assert digest == keyed_hash(key, b"blue-river-seven")

    def test_depends_on_key_and_data(self) -> None:
        key = generate_data_key()
        assert keyed_hash(key, b"a") != keyed_hash(key, b"b")
        assert keyed_hash(key, b"a") != keyed_hash(generate_data_key(), b"a")

    def test_rfc4231_test_case_6(self) -> None:
        key = b"\xaa" * 131
        data = b"Test Using Larger Than Block-Size Key - Hash Key First"
        assert keyed_hash(key, data) == (
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        )

    def test_short_key_is_refused(self) -> None:
        with pytest.raises(KeyFormatError):
            keyed_hash(b"k" * (MIN_HASH_KEY_BYTES - 1), b"data")
