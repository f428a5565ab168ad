"""Ids sort in the order they were made, even many in one millisecond, and keep the UUIDv7
layout (version 7, RFC variant)."""

import uuid

from steward.core.ids import new_id


def test_ids_made_one_after_another_sort_in_that_order():
    made = [new_id() for _ in range(5000)]  # many share a millisecond
    assert made == sorted(made)
    assert len(set(made)) == len(made)
    for text in made[:10]:
        parsed = uuid.UUID(text)
        assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
