"""boto3 interop: a boto3 Session whose credentials rolekit refreshes before they expire.

boto3 is imported only when a session is asked for.
"""

from __future__ import annotations

from typing import Any, Optional

from ._rolekit import Credentials


def _metadata(creds: Credentials) -> dict[str, Any]:
    expiry = creds.expiration
    return {
        "access_key": creds.access_key_id,
        "secret_key": creds.secret_access_key,
        "token": creds.session_token,
        "expiry_time": expiry.isoformat() if expiry is not None else None,
    }


def session(creds: Credentials, region: Optional[str] = None) -> Any:
    """A ``boto3.Session`` over ``creds``; assumed-role credentials refresh through rolekit."""
    try:
        import boto3
        import botocore.session
        from botocore.credentials import RefreshableCredentials
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("boto3_session() needs boto3: pip install 'rolekit[boto3]'") from e
    from . import _secrets

    # botocore logs request headers and response bodies at DEBUG: keep these secrets out of them.
    _secrets.install_log_guard()
    _secrets.register(creds.secret_access_key, creds.session_token)

    # The CA bundle the rolekit client trusted: boto3's clients then trust the same servers
    # (botocore reads "ca_bundle" as every client's default verify=).
    bundle = creds.ca_bundle
    if not creds.refreshable or creds.expiration is None:
        plain = boto3.Session(
            aws_access_key_id=creds.access_key_id,
            aws_secret_access_key=creds.secret_access_key,
            aws_session_token=creds.session_token,
            region_name=region,
        )
        if bundle is not None:
            plain._session.set_config_variable("ca_bundle", str(bundle))
        return plain
    current = [creds]

    def refresh() -> dict[str, Any]:
        current[0] = current[0].refresh()
        _secrets.register(current[0].secret_access_key, current[0].session_token)
        return _metadata(current[0])

    refreshable = RefreshableCredentials.create_from_metadata(
        metadata=_metadata(creds), refresh_using=refresh, method="rolekit-assume-role"
    )
    core = botocore.session.get_session()
    core._credentials = refreshable  # botocore's documented-by-usage hook for custom providers
    if region:
        core.set_config_variable("region", region)
    if bundle is not None:
        core.set_config_variable("ca_bundle", str(bundle))
    return boto3.Session(botocore_session=core)
