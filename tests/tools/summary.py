#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Final summary of scripts/test.sh over several CTest runs.

Usage: summary.py RUN_NAME BUILD_DIR JUNIT_XML [RUN_NAME BUILD_DIR JUNIT_XML ...]

For each run (one `ctest --output-junit` file, labels from `ctest
--show-only=json-v1` in BUILD_DIR) it prints passed/failed/skipped per
label; then every skip with its reason, both whole tests that CTest skipped
and the cases a passing test skipped inside itself (its "SKIP ..." lines);
then where each kvm and examples test ran (the "vm-run: where:" line that
scripts/vm-run.sh prints). Last comes the line
"total: N passed, N failed, N skipped".

Exit status 1 when a test failed, when a run has no result file, or when a
test of the kvm or examples label does not say where it ran (it did not go
through vm-run.sh, so the tier could have been silently missing). A test
that needs no KVM by design says so itself, with a line
"where: this host (no KVM needed: REASON)"; it is counted apart.
"""
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import OrderedDict

VM_LABELS = ("kvm", "examples")
SKIP_LINE = re.compile(r"^SKIP\b:?\s*(.*)$")
WHERE_LINE = re.compile(r"^vm-run: where: (.*)$")
HOST_LINE = re.compile(r"^where: (this host \(no KVM needed: .*\))$")


def labels_of(build_dir):
    out = subprocess.run(["ctest", "--test-dir", build_dir, "--show-only=json-v1"],
                         check=True, capture_output=True, text=True).stdout
    labels = {}
    for t in json.loads(out).get("tests", []):
        names = []
        for p in t.get("properties", []):
            if p.get("name") == "LABELS":
                names = list(p.get("value", []))
        labels[t["name"]] = names or ["(none)"]
    return labels


def main(argv):
    if len(argv) < 3 or len(argv) % 3:
        print(__doc__, file=sys.stderr)
        return 2
    bad = False
    total = {"passed": 0, "failed": 0, "skipped": 0}
    table = []
    skips = []
    where = OrderedDict()
    silent = []
    for i in range(0, len(argv), 3):
        run, build_dir, junit = argv[i:i + 3]
        try:
            root = ET.parse(junit).getroot()
        except (OSError, ET.ParseError) as e:
            print(f"summary: {run}: no test results ({e})")
            bad = True
            continue
        labels = labels_of(build_dir)
        per = OrderedDict()
        for tc in root.iter("testcase"):
            name = tc.get("name")
            out = tc.findtext("system-out") or ""
            if tc.find("skipped") is not None:
                state = "skipped"
            elif tc.find("failure") is not None or tc.get("status") == "fail":
                state = "failed"
            else:
                state = "passed"
            lines = out.splitlines()
            for lab in labels.get(name, ["(none)"]):
                per.setdefault(lab, {"passed": 0, "failed": 0, "skipped": 0})[state] += 1
            total[state] += 1
            reasons = [m.group(1) for m in map(SKIP_LINE.match, lines) if m]
            if state == "skipped":
                why = "; ".join(reasons) or "(the test printed no reason)"
                skips.append(f"{run}: {name}: {why}")
            elif reasons:
                for r in reasons:
                    skips.append(f"{run}: {name}: case skipped inside a passing test: {r}")
            if any(lab in VM_LABELS for lab in labels.get(name, [])):
                places = [m.group(1) for m in map(WHERE_LINE.match, lines) if m]
                places += [m.group(1) for m in map(HOST_LINE.match, lines) if m]
                if not places:
                    silent.append(f"{run}: {name}")
                for p in places:
                    key = (run, p)
                    where[key] = where.get(key, 0) + 1
        for lab, c in sorted(per.items()):
            table.append((run, lab, c["passed"], c["failed"], c["skipped"]))

    print()
    print("=== summary")
    print(f"{'run':<14} {'label':<10} {'passed':>6} {'failed':>6} {'skipped':>7}")
    for run, lab, p, f, s in table:
        print(f"{run:<14} {lab:<10} {p:>6} {f:>6} {s:>7}")
    print()
    print(f"skips ({len(skips)}):" if skips else "skips: none")
    for s in skips:
        print(f"  {s}")
    print()
    print("where the kvm and examples tests ran (vm-run.sh):")
    for (run, text), n in where.items():
        if text.startswith("this host (no KVM needed"):
            print(f"  {run}: {n} tests on {text}")
        else:
            print(f"  {run}: {n} vm-run.sh calls on {text}")
    if not where:
        print("  none")
    for s in silent:
        print(f"  FAIL: {s} does not say where it ran (not run through scripts/vm-run.sh)")
        bad = True
    if total["failed"]:
        bad = True
    print()
    print(f"total: {total['passed']} passed, {total['failed']} failed, "
          f"{total['skipped']} skipped")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
