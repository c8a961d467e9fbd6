"""The one error publishing raises."""


class PublishError(Exception):
    """The site cannot be published where asked."""
