"""`steward policy diff`: what changed, and which changes need a notice or renewed consent."""

from steward.cli import app
from tests.conftest import DEFAULT_EXAMPLE


def edited(tmp_path, *replacements):
    text = DEFAULT_EXAMPLE.read_text()
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "new.yaml"
    path.write_text(text)
    return path


def diff_lines(cli, new):
    result = cli.invoke(app, ["policy", "diff", str(DEFAULT_EXAMPLE), str(new)])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_identical_files_have_no_changes(cli):
    result = cli.invoke(app, ["policy", "diff", str(DEFAULT_EXAMPLE), str(DEFAULT_EXAMPLE)])
    assert result.stdout == "No changes.\n"


def test_longer_retention_is_material_and_shorter_is_not(cli, tmp_path):
    lines = diff_lines(
        cli,
        edited(
            tmp_path,
            (
                "    retention:  # T1: usage 2 years\n      period: P2Y",
                "    retention:  # T1: usage 2 years\n      period: P3Y",
            ),
            (
                "    retention:  # T1: technical logs 1 year\n      period: P1Y",
                "    retention:  # T1: technical logs 1 year\n      period: P6M",
            ),
        ),
    )
    assert (
        "MATERIAL  retention: 'user.behavior' kept 2 years → 3 years after it is collected, then it is deleted"
        in lines
    )
    assert (
        "minor     retention: 'user.device' kept 1 year → 6 months after it is collected, then it is deleted"
        in lines
    )


def test_a_new_recipient_and_a_new_use_of_data_are_material(cli, tmp_path):
    lines = diff_lines(
        cli,
        edited(
            tmp_path,
            (
                "    purposes: [essential.service, essential.service.support, functional.service.improvement]",
                "    purposes: [essential.service, essential.service.support, functional.service.improvement,"
                " marketing.communications]",
            ),
            (
                "processors:\n",
                "processors:\n  mailer:\n    name: Mailer Ltd\n    service: Email\n"
                "    categories: [user.profile]\n    purposes: [marketing.communications]\n"
                "    location: US\n    transfer_safeguard: scc\n    contract_date: 2026-01-01\n"
                "    vetted_date: 2026-01-01\n    contact: privacy@mailer.example\n",
            ),
        ),
    )
    assert (
        "MATERIAL  categories: 'user.profile' now also used for 'marketing.communications'" in lines
    )
    assert "MATERIAL  processors: added 'mailer'" in lines
    assert lines[-1].startswith("2 change(s), 2 material")


def test_removing_a_recipient_or_offering_a_new_right_is_not_material(cli, tmp_path):
    lines = diff_lines(
        cli,
        edited(
            tmp_path,
            ("  stripe:\n", "  stripe_old:\n"),  # the same processor under a new key...
            (
                "  ccpa_opt_out:\n",
                "  ccpa_limit:\n    deadline_days: 15\n    channels: [privacy_center]"
                "\n    verification: [session]\n  ccpa_opt_out:\n",
            ),
        ),
    )
    assert "MATERIAL  processors: added 'stripe_old'" in lines  # ...is a new recipient
    assert "minor     processors: removed 'stripe'" in lines
    assert "minor     rights: 'ccpa_limit' now offered" in lines
    assert lines[-1].startswith("3 change(s), 1 material")


def test_a_renamed_processor_is_listed_as_a_minor_change(cli, tmp_path):
    lines = diff_lines(
        cli,
        edited(tmp_path, ("    name: Plausible Insights OÜ\n", "    name: Plausible Analytics\n")),
    )
    assert lines == [
        "minor     processors: 'plausible' wording or contact details changed",
        "1 change(s), 0 material.",
    ]


def test_a_changed_lawful_basis_is_material(cli, tmp_path):
    lines = diff_lines(
        cli,
        edited(
            tmp_path,
            (
                "      will need maintenance or emergency service, which our staff review).\n"
                "    lawful_basis: legitimate_interests\n"
                "    legitimate_interest: Providing and improving our services.\n",
                "      will need maintenance or emergency service, which our staff review).\n"
                "    lawful_basis: consent\n    consent:\n      channels: [form]\n",
            ),
        ),
    )
    assert (
        "MATERIAL  purposes: 'functional.service.improvement' lawful basis "
        "legitimate_interests → consent"
    ) in lines


def test_diff_refuses_a_broken_file_with_its_problems(cli, tmp_path):
    broken = edited(tmp_path, ("    period: P2Y", "    period: two years"))
    result = cli.invoke(app, ["policy", "diff", str(DEFAULT_EXAMPLE), str(broken)])
    assert result.exit_code == 1
    assert "'two years' is not a period of time" in result.stderr


def test_people_told_of_a_breach_later_is_material_and_the_watch_is_minor(cli, tmp_path):
    lines = diff_lines(
        cli,
        edited(
            tmp_path,
            ("ccpa: {people_days: 30", "ccpa: {people_days: 20"),
            ("many_people: {threshold: 150,", "many_people: {threshold: 300,"),
        ),
    )
    assert "minor     incidents: how breaches are reported and people told changed" in lines
    assert "minor     watch: the rules that watch for attacks changed" in lines
    sooner = edited(tmp_path, ("ccpa: {people_days: 30", "ccpa: {people_days: 20"))
    later = cli.invoke(app, ["policy", "diff", str(sooner), str(DEFAULT_EXAMPLE)])
    assert (
        "MATERIAL  incidents: people told of a breach (California (CCPA)) within 30 days, was 20"
        in (later.stdout.splitlines())
    )
