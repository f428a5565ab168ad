"""JSON API under /api/v1: devices, telemetry, service records and maintenance schedules."""

from fastapi import APIRouter, Depends

from steward.web.auth import csrf_guard

router = APIRouter(prefix="/api/v1", tags=["devices"], dependencies=[Depends(csrf_guard)])
