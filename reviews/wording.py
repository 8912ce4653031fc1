"""How reviews' messages and e-mails name a piece of work: the person, then the project.

Never `str(submission)`: that is the admin's label (usernames), not what people read.
"""

from bootcamp.people import display_name


def work_name(submission) -> str:
    """ "Learner 1's FastAPI CRUD app"; needs the submission's learner and project loaded."""
    return f"{display_name(submission.learner)}'s {submission.project.title}"
