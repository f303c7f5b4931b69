#!/usr/bin/env python3
"""Combines a full run's mutation-report.json with a later re-run of its undetected mutants (MUTATE_FROM): a mutant the
full run left undetected (survived, no coverage) takes the re-run's status; every other keeps the full run's (a killed
mutant inside a re-run span may show as uncovered when the re-run filters the tests, and is still killed). Writes the combined report to the path
given last, for summary.py.

    python3 tools/mutation/combine.py before.json rerun.json combined.json
"""
import json, os, sys

before, rerun, out = sys.argv[1], sys.argv[2], sys.argv[3]
full = json.load(open(before))
later = json.load(open(rerun))


def key(path, mutant):
    loc = mutant["location"]
    return (os.path.basename(path), loc["start"]["line"], loc["start"]["column"], loc["end"]["line"], loc["end"]["column"],
            mutant["mutatorName"], mutant.get("replacement", ""))


retested = {}
for path, body in later["files"].items():
    for mutant in body["mutants"]:
        if mutant["status"] not in ("Ignored", "CompileError"):
            retested[key(path, mutant)] = mutant["status"]

changed = 0
for path, body in full["files"].items():
    for mutant in body["mutants"]:
        status = retested.get(key(path, mutant))
        # A re-run that filters the tests reports as uncovered what the full run saw survive: keep the full run's word.
        if mutant["status"] in ("Survived", "NoCoverage") and status not in (None, "NoCoverage") and status != mutant["status"]:
            mutant["status"] = status
            changed += 1

json.dump(full, open(out, "w"))
print(f"{changed} mutants changed status ({len(retested)} re-tested)", file=sys.stderr)
