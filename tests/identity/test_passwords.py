"""Stored password hashes use argon2id at the library's recommended cost (the suite lowers
the cost for speed, so this runs in a process of its own)."""

import subprocess
import sys

from argon2 import PasswordHasher, extract_parameters


def test_passwords_are_hashed_with_argon2id_at_the_recommended_cost():
    hashed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from steward.identity import passwords; print(passwords.hash_password('p' * 12))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert hashed.startswith("$argon2id$")
    recommended = PasswordHasher()
    parameters = extract_parameters(hashed)
    assert parameters.memory_cost == recommended.memory_cost
    assert parameters.time_cost == recommended.time_cost
