"""The one error type a user sees: a single line that says what is wrong and what to check."""


class EltError(Exception):
    """A problem the user can fix (bad input, unreachable server). The CLI prints it without a traceback."""
