def display_name(user) -> str:
    """How a person is named on pages and in e-mails: full name, else username."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
