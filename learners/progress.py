"""What "progress" means, in one place: the cohort grid, its CSV, the learner's dashboard,
the roadmap and the mentor's page of a learner all count with these functions.

- The scope is the learner's work in one cohort (their current one on their own pages, the
  cohort being looked at on a mentor's); published stages and published projects only.
- A stage is complete when every required published project of it is approved. A stage
  with no required project is complete once any of its published projects is approved. A
  stage with no published project at all is never complete and is left out of the count of
  stages: there is nothing a mentor could approve in it.
- Ticked objectives are the learner's own self-assessment: shown beside the projects, never
  needed for "complete".
- Overall progress is approved required published projects over all required published
  projects, as a whole percentage rounded half up (2 of 3 is 67 %, 1 of 8 is 13 %).
"""

from dataclasses import dataclass


def percent_of(done: int, total: int) -> int:
    """done / total as a whole percentage, rounded half up; 0 when there is nothing to do."""
    if not total:
        return 0
    return (200 * done + total) // (2 * total)  # integers only: no float rounding surprises


def stage_is_counted(*, published_projects: int) -> bool:
    return published_projects > 0


def stage_is_complete(*, required: int, approved_required: int, approved: int) -> bool:
    """`required`: the stage's required published projects; `approved_required`: how many of
    them the learner has approved; `approved`: their approved published projects of any kind."""
    if required:
        return approved_required >= required
    return approved > 0


@dataclass(frozen=True)
class Progress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return percent_of(self.done, self.total)

    @property
    def step(self) -> int:
        """The percentage rounded half up to a multiple of 5, for the bar's width class (CSP
        forbids inline styles)."""
        return 5 * ((self.percent + 2) // 5)

    @property
    def is_complete(self) -> bool:
        return self.done >= self.total
