#!/usr/bin/env python3
"""Which system calls reaper makes: each role's scenario of the fault suite run once under
`strace -f`, reaper's own calls picked out (the process that exec'd the reaper binary),
counted, with the errors they returned. Compared with tests/faults/calls.tsv, the list made
from the code: a call that strace sees and the list lacks is a new call, without a row in
the fault table yet.

    syscalls.py [--print]    --print: the table per role (for docs/faults.md)

As a test (suite faults) it writes one PASS/FAIL line to REAPER_TEST_RESULTS."""

import argparse
import collections
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib  # noqa: E402
import run as suite  # noqa: E402

CALLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "calls.tsv")
LINE = re.compile(r"^(\d+) +(?:<\.\.\. (\w+) resumed>|(\w+)\()")
RESULT = re.compile(r"= -1 (E[A-Z0-9]+)")


def listed_calls():
    with open(CALLS) as f:
        return {line.split("\t")[0] for line in f if line.strip() and not line.startswith(("#", "call\t"))}


def trace(role):
    """{call: (count, {errors})} of reaper's own pid in one run of `role`."""
    with tempfile.TemporaryDirectory() as directory:
        out = os.path.join(directory, "strace")
        outcome, _, _ = suite.run_role(role, [], wrapper=["strace", "-f", "-qq", "-o", out])
        reaper = os.path.basename(faultlib.env_path("REAPER_BINARY"))
        pid = None
        seen = collections.defaultdict(lambda: [0, set()])
        with open(out) as f:
            lines = f.readlines()
        # From the exec of reaper on: before it, the process was faultinject's child.
        for index, line in enumerate(lines):
            if re.search(r'execve\("[^"]*/' + re.escape(reaper) + r'"', line):
                pid = line.split()[0]
                lines = lines[index + 1:]
                break
        for line in lines:
            match = LINE.match(line)
            if not match or match.group(1) != pid:
                continue
            call = match.group(2) or match.group(3)
            if "resumed>" in line and match.group(2) is None:
                continue
            if match.group(3) is not None:
                seen[call][0] += 1
            error = RESULT.search(line)
            if error:
                seen[call][1].add(error.group(1))
        return outcome, {call: (count, errors) for call, (count, errors) in seen.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--print", action="store_true")
    args = parser.parse_args()
    results = faultlib.Results()
    name = "faults: every system call strace sees reaper make is in tests/faults/calls.tsv"
    if shutil.which("strace") is None:
        faultlib.skip_or_fail(results, name, "strace is not installed")
        return 0
    listed = listed_calls()
    missing = {}
    for role in suite.ROLES:
        outcome, seen = trace(role)
        if args.print:
            print(f"{role} ({outcome}):")
            for call, (count, errors) in sorted(seen.items()):
                print(f"  {call:20} {count:6}  {' '.join(sorted(errors))}")
        for call in seen:
            if call not in listed and call != "execve":  # execve: faultinject's exec of reaper
                missing.setdefault(call, []).append(role)
    for call, roles in sorted(missing.items()):
        print(f"  not in calls.tsv: {call} (seen in {', '.join(roles)})")
    results.add("FAIL" if missing else "PASS", name)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
