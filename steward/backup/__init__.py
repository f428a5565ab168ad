"""Backups: every table but the data keys, so that erasing a person reaches old backups too."""
