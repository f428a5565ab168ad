"""JSON API under /api/v1: organisations, their members, and people the desk deals with."""

from fastapi import APIRouter, Depends

from steward.web.auth import csrf_guard

router = APIRouter(prefix="/api/v1", tags=["organisations"], dependencies=[Depends(csrf_guard)])
