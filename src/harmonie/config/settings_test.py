"""Test settings: the real settings, with a fast password hasher (Argon2 is checked by its own test)."""

import os

os.environ.setdefault("HARMONIE_SECURE_COOKIES", "0")
# A fixed, public key for tests only (never a secret): test runs never create var/secrets/encryption.keys, and
# worker subprocesses started by tests inherit it. Tests of the keyring set their own keys.
os.environ.setdefault("HARMONIE_ENCRYPTION_KEYS", "tests:xBmQclLEFBxnS21xKBHd26wviGKMUWeuFyNNqPbdmiI=")
# Tests connect channels to servers on 127.0.0.1 (the local Bluesky network, local token endpoints).
os.environ.setdefault("HARMONIE_ALLOW_LOOPBACK_SERVERS", "1")

from harmonie.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
