#!/usr/bin/env python3
"""Prints one Stryker.NET `mutate` pattern per line: each file of a mutation-report.json with a mutant that survived or
had no coverage, with the text span of every such mutant ({start..end}, character offsets, which Stryker.NET's mutate
filter takes). tools/mutation.sh reads them with MUTATE_FROM=<report>, so a re-run after new tests tests only the
mutants the earlier run left undetected (a test added cannot let a killed mutant survive)."""
import json, os, sys

report = json.load(open(sys.argv[1]))
for path, body in sorted(report["files"].items()):
    source = body["source"]
    starts = [0]
    for i, c in enumerate(source):
        if c == "\n":
            starts.append(i + 1)

    def offset(position):
        return starts[position["line"] - 1] + position["column"] - 1

    # One character past the end: the filter keeps a mutant only if a span contains it whole, and this does not
    # depend on whether the report's end column is inclusive.
    spans = sorted({(offset(m["location"]["start"]), offset(m["location"]["end"]) + 1)
                    for m in body["mutants"] if m["status"] in ("Survived", "NoCoverage")})
    if spans:
        # The glob is matched against the full path; ** keeps it independent of where the repository is checked out.
        print("**/" + os.path.basename(path) + "".join(f"{{{s}..{e}}}" for s, e in spans))
