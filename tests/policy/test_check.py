"""`steward policy check`: valid files pass with a summary; broken ones list every problem."""

from pathlib import Path

import pytest

from steward.cli import app
from tests.conftest import EXAMPLE_FILES

HERE = Path(__file__).parent
BROKEN = HERE / "broken"

# For each broken file: every line the check must print (after "FILE:"), and nothing else.
EXPECTED = {
    "unknown_key": [
        "19: 'retention' is missing in categories > user.account. For example: "
        "retention: {period: P2Y, trigger: created, action: delete}",
        "26: 'retension' is not a known setting in categories > user.account. "
        "Did you mean 'retention'?",
    ],
    "undeclared_purpose": [
        "25: Category 'user.account' is used for purpose 'marketing.newsletter', "
        "which is not declared under purposes.",
    ],
    "consent_without_channel": [
        "50: Purpose 'analytics.reporting' relies on consent but gives people no way to give "
        "it; add consent: {channels: [banner]} or another channel.",
    ],
    "missing_retention": [
        "30: 'retention' is missing in categories > user.behavior. For example: "
        "retention: {period: P2Y, trigger: created, action: delete}",
    ],
    "processor_unneeded_category": [
        "58: Processor 'hosting' receives 'user.behavior', but no purpose it serves uses that "
        "category, so it should not get it.",
    ],
    "malformed_duration": [
        "38: In categories > user.behavior > retention > period: '2 years' is not a period of "
        "time longer than zero; write it like P7Y (7 years), P3M (3 months), P2W (2 weeks) or "
        "P30D (30 days).",
    ],
    "duplicate_key": [
        "30: 'user.account' appears twice in categories (first on line 19); keep one of them.",
        "47: Purpose 'analytics.reporting' is declared but no category is used for it; list it "
        "under a category's purposes or remove it.",
    ],
    "unknown_lawful_basis": [
        "45: 'contrct' is not a valid value for 'lawful_basis' in purposes > essential.service; "
        "use one of 'consent', 'contract', 'legal_obligation', 'vital_interests', 'public_task' "
        "or 'legitimate_interests'.",
    ],
    "interest_not_stated": [
        "42: In purposes > essential.service: a purpose based on legitimate interests must "
        "state the interest in 'legitimate_interest'.",
    ],
    "transfer_without_safeguard": [
        "60: Processor 'hosting' is in US, outside GB: say which safeguard covers the transfer "
        "(transfer_safeguard: adequacy, scc or bcr).",
    ],
    "gdpr_right_missing": [
        "63: GDPR gives people the right 'objection', but the policy does not offer it.",
    ],
    "not_yaml": [
        "23: This is not valid YAML: did not find expected ',' or ']' "
        "(while parsing a flow sequence on line 22).",
    ],
    "analytics_cookies_without_consent": [
        "80: Analytics cookies need consent: give them a purpose whose lawful basis is consent.",
    ],
    "changelog_missing_version": [
        "3: The changelog has no entry for the current version 2; add one with its date and a "
        "summary of the changes.",
    ],
    "wrong_types": [
        "62: 'vetted_date' in processors > hosting should be a date like 2026-01-31.",
        "72: 'response_hours' in inquiries should be a whole number, not 'two days'.",
    ],
    "many_problems": [
        "10: In controller > country: 'UK' is not an ISO country code; use GB.",
        "38: In categories > user.behavior > retention > period: 'forever' is not a period of "
        "time longer than zero; write it like P7Y (7 years), P3M (3 months), P2W (2 weeks) or "
        "P30D (30 days).",
        "42: In purposes > essential.service: a purpose based on legitimate interests must "
        "state the interest in 'legitimate_interest'.",
    ],
}


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_example_policy_passes_with_a_one_line_summary(cli, example):
    result = cli.invoke(app, ["policy", "check", str(example)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{example}: valid. Version ")


def test_the_minimal_policy_is_valid(cli):
    assert cli.invoke(app, ["policy", "check", str(HERE / "minimal.yaml")]).exit_code == 0


def test_every_broken_file_has_an_expectation():
    assert {p.stem for p in BROKEN.glob("*.yaml")} == set(EXPECTED)
    assert len(EXPECTED) >= 10


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_broken_policy_prints_each_problem_with_its_line_and_exits_1(cli, name):
    path = BROKEN / f"{name}.yaml"
    result = cli.invoke(app, ["policy", "check", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"{path}:{line}" for line in EXPECTED[name]]


def test_a_missing_file_is_one_clear_line(cli, tmp_path):
    missing = tmp_path / "nope.yaml"
    result = cli.invoke(app, ["policy", "check", str(missing)])
    assert result.exit_code == 1
    assert result.stderr == f"{missing}:1: The file does not exist.\n"


def test_a_file_that_is_not_a_mapping_is_refused(cli, tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- just\n- a list\n")
    result = cli.invoke(app, ["policy", "check", str(path)])
    assert result.exit_code == 1
    assert "should be a set of settings" in result.stderr


def test_the_check_runs_on_the_configured_policy_by_default(cli, data_dir, monkeypatch):
    from steward.core.settings import get_settings

    monkeypatch.setenv("STEWARD_POLICY", str(data_dir / "policy.yaml"))
    get_settings.cache_clear()
    try:
        result = cli.invoke(app, ["policy", "check"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{data_dir / 'policy.yaml'}: valid.")
