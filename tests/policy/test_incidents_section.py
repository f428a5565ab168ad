"""X6: the policy's `incidents` section: `policy check` refuses what would make a breach's
clocks wrong, each finding on its line; a law left out gets its defaults; the published
privacy policy says how people are told of a breach."""

import pytest

from steward.cli import app
from steward.policy.breach import terms
from steward.policy.loader import load_policy
from tests.policy.test_check import _broken_copy, _line_of
from tests.policy.test_render import render, squash

pytestmark = pytest.mark.promise("X6")

REFUSALS = [
    (
        "compustores",
        "    ccpa: {people_days: 30, sample_over: 500, sample_days: 15}\n",
        "    ccpa: {people_days: 30, sample_over: 500, sample_days: 15}\n"
        "    gdpr: {authority_hours: 72}\n",
        "gdpr: {authority_hours: 72}",
        "incidents > deadlines names 'gdpr', which the policy does not list under jurisdictions",
    ),
    (
        "emergencysupport",
        "  authorities:\n"
        "    # assumption: EmergencySupport has no establishment in the EU (it is in the USA), so a\n"
        "    # breach of European customers' data is reported to the authority where they live.\n"
        "    gdpr:\n"
        "      name: The data protection authority of each EU member state where the people live\n"
        "      contact: https://www.edpb.europa.eu/about-edpb/about-edpb/members_en\n"
        "      how_to_file: Each authority's online breach notification form, listed by the EDPB.\n",
        "",
        "incidents:",
        "The policy answers to the GDPR but names no authority to report a breach to",
    ),
    (
        "printo-gens",
        "    uk_gdpr: {authority_hours: 72, phased: true}\n  people_told_by",
        "    uk_gdpr: {authority_hours: 96, phased: true}\n  people_told_by",
        "uk_gdpr: {authority_hours: 96",
        "The UK GDPR requires reporting a breach to the authority within 72 hours",
    ),
    (
        "compustores",
        "    ccpa: {people_days: 30, sample_over: 500, sample_days: 15}\n",
        "    ccpa: {people_days: 45, sample_over: 500}\n",
        "ccpa: {people_days: 45",
        "California (CCPA) requires telling the people within 30 calendar days",
    ),
    (
        "compustores",
        "    ccpa: {people_days: 30, sample_over: 500, sample_days: 15}\n",
        "    ccpa: {people_days: 30, sample_over: 500}\n",
        "ccpa: {people_days: 30, sample_over: 500}",
        "A sample notice to the authority needs both sample_over",
    ),
]


@pytest.mark.parametrize(("example", "old", "new", "at", "message"), REFUSALS)
def test_policy_check_refuses_a_breach_section_that_breaks_the_law_with_the_line(
    cli, tmp_path, example, old, new, at, message
):
    path, text = _broken_copy(tmp_path, example, old, new)
    result = cli.invoke(app, ["policy", "check", str(path)])
    assert result.exit_code == 1, result.output
    expected = f"{path}:{_line_of(text, at, after='incidents:')}: {message}"
    assert any(line.startswith(expected) for line in result.stderr.splitlines()), result.stderr


def _without_section(tmp_path, example):
    from tests.policy.test_check import EXAMPLES

    source = (EXAMPLES / f"{example}.yaml").read_text()
    path = tmp_path / f"{example}.yaml"
    path.write_text(source[: source.index("\n# X6:")] + "\n")
    return path


def test_a_gdpr_policy_without_the_section_is_warned_and_gets_the_defaults(cli, tmp_path):
    path = _without_section(tmp_path, "houston-generator")
    result = cli.invoke(app, ["policy", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert "warning: The policy answers to the GDPR but has no incidents section" in result.stderr
    found = terms(load_policy(path))
    assert found.contact.name == "Dana Whitfield"  # the controller's DPO
    assert found.deadlines["gdpr"].authority_hours == 72 and found.deadlines["gdpr"].phased
    assert found.deadlines["ccpa"].people_days == 30 and found.deadlines["ccpa"].sample_over == 500
    assert "coppa" not in found.deadlines and "gdpr" not in found.authorities
    assert found.authorities["ccpa"].name == "California Attorney General"


def test_the_uk_s_authority_and_deadline_are_known_without_the_section(cli, tmp_path):
    path = _without_section(tmp_path, "it-support-shop")
    assert cli.invoke(app, ["policy", "check", str(path)]).exit_code == 0
    found = terms(load_policy(path))
    assert found.authorities["uk_gdpr"].name == "Information Commissioner's Office (ICO)"
    assert found.deadlines["uk_gdpr"].authority_hours == 72
    assert found.contact.email == "privacy@kingswayit.co.uk"  # no DPO: the privacy contact


@pytest.mark.parametrize(
    ("example", "said", "unsaid"),
    [
        ("houston-generator", "by email and in your privacy center", ""),
        ("compustores", "within the time the law sets (30 days for California (CCPA))", ""),
        ("it-support-shop", "by email, by telephone and in your privacy center", "30 days"),
    ],
)
def test_the_privacy_policy_says_how_people_are_told_of_a_breach(cli, example, said, unsaid):
    from tests.policy.test_check import EXAMPLES

    text = squash(render(cli, EXAMPLES / f"{example}.yaml", "privacy", "md"))
    section = text[text.index("## If your data is involved in a breach") :]
    assert said in section and "Questions about a breach go to" in section
    if unsaid:
        assert unsaid not in section


def test_the_business_s_own_words_replace_the_sentence(cli, tmp_path):
    path, _ = _broken_copy(
        tmp_path,
        "emergencysupport",
        "  people_told_by: [email, privacy_center]\n",
        "  people_told_by: [email, privacy_center]\n"
        "  people_notice: We write to you within a week of any breach of your data.\n",
    )
    text = squash(render(cli, path, "privacy", "md"))
    assert "We write to you within a week of any breach of your data." in text


def test_a_client_whose_contact_holds_no_email_is_warned(cli, tmp_path):
    from tests.policy.test_check import EXAMPLES

    path = tmp_path / "printo-gens.yaml"
    source = (EXAMPLES / "printo-gens.yaml").read_text()
    path.write_text(source.replace("Office Manager, privacy@wvlegalpartners.com", "Office Manager"))
    result = cli.invoke(app, ["policy", "check", str(path)])
    assert result.exit_code == 0, result.output
    line = _line_of(source, "contact: Office Manager", after="processing_for_clients:")
    assert (
        f"{path}:{line}: warning: Client 'Willamette Valley Legal Partners LLP' has no email "
        "address in its contact" in result.stderr
    ), result.stderr
    clean = cli.invoke(app, ["policy", "check", str(EXAMPLES / "printo-gens.yaml")])
    assert "no email address in its contact" not in clean.stderr
