"""JSON API, /api/v1: the active policy."""

from typing import Any

from fastapi import APIRouter, Request

router = APIRouter(prefix="/api/v1", tags=["policy"])


@router.get("/policy")
def get_policy(request: Request) -> dict[str, Any]:
    """The active policy, as its file states it, with the hash of the exact text in force;
    less its `watch:` section, whose thresholds an attacker would keep under (X4)."""
    active = request.app.state.active_policy
    shown = active.policy.model_dump(mode="json", exclude={"watch"})
    return {"sha256": active.sha256, "policy": shown}
