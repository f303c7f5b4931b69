#!/usr/bin/env python3
"""Prints a Stryker mutation-report.json as the score line and the surviving mutants that docs/quality/mutation.md lists."""
import json, os, sys
from collections import Counter

target, path = sys.argv[1], sys.argv[2]
report = json.load(open(path))
counts = Counter()
survivors = []
for file, body in sorted(report["files"].items()):
    short = os.path.relpath(file, os.getcwd()) if os.path.isabs(file) else file
    for mutant in body["mutants"]:
        counts[mutant["status"]] += 1
        if mutant["status"] in ("Survived", "NoCoverage"):
            line = mutant["location"]["start"]["line"]
            survivors.append(f'  {mutant["status"]:<10} {short}:{line} {mutant["mutatorName"]}: {mutant.get("replacement", "")!r}')
detected = counts["Killed"] + counts["Timeout"]
undetected = counts["Survived"] + counts["NoCoverage"]
score = 100.0 * detected / (detected + undetected) if detected + undetected else 100.0
print(f"{target}: score {score:.2f}% (killed {counts['Killed']}, timeout {counts['Timeout']}, survived {counts['Survived']}, "
      f"no coverage {counts['NoCoverage']}, compile errors {counts['CompileError']}, ignored {counts['Ignored']})")
print("\n".join(survivors))
