"""The one exception type the core raises for bad input.

The command line turns it into a one-line ``Error: ...`` on stderr and a
non-zero exit; library users catch it like any ``ValueError``.
"""


class DinogenError(ValueError):
    """Bad input: a file, value or character that dinogen cannot use."""
