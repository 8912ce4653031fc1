def display_name(user) -> str:
    """How a person is named on pages and in e-mails: full name, else username."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def name_of(first_name: str, last_name: str, username: str) -> str:
    """display_name() from a user's columns, for rows read with values_list (the queue)."""
    # As User.get_full_name(): the two names with a space between, stripped.
    return f"{first_name} {last_name}".strip() or username
