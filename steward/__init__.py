"""Steward: a service desk whose privacy policy is code."""

__version__ = "0.1.0"
