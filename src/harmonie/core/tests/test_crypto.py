"""AES-256-GCM with a keyring: the ciphertext format, values bound to their row and column, rotation, where keys
come from (environment, key file, a key file made on first start) and the messages that say what to fix."""

from __future__ import annotations

import base64
import os
import stat
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harmonie.core import crypto

KEY_A = "alpha:" + base64.b64encode(bytes(range(32))).decode()
KEY_B = "beta:" + base64.b64encode(bytes(range(100, 132))).decode()
AAD = "connectors.channelconnection:7:access_token"


@pytest.fixture(autouse=True)
def keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HARMONIE_ENCRYPTION_KEYS", KEY_A)
    monkeypatch.delenv("HARMONIE_ENCRYPTION_KEY_FILE", raising=False)
    monkeypatch.setenv("HARMONIE_VAR_DIR", str(tmp_path / "var"))


def test_round_trip_and_format():
    token = crypto.encrypt("ya29.a0AfH6SMBx-secret", aad=AAD)

    version, key_id, body = token.split(":")
    assert (version, key_id) == ("v1", "alpha")
    assert len(base64.b64decode(body)) == 12 + len(b"ya29.a0AfH6SMBx-secret") + 16
    assert "secret" not in token
    assert crypto.decrypt(token, aad=AAD) == "ya29.a0AfH6SMBx-secret"
    assert crypto.encrypt("ya29.a0AfH6SMBx-secret", aad=AAD) != token  # a fresh nonce each time
    assert crypto.key_id_of(token) == "alpha"


def test_the_empty_value_stays_empty():
    assert crypto.encrypt("", aad=AAD) == ""
    assert crypto.decrypt("", aad=AAD) == ""
    assert crypto.needs_rotation("") is False


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_any_text_round_trips(text: str):
    assert crypto.decrypt(crypto.encrypt(text, aad=AAD), aad=AAD) == text


def test_a_value_moved_to_another_row_or_column_does_not_decrypt():
    token = crypto.encrypt("x-refresh-2", aad=AAD)

    for other in ("connectors.channelconnection:8:access_token", "connectors.channelconnection:7:refresh_token"):
        with pytest.raises(crypto.DecryptionFailed) as failed:
            crypto.decrypt(token, aad=other)
        assert str(failed.value) == (
            "A stored secret does not decrypt with key 'alpha': it was encrypted for another row or column, was "
            "changed, or the key with this id is not the one it was encrypted with. Reconnect the channel to store "
            "it again."
        )


def test_tampering_and_relabelling_are_detected(monkeypatch):
    token = crypto.encrypt("x-access-1", aad=AAD)
    version, key_id, body = token.split(":")
    raw = bytearray(base64.b64decode(body))
    raw[-1] ^= 1
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(f"{version}:{key_id}:{base64.b64encode(bytes(raw)).decode()}", aad=AAD)
    # The same bytes relabelled with another key id of the keyring do not decrypt either.
    monkeypatch.setenv("HARMONIE_ENCRYPTION_KEYS", f"{KEY_A},{KEY_B}")
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(f"v1:beta:{body}", aad=AAD)
    with pytest.raises(crypto.DecryptionFailed) as malformed:
        crypto.decrypt("plaintext-token", aad=AAD)
    assert str(malformed.value) == "This value is not a Harmonie v1 ciphertext ('v1:<key id>:<data>')."


def test_rotation_re_encrypts_with_the_first_key_then_the_old_key_can_go(monkeypatch):
    old = crypto.encrypt("x-access-1", aad=AAD)
    monkeypatch.setenv("HARMONIE_ENCRYPTION_KEYS", f"{KEY_B},{KEY_A}")
    assert crypto.needs_rotation(old) is True
    assert crypto.decrypt(old, aad=AAD) == "x-access-1"  # still readable with the old key kept after the new

    new = crypto.rotate(old, aad=AAD)

    assert crypto.key_id_of(new) == "beta"
    assert crypto.rotate(new, aad=AAD) == new  # already on the current key: unchanged
    monkeypatch.setenv("HARMONIE_ENCRYPTION_KEYS", KEY_B)
    assert crypto.decrypt(new, aad=AAD) == "x-access-1"
    with pytest.raises(crypto.KeyMissing) as missing:
        crypto.decrypt(old, aad=AAD)
    assert str(missing.value) == (
        "The encryption key 'alpha' is not in the keyring (the environment variable HARMONIE_ENCRYPTION_KEYS; it "
        "holds beta). Add it back (after the current key) to HARMONIE_ENCRYPTION_KEYS or to the key file, then run "
        "harmonie_rotate_keys before removing it."
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "No encryption key in the environment variable HARMONIE_ENCRYPTION_KEYS: add an 'id:base64key' entry."),
        (
            "no-colon",
            "A keyring entry in the environment variable HARMONIE_ENCRYPTION_KEYS is malformed: write 'id:base64key' "
            "(id: letters, digits, - or _).",
        ),
        (
            "short:" + base64.b64encode(b"0123456789").decode(),
            "The encryption key 'short' in the environment variable HARMONIE_ENCRYPTION_KEYS is 10 bytes long; "
            "AES-256 needs 32 (generate one with harmonie.core.crypto.generate_key_entry()).",
        ),
        (
            f"{KEY_A},{KEY_A}",
            "The key id 'alpha' appears twice in the environment variable HARMONIE_ENCRYPTION_KEYS: give each key "
            "its own id.",
        ),
    ],
)
def test_a_bad_keyring_says_what_to_fix(value, message):
    with pytest.raises(crypto.KeyMissing) as bad:
        crypto.parse_keyring(value, source="the environment variable HARMONIE_ENCRYPTION_KEYS")
    assert str(bad.value) == message


def test_a_key_file_is_made_on_first_use_private_and_shared_by_concurrent_starts(monkeypatch, tmp_path):
    monkeypatch.delenv("HARMONIE_ENCRYPTION_KEYS")
    path = tmp_path / "var" / "secrets" / "encryption.keys"
    assert crypto.default_key_file() == path
    rings: list[crypto.Keyring] = []

    def start() -> None:
        rings.append(crypto.keyring())

    # Several processes starting at once (threads here): one key file, one key for all.
    crypto._cached = None
    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    lines = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    assert len(lines) == 1
    assert {ring.current_id for ring in rings} == {lines[0].split(":")[0]}
    assert sorted(p.name for p in path.parent.iterdir()) == ["encryption.keys"]  # no temporary file left
    token = crypto.encrypt("x-access-1", aad=AAD)
    assert crypto.decrypt(token, aad=AAD) == "x-access-1"


def test_an_existing_key_file_is_read_and_the_environment_wins(monkeypatch, tmp_path):
    path = tmp_path / "keys"
    path.write_text(f"# rotated in November\n{KEY_B}\n{KEY_A}\n")
    monkeypatch.setenv("HARMONIE_ENCRYPTION_KEY_FILE", str(path))
    assert crypto.keyring().current_id == "alpha"  # HARMONIE_ENCRYPTION_KEYS is still set
    monkeypatch.delenv("HARMONIE_ENCRYPTION_KEYS")

    ring = crypto.keyring()

    assert (ring.ids, ring.source) == (["beta", "alpha"], f"the key file {path}")


def test_a_named_key_file_that_is_missing_is_never_created(monkeypatch, tmp_path):
    monkeypatch.delenv("HARMONIE_ENCRYPTION_KEYS")
    missing = tmp_path / "mnt" / "secrets" / "keys"
    monkeypatch.setenv("HARMONIE_ENCRYPTION_KEY_FILE", str(missing))

    with pytest.raises(crypto.KeyMissing) as refused:
        crypto.encrypt("x", aad=AAD)

    assert str(refused.value) == (
        f"HARMONIE_ENCRYPTION_KEY_FILE names {missing}, which does not exist. Mount or restore the key file, or set "
        "HARMONIE_ENCRYPTION_KEYS; Harmonie creates a key file by itself only at the default place."
    )
    assert not missing.exists()
    assert not os.path.exists(missing.parent)


def test_generated_entries_parse_as_32_byte_keys():
    entry = crypto.generate_key_entry("k2026")
    ring = crypto.parse_keyring(entry, source="test")
    assert ring.current_id == "k2026"
    assert len(ring.key("k2026")) == 32
    assert crypto.generate_key_entry() != crypto.generate_key_entry()
