#!/usr/bin/env python3
"""Fail if DocC's coverage report lists a public symbol without a documentation abstract.

Usage: swift package generate-documentation ... --experimental-documentation-coverage \
         --coverage-summary-level detailed | doc_coverage.py TARGET
Members that Swift synthesises from protocol conformances (==, hash(into:), rawValue, …) carry
the protocol's documentation in Apple's SDKs but none here; they are not ours to document.
"""
import re
import sys

SYNTHESISED = {"hash(into:)", "==(_:_:)", "!=(_:_:)", "init(rawValue:)", "rawValue", "hashValue",
               "description", "allCases", "init(from:)", "encode(to:)", "AllCases", "RawValue",
               "debugDescription", "localizedDescription"}


def main(target):
    missing = []
    for line in sys.stdin:
        if "warning:" in line:  # DocC's own warnings (unresolved links, …) count too
            missing.append(f"{target}: {line.strip()}")
            continue
        cells = [c.strip() for c in line.split("|")]
        if len(cells) < 8 or cells[2] not in ("true", "false"):
            continue
        name, kind, has_abstract, path = cells[0], cells[1], cells[2], cells[-1]
        k = kind.lower().replace(" ", "")
        structural = k in {"operator", "collectiongroup", "article"} or k.startswith("extended")
        if has_abstract == "false" and name not in SYNTHESISED and not structural:
            missing.append(f"{target}: missing documentation: {kind.lower()} {path.split('/documentation/')[-1]}")
    for m in missing:
        print("warning:", m)
    print(f"doc coverage {target}: {len(missing)} undocumented public symbols or DocC warnings")
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main(sys.argv[1])
