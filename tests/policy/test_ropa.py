"""`steward policy ropa`: the Article 30 record, every mandatory field filled."""

import csv
import io
import json

import pytest

from steward.cli import app
from steward.policy.loader import load_policy
from steward.policy.ropa import CONTROLLER_FIELDS, PROCESSOR_FIELDS
from tests.conftest import EXAMPLE_FILES

examples = pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)


def ropa(cli, example, *args):
    return cli.invoke(app, ["policy", "ropa", str(example), *args])


@examples
def test_the_controller_record_has_every_article_30_1_field_filled_for_every_purpose(cli, example):
    result = ropa(cli, example, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    policy = load_policy(example)
    assert len(rows) == len(policy.purposes)
    for row in rows:
        assert list(row) == CONTROLLER_FIELDS
        empty = [field for field, value in row.items() if not value.strip()]
        assert not empty, f"{row['purpose']}: empty {empty}"
        assert policy.controller.legal_name == row["controller"]
        assert policy.controller.privacy_contact in row["controller_contact"]


@examples
def test_the_record_names_each_purposes_categories_recipients_and_time_limits(cli, example):
    policy = load_policy(example)
    document = json.loads(ropa(cli, example, "--format", "json").stdout)
    assert document["policy_version"] == policy.version
    by_purpose = {row["purpose"]: row for row in document["activities"]}
    for key, purpose in policy.purposes.items():
        row = by_purpose[f"{purpose.name} [{key}]"]
        for category_key, category in policy.categories.items():
            if key in category.purposes:
                assert f"[{category_key}]" in row["personal_data_categories"]
                assert category.retention.period.words() in row["erasure_time_limits"]
        for processor in policy.processors.values():
            if key in processor.purposes:
                assert processor.name in row["recipients"]
                if processor.transfer_safeguard:
                    assert processor.location in row["third_country_transfers"]


@examples
def test_a_processor_record_covers_each_client_or_says_there_is_none(cli, example):
    policy = load_policy(example)
    result = ropa(cli, example, "--role", "processor", "--format", "csv")
    if not policy.processing_for_clients:
        assert result.exit_code == 1
        assert "no processing_for_clients" in result.stderr
        return
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["client_controller"] for r in rows] == [
        c.client for c in policy.processing_for_clients
    ]
    for row in rows:
        assert list(row) == PROCESSOR_FIELDS
        assert all(value.strip() for value in row.values())


def test_at_least_one_example_acts_as_a_processor():
    assert any(load_policy(e).processing_for_clients for e in EXAMPLE_FILES)
