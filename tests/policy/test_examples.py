"""The default example states the seed's retention schedule, and publishes it in plain words."""

import pytest

from steward.cli import app
from steward.policy.loader import load_policy
from tests.conftest import DEFAULT_EXAMPLE

# COMMITMENTS.md T1, as the Houston generator company's policy (seed 000/001) states it.
SEED_SCHEDULE = {
    "user.account": ("P7Y", "account_closure", "7 years after your account is closed"),
    "user.behavior": ("P2Y", "created", "2 years after it is collected"),
    "user.financial": ("P7Y", "created", "7 years after it is collected"),
    "user.communications": ("P3Y", "last_activity", "3 years after your last activity with us"),
    "user.device": ("P1Y", "created", "1 year after it is collected"),
    "user.communications.call_recording": ("P3M", "created", "3 months after it is collected"),
}


@pytest.mark.promise("T1")
def test_the_default_policy_states_the_seed_retention_schedule_and_publishes_it(cli):
    policy = load_policy(DEFAULT_EXAMPLE)
    published = cli.invoke(app, ["policy", "render", str(DEFAULT_EXAMPLE)]).stdout
    for key, (period, trigger, words) in SEED_SCHEDULE.items():
        rule = policy.categories[key].retention
        assert (str(rule.period), rule.trigger) == (period, trigger), key
        assert f"| {policy.categories[key].name} | {words}, then" in published


def test_call_recordings_are_reachable_only_by_the_few_roles_that_review_calls():
    policy = load_policy(DEFAULT_EXAMPLE)
    recordings = policy.categories["user.communications.call_recording"]
    roles = {role for p in recordings.purposes for role in policy.purposes[p].roles}
    assert roles == {"call_reviewer", "privacy_officer"}
