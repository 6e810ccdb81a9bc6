"""Argument types in the Python face, checked as the native module checks its own: a wrong type
is :class:`~rolekit.exceptions.InvalidArgumentType` (also a ``TypeError``) naming the argument."""

from __future__ import annotations

from typing import Union

from .exceptions import InvalidArgumentType


def typed(value: object, kinds: Union[type, tuple[type, ...]], what: str) -> None:
    """Raise InvalidArgumentType unless ``value`` is one of ``kinds`` (``type(None)`` for None)."""
    if not isinstance(value, kinds):
        names = [("None" if k is type(None) else k.__name__) for k in (kinds if isinstance(kinds, tuple) else (kinds,))]
        raise InvalidArgumentType(f"{what} must be a {' or '.join(names)}, not {type(value).__name__}")
