"""Under each of the five example policies, every right it offers is asked through every
channel it names for it (and every inquiry channel), verified as that channel allows,
fulfilled by the privacy officer and answered: a right or channel an example declares that
Steward cannot serve fails here."""

from datetime import timedelta

import pytest

from steward.core import clock
from steward.policy.loader import load_policy
from tests.conftest import EXAMPLE_FILES
from tests.rights.channels_kit import Asker, cases, use_example


@pytest.fixture(params=EXAMPLE_FILES, ids=lambda p: p.stem)
def example(request, data_dir):
    """The example in place of the default policy; ask for it before `app`."""
    return use_example(data_dir, request.param)


@pytest.mark.promise("R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10")
def test_every_right_through_every_channel_reaches_its_answer(
    example, officer, mailbox, new_client, identity_settings
):
    policy = load_policy(example)
    asker = Asker(policy, officer.browser, mailbox, new_client, identity_settings)
    asked = []
    for kind, channel in cases(policy):
        reference, address = asker.ask(kind, channel)
        asker.fulfil(reference)
        asked.append((reference, address))
    asker.run_erasures(clock.now() + timedelta(days=60))  # past every erasure's grace
    for reference, address in asked:
        asker.answered(reference, address)
