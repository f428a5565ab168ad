"""A sweep that is killed: runs `steward ARGS` with the clock frozen at FROZEN_AT and sends
itself SIGKILL right after the KILL_AFTER-th statement starting with KILL_AT has run, inside
that statement's transaction (mid-batch). Settings come from the STEWARD_* environment.

    FROZEN_AT=ISO KILL_AT="DELETE FROM messages" KILL_AFTER=1 \\
        python -m tests.retention.killed_sweep retention run --batch 2
"""

import os
import signal
import sys
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.engine import Engine

from steward.cli import main
from steward.core import clock

seen = 0


@event.listens_for(Engine, "after_cursor_execute")
def _count(conn, cursor, statement, parameters, context, executemany) -> None:
    global seen
    if statement.lstrip().startswith(os.environ["KILL_AT"]):
        seen += 1
        if seen == int(os.environ["KILL_AFTER"]):
            os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    sys.argv = ["steward", *sys.argv[1:]]
    with clock.frozen_at(datetime.fromisoformat(os.environ["FROZEN_AT"])):
        main()
