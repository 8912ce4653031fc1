"""learners' jobs: fetching and checking repository snapshots, on the `repositories` queue,
whose own workers keep a slow fetch from delaying any e-mail.

One job per learner: it takes every pending snapshot of theirs, oldest first. Its queueing
lock keeps at most one such job waiting per learner (a second submission finds it queued and
is taken by it), and its lock runs one at a time per learner, so one learner's many pushes
cannot fill the workers. Idempotent: snapshot_take leaves anything not pending alone.
"""

from procrastinate.contrib.django import app

from learners.snapshots import SNAPSHOT_TASK, snapshots_take_for_learner


@app.task(name=SNAPSHOT_TASK, queue="repositories")
def snapshots_fetch(*, learner_id: int) -> None:
    snapshots_take_for_learner(learner_id=learner_id)
