"""The one exception the dataset layer raises: its message always says how to fix things."""

__all__ = ["DatasetError"]


class DatasetError(RuntimeError):
    """A dataset is missing, corrupted, unknown, or asked for with bad arguments."""
