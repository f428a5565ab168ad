"""HTML pages: sign-in, registration, e-mail links and MFA pages."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
