"""The access gate as a table: every role, purpose and person state of the default policy."""

import itertools

import pytest

from steward.access.gate import PersonState, decide
from steward.core.actor import Actor
from steward.policy.active import resolve
from steward.policy.loader import load_policy
from tests.conftest import DEFAULT_EXAMPLE, EXAMPLE_FILES

POLICY = load_policy(DEFAULT_EXAMPLE)
PERSON = "person-1"

# Who may use each purpose, as examples/houston-generator.yaml says it in plain words.
ROLES = {
    "essential.service": {"customer", "agent", "admin"},
    "essential.service.billing": {"billing", "admin"},
    "essential.service.quality": {"call_reviewer", "privacy_officer"},
    "analytics.reporting": {"admin"},
    "operations.legal_compliance": {"billing", "admin", "privacy_officer"},
}
# A category each purpose is declared for, and one it is not.
USED_FOR = {
    "essential.service": "user.contact.email",
    "essential.service.billing": "user.financial",
    "essential.service.quality": "user.communications.call_recording",
    "analytics.reporting": "user.behavior",
    "operations.legal_compliance": "user.financial",
}
BASIS = {
    "essential.service": "contract",
    "essential.service.billing": "contract",
    "essential.service.quality": "legitimate_interests",
    "analytics.reporting": "consent",
    "operations.legal_compliance": "legal_obligation",
}
STATES = {
    "ordinary": PersonState(PERSON),
    "consented": PersonState(PERSON, consents=frozenset(ROLES)),
    "restricted": PersonState(PERSON, restricted=True, consents=frozenset(ROLES)),
    "objecting": PersonState(
        PERSON, objects_to_legitimate_interests=True, consents=frozenset(ROLES)
    ),
}
ACTORS = {
    "the person themself": Actor(role="customer", person_id=PERSON),
    "another customer": Actor(role="customer", person_id="someone-else"),
    **{
        role: Actor(role=role, account_id=f"acc-{role}")
        for role in ("agent", "billing", "call_reviewer", "privacy_officer", "admin")
    },
}


def expected(actor_name: str, purpose: str, state_name: str) -> bool:
    actor = ACTORS[actor_name]
    role_ok = actor.role in ROLES[purpose] and actor_name != "another customer"
    basis = BASIS[purpose]
    state_ok = {
        "ordinary": basis != "consent",
        "consented": True,
        "restricted": basis == "legal_obligation",
        "objecting": basis != "legitimate_interests",
    }[state_name]
    return role_ok and state_ok


@pytest.mark.promise("X2")
@pytest.mark.parametrize(
    "actor_name, purpose, state_name", list(itertools.product(ACTORS, ROLES, STATES))
)
def test_the_gate_allows_exactly_what_role_purpose_and_state_permit(
    actor_name, purpose, state_name
):
    reason = decide(POLICY, ACTORS[actor_name], purpose, STATES[state_name], [USED_FOR[purpose]])
    assert (reason is None) == expected(actor_name, purpose, state_name), reason


def test_staff_act_on_their_own_account_as_customers_do_but_not_on_others():
    billing_self = Actor(role="billing", account_id="b", person_id=PERSON)
    assert (
        decide(
            POLICY, billing_self, "essential.service", STATES["ordinary"], ["user.contact.email"]
        )
        is None
    )
    billing = Actor(role="billing", account_id="b", person_id="someone-else")
    assert (
        decide(POLICY, billing, "essential.service", STATES["ordinary"], ["user.contact.email"])
        == "the role 'billing' may not use 'essential.service'"
    )


def test_a_customer_is_told_why_when_acting_on_someone_else():
    other = ACTORS["another customer"]
    assert (
        decide(POLICY, other, "essential.service", STATES["ordinary"], ["user.contact.email"])
        == "a customer may act only on their own data"
    )


def test_a_purpose_is_refused_for_a_category_the_policy_does_not_use_it_for():
    admin = Actor(role="admin", account_id="a")
    reason = decide(POLICY, admin, "analytics.reporting", STATES["consented"], ["user.financial"])
    assert reason == "the policy does not use 'user.financial' for 'analytics.reporting'"


def test_an_undeclared_purpose_or_category_is_refused():
    admin = Actor(role="admin", account_id="a")
    assert decide(POLICY, admin, "marketing.sale", None, []) == (
        "the policy declares no purpose 'marketing.sale'"
    )
    assert decide(POLICY, admin, "essential.service", None, ["user.biometric"]) == (
        "the policy declares no category holding 'user.biometric'"
    )


def test_column_categories_fall_under_the_policy_category_that_includes_them():
    assert resolve(POLICY, "user.contact.email") == "user.account"
    assert resolve(POLICY, "user.workplace") == "user.profile"
    assert resolve(POLICY, "user.communications.call_recording") == (
        "user.communications.call_recording"
    )
    assert resolve(POLICY, "user.communications.chat") == "user.communications"


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_example_holds_the_columns_of_people_and_accounts(example):
    policy = load_policy(example)
    for category in (
        "user.name",
        "user.contact.email",
        "user.contact.phone_number",
        "user.workplace",
        "user.demographic.date_of_birth",
        "user.authorization.credentials",
    ):
        assert resolve(policy, category) is not None, category


@pytest.mark.promise("R10")
def test_a_limit_on_sensitive_data_leaves_only_the_service_and_the_law():
    usage = POLICY.categories["user.behavior"].model_copy(update={"sensitive": True})
    policy = POLICY.model_copy(update={"categories": {**POLICY.categories, "user.behavior": usage}})
    consented = frozenset({"analytics.reporting"})
    limited = PersonState(PERSON, limits_sensitive=True, consents=consented)
    admin = Actor(role="admin", account_id="acc-admin")

    refused = decide(policy, admin, "analytics.reporting", limited, ["user.behavior"])
    assert refused is not None and "sensitive" in refused
    assert decide(policy, admin, "essential.service.security", limited, ["user.behavior"]) is None
    unlimited = PersonState(PERSON, consents=consented)
    assert decide(policy, admin, "analytics.reporting", unlimited, ["user.behavior"]) is None
    # where the policy marks nothing sensitive, there is nothing to limit
    assert decide(POLICY, admin, "analytics.reporting", limited, ["user.behavior"]) is None


@pytest.mark.promise("R4", "R1")
def test_answering_a_rights_request_is_the_officer_s_or_the_person_s_own():
    restricted = PersonState(PERSON, restricted=True)
    for role in ("agent", "billing", "admin", "call_reviewer"):
        actor = Actor(role=role, account_id=f"acc-{role}")
        assert decide(POLICY, actor, "rights", restricted, ["user.financial"]) is not None
    officer = Actor(role="privacy_officer", account_id="acc-dpo")
    assert decide(POLICY, officer, "rights", restricted, ["user.contact.email"]) is None
    own = Actor(role="customer", person_id=PERSON)
    assert decide(POLICY, own, "rights", restricted, ["user.behavior"]) is None
