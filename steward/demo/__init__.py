"""The demo business: `steward demo` fills an empty desk with a living business in the words
of the active policy's trade, writing only the categories that policy holds (loader.py is the
entry point; trades.py says how the trade is read from the policy)."""
