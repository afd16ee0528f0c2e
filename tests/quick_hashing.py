"""Argon2 with cheap parameters for tests: the same algorithm and hash format, in milliseconds.

The project's own parameters cost about a third of a second per password, which every user a test creates
would pay; tests/accounts checks the real configuration separately.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64
    parallelism = 1


QUICK_HASHERS = [
    "tests.quick_hashing.QuickArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
