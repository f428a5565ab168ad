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
        "19: 'retention' is missing in categories > user.account. For example: retention: "
        "{period: P2Y, trigger: created, action: delete}",
        "27: 'retension' is not a known setting in categories > user.account. Did you mean "
        "'retention'?",
    ],
    "undeclared_purpose": [
        "26: Category 'user.account' is used for purpose 'marketing.newsletter', which is not "
        "declared under purposes.",
    ],
    "consent_without_channel": [
        "51: Purpose 'analytics.reporting' relies on consent but gives people no way to give "
        "it; add consent: {channels: [banner]} or another channel.",
    ],
    "missing_retention": [
        "31: 'retention' is missing in categories > user.behavior. For example: retention: "
        "{period: P2Y, trigger: created, action: delete}",
    ],
    "processor_unneeded_category": [
        "59: Processor 'hosting' receives 'user.behavior', but no purpose it serves uses that "
        "category, so it should not get it.",
    ],
    "malformed_duration": [
        "39: In categories > user.behavior > retention > period: '2 years' is not a period of "
        "time longer than zero; write it like P7Y (7 years), P3M (3 months), P2W (2 weeks) or "
        "P30D (30 days).",
    ],
    "duplicate_key": [
        "31: 'user.account' appears twice in categories (first on line 19); keep one of them.",
        "48: warning: Purpose 'analytics.reporting' is declared but no category is used for "
        "it; list it under a category's purposes or remove it.",
    ],
    "unknown_lawful_basis": [
        "46: 'contrct' is not a valid value for 'lawful_basis' in purposes > "
        "essential.service; use one of 'consent', 'contract', 'legal_obligation', "
        "'vital_interests', 'public_task' or 'legitimate_interests'.",
    ],
    "interest_not_stated": [
        "43: In purposes > essential.service: a purpose based on legitimate interests must "
        "state the interest in 'legitimate_interest'.",
    ],
    "transfer_without_safeguard": [
        "61: Processor 'hosting' is in the United States, outside the United Kingdom: say "
        "which safeguard covers the transfer (transfer_safeguard: adequacy, scc or bcr).",
    ],
    "gdpr_right_missing": [
        "65: GDPR gives people the right 'objection', but the policy does not offer it.",
    ],
    "not_yaml": [
        "23: This is not valid YAML: did not find expected ',' or ']' (while parsing a flow "
        "sequence on line 22).",
    ],
    "analytics_cookies_without_consent": [
        "82: Analytics cookies need consent: give them a purpose whose lawful basis is consent.",
    ],
    "changelog_missing_version": [
        "3: The changelog has no entry for the current version 2; add one with its date and a "
        "summary of the changes.",
    ],
    "wrong_types": [
        "63: 'vetted_date' in processors > hosting should be a date like 2026-01-31.",
        "73: 'response_hours' in inquiries should be a whole number, not 'two days'.",
    ],
    "many_problems": [
        "10: In controller > country: 'UK' is not an ISO country code; use GB.",
        "39: In categories > user.behavior > retention > period: 'forever' is not a period of "
        "time longer than zero; write it like P7Y (7 years), P3M (3 months), P2W (2 weeks) or "
        "P30D (30 days).",
        "43: In purposes > essential.service: a purpose based on legitimate interests must "
        "state the interest in 'legitimate_interest'.",
        "61: Processor 'hosting' is in the United States, outside the EEA and the UK, and the "
        "policy answers to the GDPR: the data of people in Europe goes abroad to it, so say "
        "which safeguard covers the transfer (transfer_safeguard: adequacy, scc or bcr).",
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


# Each rule of points 2 and 11 of issue 16 on a broken copy of an example: the copy is made
# here by one edit of the example's text, and the message must name the line of the edit.
EXAMPLES = HERE.parents[1] / "examples"


def _broken_copy(tmp_path, example, old, new):
    text = (EXAMPLES / f"{example}.yaml").read_text()
    assert text.count(old) == 1, f"{old!r} is not once in {example}.yaml"
    path = tmp_path / f"{example}.yaml"
    path.write_text(text.replace(old, new))
    return path, text.replace(old, new)


def _line_of(text, needle, after=""):
    start = text.index(after) if after else 0
    return text[: text.index(needle, start)].count("\n") + 1


RULES = [
    (
        "houston-generator",
        "  ccpa_know:\n    deadline_days: 45\n    extension_days: 45\n"
        "    channels: [privacy_center, email]\n    verification: [email_code, data_points]",
        "  ccpa_know:\n    deadline_days: 45\n    extension_days: 45\n"
        "    channels: [privacy_center, email]\n    verification: [session]",
        "channels: [privacy_center, email]\n    verification: [session]",
        "Right 'ccpa_know' is offered by email, but nobody can be verified there with session",
        False,
    ),
    (
        "houston-generator",
        "    contact: privacy@stripe.com\n",
        "",
        "  stripe:",
        "Processor 'stripe' receives personal data but has neither 'contact' nor 'notify_url'",
        False,
    ),
    (
        "printo-gens",
        "    location: US\n    transfer_safeguard: scc  # assumption: the seed names no "
        "safeguard; SCCs are the most protective\n    contract_date: 2024-01-10",
        "    location: US\n    contract_date: 2024-01-10",
        "location: US\n    contract_date: 2024-01-10",
        "Processor 'hosting' is in the United States, outside the EEA and the UK, and the policy "
        "answers to the GDPR",
        False,
    ),
    (
        "printo-gens",
        "    legitimate_interest: Providing the managed print service their employer engaged us "
        "for.  # assumption: the seed states no basis\n",
        "",
        "purposes: [essential.service, essential.service.support]\n    retention:\n"
        "      period: P90D",
        "Category 'system.print_job_metadata' is about 'client_staff', who are not party to a "
        "contract with us, yet purpose 'essential.service' relies on contract",
        False,
    ),
    (
        "it-support-shop",
        "             date of birth, account status",
        "             account status",
        "includes: [user.name, user.contact, user.workplace",
        "Category 'user.account' includes 'user.demographic.date_of_birth', but its fields "
        "never name it",
        False,
    ),
    (
        "it-support-shop",
        "    location: GB\n    contract_date: 2023-04-03",
        "    location: GB\n    transfer_safeguard: scc\n    contract_date: 2023-04-03",
        "transfer_safeguard: scc\n    contract_date: 2023-04-03",
        "warning: Processor 'payvector' is in the United Kingdom, like us, so no data goes "
        "abroad to it",
        True,
    ),
    (
        "compustores",
        "    channels: [privacy_center]\n    verification: [session, email_code]\n",
        "    channels: [privacy_center]\n    verification: [session]\n",
        "channels: [privacy_center]\n    verification: [session]\n",
        "warning: Right 'consent_withdrawal' is offered in the privacy center only to people "
        "signed in (session)",
        True,
    ),
]


@pytest.mark.parametrize(
    ("example", "old", "new", "at", "message", "warning"),
    RULES,
    ids=[f"{r[0]}-{i}" for i, r in enumerate(RULES)],
)
def test_each_rule_fires_on_a_broken_copy_of_an_example_with_its_line(
    cli, tmp_path, example, old, new, at, message, warning
):
    path, text = _broken_copy(tmp_path, example, old, new)
    result = cli.invoke(app, ["policy", "check", str(path)])
    assert result.exit_code == (0 if warning else 1), result.output
    expected = f"{path}:{_line_of(text, at)}: {message}"
    assert any(line.startswith(expected) for line in result.stderr.splitlines()), result.stderr
    if warning:
        assert result.stdout.strip().endswith("1 warning.")


def test_an_unused_purpose_is_a_warning_and_the_policy_still_loads():
    from steward.policy.loader import examine, parse_policy

    text = (HERE / "minimal.yaml").read_text()
    text = text.replace(
        "processors:\n",
        "  operations.fraud:\n    name: Fraud checks\n    description: Checking orders.\n"
        "    lawful_basis: legitimate_interests\n    legitimate_interest: Preventing fraud.\n"
        "    roles: [admin]\nprocessors:\n",
    )
    # serve and init load through parse_policy: a warning does not stop them
    assert parse_policy(text).version == "1"
    line = text[: text.index("  operations.fraud:")].count("\n") + 1
    assert examine(text, "p.yaml").lines() == [
        f"p.yaml:{line}: warning: Purpose 'operations.fraud' is declared but no category is "
        "used for it; list it under a category's purposes or remove it."
    ]


def test_the_desk_findings_are_printed_as_warnings(cli, tmp_path):
    path, text = _broken_copy(
        tmp_path,
        "printo-gens",
        "    purposes: [essential.service, functional.preferences]  # the desk reads your mail "
        "choices",
        "    purposes: [functional.preferences]",
    )
    result = cli.invoke(app, ["policy", "check", str(path)])
    assert result.exit_code == 0
    line = _line_of(text, "    purposes: [functional.preferences]")
    assert f"{path}:{line}: warning: " in result.stderr
    assert "user.preferences" in result.stderr


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_example_has_no_warning(cli, example):
    result = cli.invoke(app, ["policy", "check", str(example)])
    assert result.stderr == ""
