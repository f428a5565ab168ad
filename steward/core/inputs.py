"""What every input model shares: a body that names an unknown field is refused, not ignored."""

from pydantic import BaseModel, ConfigDict


class Body(BaseModel):
    """An input model: a request body, a form or a command's arguments."""

    model_config = ConfigDict(extra="forbid")
