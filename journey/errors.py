"""Exceptions with messages fit to show a user as they are (no traceback needed)."""


class JourneyError(Exception):
    """A problem the user can act on; the message says what happened and what to do."""


class StoreError(JourneyError):
    """The database file cannot be opened or written (corrupt, locked, read-only, missing)."""


class NotFoundError(JourneyError):
    """An area, measure or import that the user named does not exist."""
