"""The one exception slanb raises for problems a user can fix."""


class SlanbError(Exception):
    """A problem with the user's input, data or parameters.

    The message names what is wrong (file, row, column, parameter, value) and what to do about it.
    The CLI prints it as one line and exits non-zero, without a traceback unless ``--debug``.
    """
