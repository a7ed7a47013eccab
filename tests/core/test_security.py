"""Passwords are hashed with a salt and checked; tokens are stored as digests."""

from __future__ import annotations

import hashlib

from roost.core.security import (
    hash_password,
    new_token,
    same_digest,
    token_digest,
    verify_password,
)
from roost.core.settings import Settings, get_settings, use_settings


def test_a_password_hash_verifies_the_password_and_rejects_others() -> None:
    hashed = hash_password("correct horse")
    assert "correct horse" not in hashed
    assert verify_password(hashed, "correct horse")
    assert not verify_password(hashed, "correct horsE")
    assert not verify_password(hashed, "")


def test_the_same_password_hashes_differently_each_time() -> None:
    first, second = hash_password("same"), hash_password("same")
    assert first != second  # salted
    assert verify_password(first, "same") and verify_password(second, "same")


def test_a_malformed_hash_rejects_instead_of_raising() -> None:
    assert not verify_password("not a hash", "anything")
    assert not verify_password("", "anything")


def test_tokens_are_random_and_url_safe() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    for token in tokens:
        assert len(token) >= 43  # 32 random bytes
        assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_a_token_digest_is_its_sha256_and_matches_only_that_token() -> None:
    token = new_token()
    digest = token_digest(token)
    assert digest == hashlib.sha256(token.encode()).hexdigest()
    assert token_digest(token) == digest  # stable: it is what the database looks up
    assert same_digest(token, digest)
    assert not same_digest(new_token(), digest)


def test_a_server_hashes_with_rfc_9106s_low_memory_profile_and_checks_any() -> None:
    """The default: 64 MiB, 3 passes, 4 lanes. A hash made under another profile (the
    tests' cheapest) still verifies: each hash names its own parameters."""
    before = get_settings()
    cheap = hash_password("correct horse")  # the test run's profile
    assert Settings.model_fields["password_hash_profile"].default == "RFC_9106_LOW_MEMORY"
    use_settings(before.model_copy(update={"password_hash_profile": "RFC_9106_LOW_MEMORY"}))
    try:
        hashed = hash_password("correct horse")
        assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        assert verify_password(hashed, "correct horse")
        assert verify_password(cheap, "correct horse")
        assert not verify_password(cheap, "correct horsE")
    finally:
        use_settings(before)
