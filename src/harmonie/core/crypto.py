"""Encryption at rest for secrets (network tokens, app passwords, OAuth client secrets): AES-256-GCM with a keyring.

**Ciphertext format** (one ASCII string, stored in a text column)::

    v1:<key id>:<base64 of 12-byte nonce + ciphertext + 16-byte tag>

The version and key id are in clear so that a reader knows which key to use and ``encryption_rotate`` knows
which rows still use an old key. Both are also bound into the associated data together with the caller's
``aad`` (which names the row and the column, e.g. ``connectors.channelconnection:42:access_token``): a value
copied into another row or column, or relabelled with another key id, fails to decrypt. The empty string
stands for "no secret" and is stored as the empty string (there is nothing to protect).

**Keys.** A keyring is an ordered list of ``<id>:<base64 32-byte key>`` entries; the first is the *current* key
(used to encrypt), the others are only used to decrypt values not yet rotated. It comes from, in this order:

1. the environment variable ``HARMONIE_ENCRYPTION_KEYS`` (entries separated by commas), else
2. the key file ``HARMONIE_ENCRYPTION_KEY_FILE`` (one entry per line, ``#`` comments allowed), by default
   ``var/secrets/encryption.keys`` (under ``HARMONIE_VAR_DIR``).

**First start.** When neither is configured (no environment variable, no ``HARMONIE_ENCRYPTION_KEY_FILE`` and no
default key file), a fresh key is created in the default key file (folder mode 0700, file mode 0600), whatever
``HARMONIE_DEBUG`` says, and a warning is logged asking to back it up: ``harmonie run`` on a fresh machine must
work, exactly as the secret key file next to it does. The file is created atomically (written aside, then
hard-linked into place), so several processes starting at once end up with the same single key. Creation is
refused, with a message saying what to fix, when ``HARMONIE_ENCRYPTION_KEY_FILE`` names a file that does not
exist: an explicit setting pointing nowhere is a mistake (an unmounted secrets volume), and a new key there would
leave every stored secret unreadable. Keys never go into the repository (``var/`` is ignored by git).

**Rotation.** Generate a key (``python -c "from harmonie.core.crypto import generate_key_entry as g; print(g())"``),
put it *first* in the keyring, keep the old ones after it, restart, run ``harmonie_rotate_keys`` (re-encrypts
every stored secret with the current key and prints how many), then remove the old keys.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
import os
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

logger = logging.getLogger(__name__)

FORMAT_VERSION = "v1"
KEYS_ENV = "HARMONIE_ENCRYPTION_KEYS"
KEY_FILE_ENV = "HARMONIE_ENCRYPTION_KEY_FILE"
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class EncryptionError(Exception):
    """A secret cannot be encrypted or decrypted. The message says what to fix; it never holds a secret."""


class KeyMissing(EncryptionError):
    """No usable keyring, or the key a value was encrypted with is not in it."""


class DecryptionFailed(EncryptionError):
    """The value is malformed, was encrypted for another row or column, or the key with its id is not the one
    used to encrypt it."""


@dataclass(frozen=True)
class Keyring:
    keys: tuple[tuple[str, bytes], ...]  # (id, key), the current one first
    source: str  # where it came from, for error messages

    @property
    def current_id(self) -> str:
        return self.keys[0][0]

    @property
    def ids(self) -> list[str]:
        return [key_id for key_id, _key in self.keys]

    def key(self, key_id: str) -> bytes:
        for kid, key in self.keys:
            if kid == key_id:
                return key
        raise KeyMissing(
            f"The encryption key {key_id!r} is not in the keyring ({self.source}; it holds {', '.join(self.ids)}). "
            f"Add it back (after the current key) to {KEYS_ENV} or to the key file, then run harmonie_rotate_keys "
            "before removing it."
        )


def _decode_key(raw: str, *, key_id: str, source: str) -> bytes:
    text = raw.strip()
    try:
        key = base64.urlsafe_b64decode(text.replace("+", "-").replace("/", "_") + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise KeyMissing(f"The encryption key {key_id!r} in {source} is not valid base64.") from None
    if len(key) != KEY_BYTES:
        raise KeyMissing(
            f"The encryption key {key_id!r} in {source} is {len(key)} bytes long; AES-256 needs {KEY_BYTES} "
            "(generate one with harmonie.core.crypto.generate_key_entry())."
        )
    return key


def parse_keyring(text: str, *, source: str) -> Keyring:
    """``id:base64key`` entries separated by commas or new lines; blank lines and ``#`` comments are skipped."""
    entries: list[tuple[str, bytes]] = []
    for raw_line in text.replace(",", "\n").splitlines():
        line = raw_line.split("#", 1)[0].strip()
        if not line:
            continue
        key_id, sep, raw = line.partition(":")
        key_id = key_id.strip()
        if not sep or not _KEY_ID.match(key_id):
            raise KeyMissing(
                f"A keyring entry in {source} is malformed: write 'id:base64key' (id: letters, digits, - or _)."
            )
        if any(kid == key_id for kid, _k in entries):
            raise KeyMissing(f"The key id {key_id!r} appears twice in {source}: give each key its own id.")
        entries.append((key_id, _decode_key(raw, key_id=key_id, source=source)))
    if not entries:
        raise KeyMissing(f"No encryption key in {source}: add an 'id:base64key' entry.")
    return Keyring(keys=tuple(entries), source=source)


def generate_key_entry(key_id: str | None = None) -> str:
    """A fresh keyring entry, ``k<date>-<random>:<base64 32 bytes>``."""
    kid = key_id or f"k{dt.datetime.now(dt.UTC):%Y%m%d}-{secrets.token_hex(3)}"
    if not _KEY_ID.match(kid):
        raise ValueError("A key id is 1 to 40 letters, digits, - or _.")
    return f"{kid}:{base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()}"


def default_key_file() -> Path:
    """``<var dir>/secrets/encryption.keys``: ``HARMONIE_VAR_DIR``, else the settings' ``VAR_DIR``, else ``var/``."""
    var_dir = os.environ.get("HARMONIE_VAR_DIR")
    if not var_dir and settings.configured:
        var_dir = getattr(settings, "VAR_DIR", None)
    return Path(var_dir or Path(__file__).resolve().parents[3] / "var") / "secrets" / "encryption.keys"


def _create_key_file(path: Path) -> None:
    """Write a one-key file atomically; if another process won the race, keep its file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write("# Harmonie encryption keys: the first is the current one. Back this file up.\n")
            handle.write(generate_key_entry() + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            return
        logger.warning(
            "Created a new encryption key in %s. Back this file up: without it, stored network tokens cannot be "
            "read and every channel must be reconnected.",
            path,
        )
    finally:
        tmp.unlink(missing_ok=True)


_lock = threading.Lock()
_cached: tuple[tuple[object, ...], Keyring] | None = None


def _signature() -> tuple[object, ...]:
    env = os.environ.get(KEYS_ENV, "")
    if env.strip():
        return ("env", env)
    explicit = os.environ.get(KEY_FILE_ENV, "")
    path = Path(explicit) if explicit else default_key_file()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return ("file", str(path), bool(explicit), None)
    return ("file", str(path), bool(explicit), stat.st_mtime_ns, stat.st_size)


def keyring() -> Keyring:
    """The keyring as configured now (re-read when the environment variable or the key file changes)."""
    global _cached  # noqa: PLW0603 - one keyring per process, reloaded when its source changes
    with _lock:
        sig = _signature()
        if _cached is not None and _cached[0] == sig:
            return _cached[1]
        if sig[0] == "env":
            ring = parse_keyring(str(sig[1]), source=f"the environment variable {KEYS_ENV}")
        else:
            path, explicit, stamp = Path(str(sig[1])), bool(sig[2]), sig[3]
            if stamp is None:
                if explicit:
                    raise KeyMissing(
                        f"{KEY_FILE_ENV} names {path}, which does not exist. Mount or restore the key file, or set "
                        f"{KEYS_ENV}; Harmonie creates a key file by itself only at the default place."
                    )
                _create_key_file(path)
                sig = _signature()
            ring = parse_keyring(path.read_text(), source=f"the key file {path}")
        _cached = (sig, ring)
        return ring


def _aad(version: str, key_id: str, aad: str) -> bytes:
    return f"{version}|{key_id}|{aad}".encode()


def _split(token: str) -> tuple[str, str, bytes]:
    version, sep1, rest = token.partition(":")
    key_id, sep2, body = rest.partition(":")
    if version != FORMAT_VERSION or not sep1 or not sep2 or not _KEY_ID.match(key_id):
        raise DecryptionFailed(
            f"This value is not a Harmonie {FORMAT_VERSION} ciphertext ('{FORMAT_VERSION}:<key id>:<data>')."
        )
    try:
        blob = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise DecryptionFailed("This ciphertext's data is not valid base64: the stored value is damaged.") from None
    if len(blob) < NONCE_BYTES + 16:
        raise DecryptionFailed("This ciphertext is too short: the stored value is damaged.")
    return version, key_id, blob


def encrypt(plaintext: str, *, aad: str) -> str:
    """Encrypt with the current key, bound to ``aad`` (name the row and the column). ``""`` stays ``""``."""
    if plaintext == "":
        return ""
    ring = keyring()
    key_id = ring.current_id
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(ring.key(key_id)).encrypt(nonce, plaintext.encode(), _aad(FORMAT_VERSION, key_id, aad))
    return f"{FORMAT_VERSION}:{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str, *, aad: str) -> str:
    """The plaintext of ``token``; :class:`DecryptionFailed` if it was made for another ``aad`` or tampered with,
    :class:`KeyMissing` if its key is not in the keyring."""
    if token == "":
        return ""
    version, key_id, blob = _split(token)
    key = keyring().key(key_id)
    try:
        plain = AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], _aad(version, key_id, aad))
    except InvalidTag:
        raise DecryptionFailed(
            f"A stored secret does not decrypt with key {key_id!r}: it was encrypted for another row or column, was "
            "changed, or the key with this id is not the one it was encrypted with. Reconnect the channel to store "
            "it again."
        ) from None
    return plain.decode()


def key_id_of(token: str) -> str:
    """The id of the key ``token`` was encrypted with (``""`` for the empty value)."""
    if token == "":
        return ""
    return _split(token)[1]


def needs_rotation(token: str) -> bool:
    return token != "" and key_id_of(token) != keyring().current_id


def rotate(token: str, *, aad: str) -> str:
    """``token`` re-encrypted with the current key (unchanged when it already uses it)."""
    if not needs_rotation(token):
        return token
    return encrypt(decrypt(token, aad=aad), aad=aad)
