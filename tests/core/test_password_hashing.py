"""Production hashing is Argon2 (the test suite swaps in a fast hasher, see tests/conftest.py)."""

import importlib


def test_passwords_are_hashed_with_argon2_first():
    production = importlib.import_module("fengkong.settings")
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_the_argon2_hasher_really_hashes_and_verifies():
    from django.contrib.auth.hashers import Argon2PasswordHasher

    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("Correct-horse-9", hasher.salt())
    assert encoded.startswith("argon2$") and hasher.verify("Correct-horse-9", encoded)
    assert not hasher.verify("wrong-horse-9", encoded)
