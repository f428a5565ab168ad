"""The data map is the set of declared personal-data columns: every table that holds one names
its owner, indexes the owner and a timestamp its retention can start from."""

from datetime import date

import pytest

import steward.models  # noqa: F401  (every table)
from steward.core.db import Base


def personal_tables():
    for mapper in Base.registry.mappers:
        table = mapper.local_table
        if any(c.info.get("encrypted") for c in table.columns):
            yield mapper.class_, table


def indexed(table, column_name: str) -> bool:
    column = table.c[column_name]
    return (
        column.primary_key
        or column.index
        or column.unique
        or any(column_name in [c.name for c in i.columns] for i in table.indexes)
    )


@pytest.mark.promise("D1")
def test_every_personal_column_names_its_category():
    for _, table in personal_tables():
        for column in table.columns:
            if column.info.get("encrypted"):
                assert "." in column.info.get("category", ""), f"{table.name}.{column.name}"


def test_every_table_holding_personal_data_names_and_indexes_its_owner():
    for model, table in personal_tables():
        owner = getattr(model, "__owner__", None)
        assert owner in table.c, f"{table.name} names no owner column"
        assert indexed(table, owner), f"{table.name}.{owner} is not indexed"


def test_every_table_holding_personal_data_has_an_indexed_timestamp_for_retention():
    for _, table in personal_tables():
        stamps = [c.name for c in table.columns if issubclass(c.type.python_type, date)]
        assert any(indexed(table, name) for name in stamps), table.name
