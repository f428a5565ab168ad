"""Point 12 of issue 16: every refusal the gate can give reads as a sentence for people, never
the policy's keys (the audit trail keeps those)."""

import pytest

from steward.access.refusal_words import SENTENCES, in_plain_words
from steward.policy.loader import load_policy
from tests.conftest import EXAMPLES

POLICY = load_policy(EXAMPLES / "it-support-shop.yaml")


@pytest.mark.parametrize("start", [start for start, _ in SENTENCES])
@pytest.mark.parametrize("own", [True, False])
def test_each_refusal_is_a_plain_sentence(start, own):
    reason = f"{start} 'user.device' for 'essential.service.support'"
    said = in_plain_words(POLICY, "agent", own, "essential.service", ["user.device"], reason)
    assert said.endswith(".") and "{" not in said
    assert "user." not in said and "essential." not in said and "'" not in said


def test_an_unknown_reason_still_reads_plainly():
    said = in_plain_words(POLICY, "agent", False, "x", ["user.device"], "something new")
    assert said == "The privacy policy does not allow this."
