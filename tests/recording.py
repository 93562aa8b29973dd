"""A stand-in for a run's outputs and progress bar that keeps everything in memory."""


class Recording:
    """``run_steps(problem, case, outputs=rec, progress=rec)``: rows, snapshot times, messages."""

    def __init__(self):
        self.rows, self.snapshots, self.messages = [], [], []

    def row(self, row):
        self.rows.append(row)

    def snapshot(self, expansion, time):
        self.snapshots.append(time)

    def update(self, *args, **kwargs):
        """No progress bar."""

    def log(self, message):
        self.messages.append(message)
