"""Allow `python -m steward`."""

from steward.cli import main

main()
