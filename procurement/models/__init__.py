from .notices import Notice

__all__ = ["Notice"]
