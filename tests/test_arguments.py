"""Arguments of the wrong type: every public callable, every parameter.

rolekit's promise is that an invalid argument is ``rolekit.InvalidArgument`` (a ``RolekitError``),
never a bare TypeError or ValueError from inside rolekit; a wrong type is ``InvalidArgumentType``,
which is also a ``TypeError`` (code written for PyO3's or Python's own errors keeps working). The
sweep below finds the callables by introspection, so a method added later is checked too.

The client points at a port where nothing listens: an argument that got through its conversion
would reach the network and fail with ``EndpointError``, not ``InvalidArgumentType``.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import rolekit as rk
from rolekit import catalog, notebook, profiles, sagemaker
from rolekit.sandbox import Sandbox

WRONG = object()  # of no type any parameter accepts
TRUST = rk.Policy.trust(services=["sagemaker.amazonaws.com"])
POLICY = rk.Policy([rk.Statement.allow("s3:GetObject", "arn:aws:s3:::bucket/*")])
# Valid values for the parameters a call needs besides the one under test (by name).
GOOD: dict[str, object] = {
    "trust": TRUST,
    "policy": POLICY,
    "action": "s3:GetObject",
    "actions": ["s3:GetObject"],
    "s3": ["s3://bucket/prefix"],
    "services": ["sagemaker.amazonaws.com"],
    "access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "role_arn": "arn:aws:iam::123456789012:role/r",
    "iam": rk.Client(endpoint_url="http://127.0.0.1:9", region="us-east-1"),
}
# Parameters that take any object on purpose: `vpc` is a truth value (any object, as `if vpc:`).
ANY_OBJECT = {"vpc"}
UNREACHABLE = {
    "endpoint_url": "http://127.0.0.1:9",
    "region": "us-east-1",
    "credentials": {"aws_access_key_id": GOOD["access_key_id"], "aws_secret_access_key": GOOD["secret_access_key"]},
    "retries": 0,
    "timeout": 2,
}


def _bound(cls: type, instance: object) -> Iterator[tuple[str, Callable[..., Any]]]:
    """The constructor of ``cls`` and its public methods: static and class methods from the class,
    instance methods bound to ``instance`` (none when there is no instance to bind)."""
    yield f"{cls.__name__}()", cls
    for name in vars(cls):
        raw = inspect.getattr_static(cls, name)
        if name.startswith("_") or isinstance(raw, property) or not callable(getattr(cls, name)):
            continue
        if isinstance(raw, (staticmethod, classmethod)):
            yield f"{cls.__name__}.{name}", getattr(cls, name)
        elif instance is not None:
            yield f"{cls.__name__}.{name}", getattr(instance, name)


def _callables() -> list[tuple[str, Callable[..., Any]]]:
    client = rk.Client(**UNREACHABLE)
    creds = rk.Credentials(GOOD["access_key_id"], GOOD["secret_access_key"])
    out: list[tuple[str, Callable[..., Any]]] = []
    for name in rk.__all__:
        obj = getattr(rk, name)
        if inspect.isclass(obj) and not issubclass(obj, BaseException):
            instance = {rk.Client: client, rk.Policy: POLICY, rk.Credentials: creds}.get(obj)
            for label, fn in _bound(obj, instance):
                try:
                    inspect.signature(fn)
                except (TypeError, ValueError):
                    continue  # a class without a public constructor (a result type)
                out.append((label, fn))
        elif inspect.isbuiltin(obj) or inspect.isfunction(obj):
            out.append((name, obj))
    out += [("Sandbox()", Sandbox), ("notebook.Tutorial()", notebook.Tutorial), ("notebook.connect", notebook.connect)]
    for module in (sagemaker, profiles, catalog):
        for name in module.__all__:
            fn = getattr(module, name)
            if inspect.isbuiltin(fn) or inspect.isfunction(fn):
                out.append((f"{module.__name__}.{name}", fn))
    return out


def _cases() -> list[Any]:
    cases = []
    for label, fn in _callables():
        params = [
            p
            for p in inspect.signature(fn).parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name not in ("self", "cls")
        ]
        for p in params:
            if p.name not in ANY_OBJECT:
                cases.append(pytest.param(fn, params, p.name, id=f"{label}:{p.name}"))
    return cases


def _call(fn: Callable[..., Any], params: list[inspect.Parameter], wrong: str, value: object) -> object:
    args: list[object] = []
    kwargs: dict[str, object] = {}
    if fn is profiles.add and wrong not in ("source_profile", "credential_source"):
        kwargs["source_profile"] = "default"  # a role profile needs one of the two
    for p in params:
        if p.name == wrong:
            v = value
        elif p.default is not inspect.Parameter.empty:
            continue
        else:
            v = GOOD.get(p.name, "r")
        if p.kind is p.POSITIONAL_ONLY or (p.kind is p.POSITIONAL_OR_KEYWORD and p.default is inspect.Parameter.empty):
            args.append(v)
        else:
            kwargs[p.name] = v
    return fn(*args, **kwargs)


@pytest.mark.parametrize(("fn", "params", "wrong"), _cases())
def test_every_parameter_refuses_a_wrong_type_with_rolekits_error(
    fn: Callable[..., Any], params: list[inspect.Parameter], wrong: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    with pytest.raises(rk.InvalidArgumentType) as caught:
        _call(fn, params, wrong, WRONG)
    assert isinstance(caught.value, TypeError) and isinstance(caught.value, rk.RolekitError)
    # The message names the argument where there are several to choose from (PyO3 adds the name
    # as a note from Python 3.11, add_note).
    if sys.version_info >= (3, 11) and len(params) > 1:
        assert wrong in str(caught.value), str(caught.value)


def test_async_client_converts_before_it_awaits() -> None:
    async def main() -> list[str]:
        client = rk.AsyncClient(**UNREACHABLE)
        messages = []
        with pytest.raises(rk.InvalidArgumentType) as caught:
            await client.get_role(5)  # type: ignore[arg-type]
        messages.append(str(caught.value))
        with pytest.raises(rk.InvalidArgumentType) as caught:
            await client.delete_role("r", force="yes")  # type: ignore[arg-type]
        messages.append(str(caught.value))
        return messages

    messages = asyncio.run(main())
    if sys.version_info >= (3, 11):
        assert messages[0].startswith("argument 'name': ") and messages[1].startswith("argument 'force': ")


def test_messages_name_the_argument_and_the_types() -> None:
    with pytest.raises(rk.InvalidArgumentType) as caught:
        rk.aws_managed(5)  # type: ignore[arg-type]
    if sys.version_info >= (3, 11):
        assert str(caught.value) == "argument 'name': 'int' object is not an instance of 'str'"
    with pytest.raises(rk.InvalidArgumentType, match="requests must be a list \\(or another iterable\\), not int"):
        rk.simulate_many(5)  # type: ignore[arg-type]
    with pytest.raises(rk.InvalidArgumentType, match="managed_policies must be a list"):
        rk.Client(**UNREACHABLE).plan_role("r", TRUST, managed_policies=5)  # type: ignore[arg-type]
    with pytest.raises(rk.InvalidArgumentType, match="path must be a str or PathLike or None, not int"):
        profiles.names(path=5)  # type: ignore[arg-type]


def test_a_number_out_of_range_is_invalid_argument_not_overflow() -> None:
    with pytest.raises(rk.InvalidArgument) as caught:
        POLICY.to_json(indent=-1)
    assert not isinstance(caught.value, (OverflowError, TypeError))
    with pytest.raises(rk.InvalidArgument):
        rk.Client(**UNREACHABLE).assume_role("r", duration=2**40)


def test_a_lone_surrogate_is_invalid_argument_not_unicode_error() -> None:
    with pytest.raises(rk.InvalidArgument) as caught:
        rk.aws_managed("AmazonS3\ud800ReadOnlyAccess")
    assert not isinstance(caught.value, UnicodeError)
    with pytest.raises(rk.InvalidArgument):
        POLICY.validate(kind="identity\ud800")


def test_an_mfa_code_of_the_wrong_type_is_named() -> None:
    with pytest.raises(rk.InvalidArgumentType, match="mfa_token must be the MFA code"):
        rk.Client(**UNREACHABLE).assume_role(
            "r", mfa_serial="arn:aws:iam::123456789012:mfa/u", mfa_token=lambda: 123456
        )


def test_the_sweep_covers_the_api() -> None:
    # The introspection above must find what users call, or the sweep proves nothing.
    labels = {label for label, _ in _callables()}
    for expected in (
        "Client.ensure_role",
        "Client.assume_role",
        "Policy.validate",
        "simulate",
        "aws_managed",
        "rolekit.profiles.add",
        "rolekit.sagemaker.execution_policy",
        "Sandbox()",
        "notebook.Tutorial()",
        "RoleSpec.load",
        "Fleet()",
    ):
        assert expected in labels, sorted(labels)
    assert len(_cases()) > 150
