from tests.factories import IterationFactory


def test_an_iteration_is_named_by_its_number(make_submission):
    iteration = IterationFactory(submission=make_submission(), number=2)

    assert str(iteration) == f"{iteration.submission}, iteration 2"
