"""HTML pages: the customer portal at /portal."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
