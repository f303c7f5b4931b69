#!/usr/bin/env python3
"""The "before" score of a target derived from its "after" report, when the work in between added tests only (no
production code): a mutant counts as detected before when a test outside the excluded classes killed it.

    python3 tools/mutation/before.py <mutation-report.json> --excluding RelayPassTests,InboxRuleTests [--by-file]

Stryker stops a mutant's test run at its first failing test (bail), so `killedBy` names the test(s) that failed
first, not every test that would have. A mutant killed only by excluded tests is therefore split by `coveredBy`:
- no test outside the excluded classes covers it: certainly undetected before;
- some do: undetermined (one of them might have killed it too).
A timeout names no test; it is split the same way (covered by other tests: undetermined). The script prints the
before score as a range: the low end counts every undetermined mutant as undetected, the high end as detected.
Survivors and uncovered mutants of the after report were undetected before as well (tests were only added).
"""
import argparse, json, os, sys
from collections import Counter, defaultdict

parser = argparse.ArgumentParser()
parser.add_argument("report")
parser.add_argument("--excluding", required=True, help="comma-separated test class names added since the before")
parser.add_argument("--by-file", action="store_true")
args = parser.parse_args()
excluded = [c.strip() for c in args.excluding.split(",") if c.strip()]
report = json.load(open(args.report))

names = {}
for body in report.get("testFiles", {}).values():
    for test in body.get("tests", []):
        names[test["id"]] = test.get("name", test["id"])


def excluded_test(test_id):
    name = names.get(test_id, test_id)
    return any(f".{c}." in f".{name}" or name.startswith(c + ".") for c in excluded)


def other(ids):
    return [t for t in ids or [] if not excluded_test(t)]


totals = defaultdict(Counter)
for path, body in sorted(report["files"].items()):
    file = os.path.basename(path)
    for m in body["mutants"]:
        status = m["status"]
        if status in ("Killed", "Timeout"):
            bucket = "after-detected"
            if status == "Killed" and other(m.get("killedBy")):
                before = "detected"
            elif other(m.get("coveredBy")) or (m.get("coveredBy") is None and status == "Timeout"):
                before = "undetermined"
            else:
                before = "undetected"
        elif status in ("Survived", "NoCoverage"):
            bucket, before = "after-undetected", "undetected"
        else:
            continue
        for key in (file, "total"):
            totals[key][bucket] += 1
            totals[key][f"before-{before}"] += 1
            totals[key][f"{status}-before-{before}"] += 1


def line(label, c):
    n = c["after-detected"] + c["after-undetected"]
    if n == 0:
        return f"{label}: no mutants tested"
    low = c["before-detected"]
    high = low + c["before-undetermined"]
    after = c["after-detected"]
    rng = f"{100 * low / n:.2f}%" if low == high else f"{100 * low / n:.2f}%-{100 * high / n:.2f}%"
    return (f"{label}: before {rng} of {n}: {low} killed by other tests, {c['before-undetermined']} undetermined "
            f"({c['Killed-before-undetermined']} killed by excluded tests only, {c['Timeout-before-undetermined']} timeouts; other tests cover them), "
            f"{c['before-undetected']} undetected; after {100 * after / n:.2f}% ({after} of {n})")


if args.by_file:
    for key in sorted(k for k in totals if k != "total"):
        print(line(key, totals[key]))
print(line("total", totals["total"]))
