"""`steward policy render`: the published texts say everything the policy file declares."""

import html
import re

import pytest

from steward.cli import app
from steward.policy.countries import name_of_country
from steward.policy.loader import load_policy
from steward.policy.publish import SAFEGUARD, hours_words, retention_words
from tests.conftest import DEFAULT_EXAMPLE, EXAMPLE_FILES

examples = pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)


def render(cli, example, kind, fmt):
    result = cli.invoke(app, ["policy", "render", str(example), "--kind", kind, "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.stdout


def plain(text: str) -> str:
    """The visible text of an HTML page, whitespace collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\\|", "|"))


@pytest.mark.promise("D1")
@examples
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_each_category_is_published_with_fields_sources_purposes_basis_recipients_retention(
    cli, example, fmt
):
    policy = load_policy(example)
    out = render(cli, example, "privacy", fmt)
    text = plain(out) if fmt == "html" else squash(out)
    for key, category in policy.categories.items():
        assert category.name in text
        for field in category.fields:
            assert field in text
        for source in category.sources:
            assert source in text
        for purpose_key in category.purposes:
            assert policy.purposes[purpose_key].name in text
        assert retention_words(category.retention) in text
        assert category.retention.period.words() in text
        for processor in policy.processors.values():
            if key in processor.categories:
                assert processor.name in text


@examples
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_every_right_is_published_with_its_deadline(cli, example, fmt):
    policy = load_policy(example)
    out = render(cli, example, "privacy", fmt)
    text = plain(out) if fmt == "html" else squash(out)
    for right in policy.rights.values():
        if right.offered:
            kind = "business " if right.day_kind == "business" else ""
            assert f"within {right.deadline_days} {kind}day" in text
            if right.extension_days:
                assert f"up to {right.extension_days} days" in text
    assert f"We answer within {hours_words(policy.inquiries.response_hours)}." in text


@pytest.mark.promise("S2", "S3")
@examples
def test_every_recipient_and_transfer_safeguard_is_published(cli, example):
    policy = load_policy(example)
    text = squash(render(cli, example, "privacy", "md"))
    for processor in policy.processors.values():
        assert processor.name in text
        assert processor.contract_date.isoformat() in text
        assert processor.vetted_date.isoformat() in text
        if processor.transfer_safeguard:
            assert (
                f"| {processor.name} | {name_of_country(processor.location)} | "
                f"{SAFEGUARD[processor.transfer_safeguard]} |" in text
            )


@examples
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_cookie_policy_lists_every_category_and_cookie(cli, example, fmt):
    policy = load_policy(example)
    out = render(cli, example, "cookies", fmt)
    text = plain(out) if fmt == "html" else squash(out)
    for name, group in policy.cookies.items():
        assert f"{name.capitalize()} cookies" in text
        for cookie in group.cookies:
            assert cookie.name in text
    if "essential" in policy.cookies:
        assert "Always on" in text


def test_the_policy_names_version_date_and_change_summary(cli):
    policy = load_policy(DEFAULT_EXAMPLE)
    text = squash(render(cli, DEFAULT_EXAMPLE, "privacy", "md"))
    assert f"Version {policy.version}, effective {policy.effective_date.isoformat()}" in text
    for entry in policy.changelog:
        assert entry.summary in text


def test_retention_reads_as_plain_words(cli):
    text = squash(render(cli, DEFAULT_EXAMPLE, "privacy", "md"))
    assert "7 years after your account is closed" in text
    assert "3 months after it is collected" in text


def test_html_is_a_standalone_page_for_phones_and_print(cli):
    page = render(cli, DEFAULT_EXAMPLE, "privacy", "html")
    assert page.startswith("<!doctype html>")
    assert 'name="viewport"' in page
    assert "@media print" in page
    assert "http" not in page.split("<body>")[0].replace("http-equiv", "")


def test_text_from_the_policy_file_is_escaped_in_html(cli, tmp_path):
    hostile = tmp_path / "policy.yaml"
    hostile.write_text(
        DEFAULT_EXAMPLE.read_text().replace(
            "name: Account data", "name: Account <script>alert(1)</script> data"
        )
    )
    page = render(cli, hostile, "privacy", "html")
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_render_writes_to_a_file_when_asked(cli, tmp_path):
    out = tmp_path / "privacy.md"
    result = cli.invoke(app, ["policy", "render", str(DEFAULT_EXAMPLE), "-o", str(out)])
    assert result.exit_code == 0
    assert out.read_text().startswith("# Privacy policy of Houston Generator Company")


def test_an_unknown_kind_is_refused_with_a_reason(cli):
    result = cli.invoke(app, ["policy", "render", str(DEFAULT_EXAMPLE), "--kind", "terms"])
    assert result.exit_code == 2
    assert "terms" in result.output


@examples
def test_the_privacy_policy_reads_as_plain_text(cli, example):
    """No double full stops, country names instead of codes, no ISO duration, no basis
    phrase repeated on every category, and every safeguard named is explained."""
    policy = load_policy(example)
    text = squash(render(cli, example, "privacy", "md"))
    assert ".." not in text
    assert not re.search(r"\bP\d+[YMWD]\b", text)
    for code in {p.location for p in policy.processors.values()} | {policy.controller.country}:
        assert f"| {code} |" not in text
    contracts = sum(p.lawful_basis == "contract" for p in policy.purposes.values())
    assert text.count("the performance of our contract with you") == contracts  # the table
    if any(p.transfer_safeguard == "scc" for p in policy.processors.values()):
        assert "Standard Contractual Clauses are a contract" in text
    if any(p.transfer_safeguard == "adequacy" for p in policy.processors.values()):
        assert "An adequacy decision is a finding" in text
    if policy.security_notice:
        assert policy.security_notice.split()[0] in text.split("How we protect your data")[1]


def test_a_gdpr_policy_from_outside_europe_never_says_nothing_leaves_the_country(cli):
    text = squash(render(cli, DEFAULT_EXAMPLE.parent / "printo-gens.yaml", "privacy", "md"))
    assert "We do not transfer" not in text
    assert "We are based in the United States" in text
    assert "no method of transmission over the internet" in text
