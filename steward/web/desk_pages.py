"""HTML pages: the agents' desk at /desk."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
