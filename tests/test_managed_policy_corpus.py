"""The 1,582 AWS managed policies that moto ships: IAM accepted every one of them.

So rolekit must never claim IAM would reject one (iam_rejects), except for the size quota, which
binds customer managed policies (6,144 characters) but not AWS's own. Errors that remain are
disagreements with AWS's published service reference, counted here and explained:
retired services (iotevents, evidently, deepracer, codestar, iot1click, ...), actions AWS uses but
has not published, and actions the reference lists without resource types that AWS scopes anyway.
"""

from __future__ import annotations

import collections
import json

import moto.iam.aws_managed_policies as moto_policies
import rolekit as rk

CORPUS = json.loads(moto_policies.aws_managed_policies_data)
CATALOG_DISAGREEMENTS = {"INVALID_SERVICE", "INVALID_ACTION", "RESOURCE_TYPE_MISMATCH", "UNKNOWN_CONDITION_KEY"}


def test_corpus_is_the_expected_size() -> None:
    assert len(CORPUS) >= 1500


def test_no_false_iam_rejection_and_few_errors() -> None:
    false_rejections = []
    with_errors: collections.Counter[str] = collections.Counter()
    for name, entry in CORPUS.items():
        report = rk.Policy.from_json(json.dumps(entry["Document"])).validate("identity")
        false_rejections += [(name, f.code) for f in report if f.iam_rejects and f.code != "POLICY_SIZE_EXCEEDED"]
        codes = {f.code for f in report.errors} - {"POLICY_SIZE_EXCEEDED"}
        assert codes <= CATALOG_DISAGREEMENTS, (name, codes)
        if codes:
            with_errors[name] += 1
    assert false_rejections == []
    # 55 of 1,582 with the catalog of 2026-10-27 (3.5%): all catalog disagreements, see the module doc.
    assert len(with_errors) <= 0.05 * len(CORPUS), len(with_errors)


def test_known_wide_grants_are_flagged() -> None:
    admin = rk.Policy.from_json(json.dumps(CORPUS["AdministratorAccess"]["Document"])).validate()
    assert [f.code for f in admin] == ["FULL_ACCESS"]
    assert admin.ok
