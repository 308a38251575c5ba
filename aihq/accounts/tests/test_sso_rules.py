"""The single sign-on rules as pure functions: claims, usernames, which roles a login grants."""

from __future__ import annotations

from dataclasses import dataclass

from aihq.accounts.sso import claim_values, granted_roles, is_true, unique_username, username_base


@dataclass
class Rule:
    claim: str
    value: str
    role: str
    organisation_id: int | None


def test_claim_values_read_lists_single_values_and_absent_claims():
    claims = {"groups": ["a", "b", None], "department": "health", "admin": True, "level": 3}
    assert claim_values(claims, "groups") == {"a", "b"}
    assert claim_values(claims, "department") == {"health"}
    assert claim_values(claims, "admin") == {"true"}
    assert claim_values(claims, "level") == {"3"}
    assert claim_values(claims, "missing") == frozenset()


def test_a_mapping_grants_its_role_when_the_claim_has_the_value():
    rules = [
        Rule("groups", "analysts", "editor", 1),
        Rule("groups", "hq", "hq_admin", None),
        Rule("department", "health", "viewer", 2),
    ]
    assert granted_roles(rules, {"groups": ["analysts", "other"], "department": "health"}) == {
        ("editor", 1),
        ("viewer", 2),
    }
    assert granted_roles(rules, {"groups": "hq"}) == {("hq_admin", None)}
    assert granted_roles(rules, {}) == set()


def test_values_are_matched_exactly():
    rules = [Rule("groups", "Analysts", "editor", 1)]
    assert granted_roles(rules, {"groups": ["analysts", "Analysts-2"]}) == set()


def test_email_verified_is_true_only_when_the_provider_says_so():
    assert is_true(True)
    assert is_true("true")
    assert is_true(" TRUE ")
    assert not is_true(False)
    assert not is_true("false")
    assert not is_true(None)
    assert not is_true(1)


def test_username_comes_from_the_claim_then_the_email_then_the_subject():
    assert username_base({"preferred_username": "alice"}, "preferred_username") == "alice"
    assert username_base({"email": "bob.smith@example.org"}, "preferred_username") == "bob.smith"
    assert username_base({"preferred_username": "Анна Иванова"}, "preferred_username") == "Анна-Иванова"
    assert username_base({"upn": "c@corp"}, "upn") == "c@corp"
    made = username_base({"sub": "1234"}, "preferred_username")
    assert made.startswith("sso-")
    assert made == username_base({"sub": "1234"}, "preferred_username")
    assert username_base({"preferred_username": "///", "sub": "1"}, "preferred_username").startswith("sso-")


def test_unique_username_adds_a_number_and_fits_the_field():
    taken = {"alice", "alice-2"}
    assert unique_username("bob", taken.__contains__) == "bob"
    assert unique_username("alice", taken.__contains__) == "alice-3"
    long = "x" * 150
    assert unique_username(long, {long}.__contains__) == "x" * 148 + "-2"
