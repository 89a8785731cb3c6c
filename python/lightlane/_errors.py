"""lightlane's exceptions."""


class ScenarioError(ValueError):
    """Bad input: a scenario key, value, file or option the engine refused.

    ``str(err)`` is the command line's one-line message (the text after ``lightlane: error:``);
    ``file``, ``line`` and ``key`` say where, when the message names a place (``line`` 0 and
    ``key`` "" when it does not; ``file`` is "--set" for an override).
    """

    def __init__(self, message, file="", line=0, key=""):
        super().__init__(message)
        self.file = file
        self.line = line
        self.key = key


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run. ``dataset`` holds the points it finished (the others are fill
    values, ``stop_reason`` 0, "not run"), or is None when none had finished; with ``output``
    the file keeps them too, and ``lightlane run --resume`` finishes it."""

    def __init__(self, dataset=None, output=None):
        finished = "no point" if dataset is None else "the points it finished"
        where = f"; {output} keeps them" if output and dataset is not None else ""
        super().__init__(f"lightlane run interrupted: {finished} returned{where}")
        self.dataset = dataset
        self.output = output
