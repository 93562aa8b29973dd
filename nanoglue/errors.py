"""Errors a user can fix by editing their input. The CLI prints them as one line and exits 2."""


class CaseError(Exception):
    """Invalid case input, located by a dotted field path (``geometry.coating.thickness``).

    Deliberately not a ValueError, so pydantic passes it through validators unchanged and the
    path stays the one given here, relative to the whole case.
    """

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}" if path else reason)
