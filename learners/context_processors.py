from learners.roles import roles_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"roles": roles_for(user)}
