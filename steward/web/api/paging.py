"""The paging every list endpoint shares (docs/api.md): `offset` and `limit` query
parameters, and the cut of a fetch of `limit + 1` rows into one page and the offset of the
next (None on the last page)."""

from collections.abc import Sequence
from typing import Annotated, TypeVar

from fastapi import Query

T = TypeVar("T")

Offset = Annotated[int, Query(ge=0)]
Limit = Annotated[int, Query(ge=1, le=200)]


def cut(rows: Sequence[T], offset: int, limit: int) -> tuple[Sequence[T], int | None]:
    """Rows fetched with `limit + 1`: the page, and the next offset when more follow."""
    return rows[:limit], offset + limit if len(rows) > limit else None
