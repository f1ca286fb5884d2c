#!/usr/bin/env python3
"""The fault suite: every system call reaper makes, failed on purpose, one cell at a time.

Each row of tests/faults/expected.tsv is a cell: CALL fails with ERROR, at the call WHEN
says, while reaper plays ROLE. The cell runs one scenario (below) under faultinject and
reduces what happened to one word list, the outcome; the cell passes when it equals the
row's `outcome` (what the issue requires). The `today` column records what the current
binary does where that differs: those cells are the known defects, and they FAIL here.

    run.py [--only TEXT] [--record] [--jobs N]

--only runs the cells whose "call error when role" contains TEXT; --record writes what was
observed into the `today` column of expected.tsv (and clears it where the cell now passes).

What every cell checks -- the issue's "what must hold every time":
  - reaper ends with the command's status (7; 0 for --pause on SIGTERM), or, failing
    before the command starts, with its own code and exactly one line saying why;
  - no zombie stays under reaper (checked after each wave of orphans), and as a subreaper
    nothing is left behind when it ends;
  - it ends within grace + 1 s of the command's end (or of SIGTERM under --pause);
  - it is never killed by a signal (crash) and never ends before the command (early);
  - signals are still forwarded after the fault; in the grace roles the leftover gets
    the grace signal (SIGTERM), not only SIGKILL;
  - no diagnostic line is repeated.
"""

import argparse
import concurrent.futures
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib  # noqa: E402
from faultlib import GRACE, SLACK, Run, Stream  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "expected.tsv")
COLUMNS = ["call", "error", "when", "role", "outcome", "today", "note"]

# pid1, grace and pause: PID 1 of a new PID namespace; subreaper and grace-sub: not.
# grace roles leave a daemon behind before the command exits; pause has no command: a
# process joins reaper's namespace from outside (as a pod's containers do).
ROLES = {
    "pid1": {"pid1": True, "pause": False, "leave": False},
    "subreaper": {"pid1": False, "pause": False, "leave": False},
    "pause": {"pid1": True, "pause": True, "leave": False},
    "grace": {"pid1": True, "pause": False, "leave": True},
    "grace-sub": {"pid1": False, "pause": False, "leave": True},
}
# first: reaper's first call; later: the first call after the arming point (see scenario());
# every / later-every: that call and every one after it. Anything else is faultinject's own
# WHEN syntax (N, N+, @N, @N+).
WHEN = {"first": "1", "later": "@1", "every": "1+", "later-every": "@1+"}
ORPHANS = 20


class Joined:
    """faultload started inside reaper's PID namespace from outside it."""

    def __init__(self, reaper_pid):
        argv = ["nsenter", "-t", str(reaper_pid), "-p"]
        if os.geteuid() != 0:
            argv += ["-U", "--preserve-credentials"]
        self.proc = subprocess.Popen(argv + ["--", faultlib.env_path("REAPER_FAULTLOAD")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.out = Stream(os.dup(self.proc.stdout.fileno()))
        self.proc.stdout.close()

    def send(self, line):
        try:
            self.proc.stdin.write((line + "\n").encode())
            self.proc.stdin.flush()
            return True
        except (BrokenPipeError, ValueError):
            return False

    def close(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def ended_word(end):
    kind, number = end
    return f"crash:{signal.Signals(number).name}" if kind == "signal" else str(number)


class EndedEarly(Exception):
    """reaper ended while the command (or, under --pause, the test) still needed it."""


def scenario(run, role, problems):
    """Drives one run of `role`, appending what went wrong to `problems`. Returns the code
    reaper must end with, "refused" when it ended before the command started, or None when
    the outcome is decided already.

    pid1, subreaper: the command starts; wave A (20 orphans that die after re-parenting, all
    to be collected); SIGUSR2 to reaper must reach the command. Arming point. Wave B, with
    reaper stopped while the orphans die (one SIGCHLD, one reap pass); SIGUSR2 again; reaper
    must still be there. The command exits 7.
    grace, grace-sub: the command starts; wave A; it leaves a daemon that takes 300 ms to
    finish on SIGTERM. Arming point. The command exits 7; once the daemon has its SIGTERM, a
    SIGHUP (ignored then) wakes reaper while the daemon still works.
    pause: a process joins reaper's namespace and leaves wave A; SIGHUP (ignored). Arming
    point. Wave B; the joined process exits; SIGTERM must end reaper with 0."""
    spec = ROLES[role]
    joined = None

    def check_alive():
        # Once reaper sleeps again it has done all it will do about what came before: a
        # reaper on its way out after a fault is not taken for one still there.
        faultlib.settled(run.pid)
        if not run.alive():
            raise EndedEarly()

    def problem(word):
        check_alive()  # what failed because reaper is gone counts as that, not as more
        problems.append(word)

    try:
        if spec["pause"]:
            if not faultlib.eventually(lambda: not run.alive() or faultlib.idle(run.pid), 5):
                problems.append("hang-at-start")
                return None
            if not run.alive():
                return "refused"
            joined = Joined(run.pid)
            out, send = joined.out, joined.send
        else:
            out, send = run.out, run.send
        if out.wait(lambda l: l.startswith("ready"), 5) is None:
            if not faultlib.eventually(lambda: not run.alive(), 3):
                problems.append("hang-at-start")
                return None
            return "refused"

        # reaper's own children that are not orphans: the command, later the daemon.
        known = {pid for pid, _ in faultlib.children(run.pid)}

        def wave(name, stopped=False):
            # Stopped: all the orphans die while reaper cannot run, so their deaths reach it
            # as one SIGCHLD and one reap pass must collect them all.
            check_alive()
            if stopped:
                run.signal(signal.SIGSTOP)
            mark = out.mark()
            send(f"orphans {ORPHANS}")
            if out.wait(lambda l: l == f"orphaned {ORPHANS}", 5, mark) is None:
                problem(f"{name}-stuck")
            if stopped:
                faultlib.eventually(lambda: len(faultlib.zombies_of(run.pid)) >= ORPHANS, 3)
                run.signal(signal.SIGCONT)
            # Once the orphans' parent is gone they are all reaper's: the wave is over when
            # reaper has collected every one of them (so that nothing of it comes later).
            if not faultlib.eventually(lambda: {p for p, _ in faultlib.children(run.pid)} <= known, 3, 0.02):
                problem("zombie" if faultlib.zombies_of(run.pid) else f"{name}-alive")

        wave("wave-a")
        if run.held_files():
            problem("holds-fd")  # an inherited descriptor kept open (close_range's fallback)
        if spec["pause"]:
            run.signal(signal.SIGHUP)
        elif not faultlib.forwarded(run, signal.SIGUSR2):
            problem("no-forward")
        if spec["leave"]:
            send("leave")
            if out.wait(lambda l: l.startswith("left "), 5) is None:
                problem("no-daemon")
            # The daemon is re-parented to reaper once its parent has gone.
            faultlib.eventually(lambda: len(faultlib.children(run.pid)) > len(known), 3)
            known |= {pid for pid, _ in faultlib.children(run.pid)}
        # Armed while reaper sleeps, so that "later" is the first call after what comes next.
        if not faultlib.settled(run.pid):
            problem("busy")
        run.arm()
        if not spec["leave"]:
            wave("wave-b", stopped=True)
            if not spec["pause"] and not faultlib.forwarded(run, signal.SIGUSR2):
                problem("no-forward")
        if spec["pause"]:
            send("exit 0")
            joined.close()
            check_alive()
            run.told_to_end = time.monotonic()
            run.signal(signal.SIGTERM)
            return 0
        check_alive()
        run.told_to_end = time.monotonic()
        send("exit 7")
        if spec["leave"]:
            # A signal during the grace period (ignored then) wakes reaper while the daemon
            # is still at work: what reaper does with that wake-up must not cut the grace.
            if out.wait(lambda l: l == "daemon 15", GRACE + 1) is not None:
                run.signal(signal.SIGHUP)
        return 7
    except EndedEarly:
        end = run.end(5)
        problems.append("early:" + (ended_word(end) if end else "?"))
        return None
    finally:
        if joined is not None:
            joined.close()


def run_cell(cell):
    call, error, when = cell["call"], cell["error"], cell["when"]
    return run_role(cell["role"], ["--fail", f"{call}:{error}:{WHEN.get(when, when)}"])


def run_role(role, inject, options=(), **run_args):
    """One scenario of `role`, reaper (with `options`) under faultinject with `inject`;
    `run_args` go to faultlib.Run (wrapper, prefix, preexec...): (outcome, seconds, run)."""
    spec = ROLES[role]
    inject = (["--pid1"] if spec["pid1"] else []) + inject
    reaper = ["-t", str(GRACE), *options] + (
        ["--pause"] if spec["pause"] else ["--", faultlib.env_path("REAPER_FAULTLOAD")])
    started = time.monotonic()
    run = Run(inject, reaper, **run_args)
    problems = []
    if run.pid is None:
        run.finish()
        return "no-start", time.monotonic() - started, run
    try:
        expected_code = scenario(run, role, problems)
        if expected_code == "refused":
            end = run.end(5)
            run.finish()  # all of stderr, to count its lines
            lines = len(run.reaper_lines())
            word = "hang-at-start" if end is None else (
                f"refuse:{end[1]}" if end[0] == "exit" else ended_word(end))
            problems.append(word if lines == 1 or end is None or end[0] != "exit" else f"{word}+lines:{lines}")
        elif expected_code is not None:
            # grace + 1 s from the moment the command was told to end (SIGTERM under pause)
            end = run.end(max(0, run.told_to_end + GRACE + 1 + SLACK - time.monotonic()))
            if end is None:
                problems.append("hang")
            elif end[0] == "signal":
                problems.append(ended_word(end))
            elif end[1] != expected_code:
                problems.append(f"status:{end[1]}")
            # The daemon got no SIGTERM, or SIGKILL before it had finished its work.
            # (Its last line may still be on its way through the pipe.)
            if spec["leave"] and end is not None and run.out.wait(lambda l: l == "daemon done", 1) is None:
                problems.append("grace-lost")
    finally:
        hung = "hang" in problems
        run.finish()
    if run.escaped():
        problems.append(f"escaped:{len(run.escaped())}")
    if run.leftovers() and not hung:
        problems.append(f"left:{len(run.leftovers())}")
    lines = run.reaper_lines()
    if len(set(lines)) != len(lines):
        problems.append("repeat")
    if "--fail" in inject and not run.injected():
        problems.append("not-reached")
    return "+".join(dict.fromkeys(problems)) or "ok", time.monotonic() - started, run


def read_cells():
    cells = []
    with open(DATA) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line or line.startswith("#") or line.startswith("call\t"):
                continue
            fields = line.split("\t") + [""] * len(COLUMNS)
            cells.append(dict(zip(COLUMNS, fields)))
    return cells


def write_cells(cells):
    with open(DATA) as f:
        comments = [l for l in f if l.startswith("#")]
    with open(DATA, "w") as f:
        f.writelines(comments)
        f.write("\t".join(COLUMNS) + "\n")
        for cell in cells:
            f.write("\t".join(cell[c] for c in COLUMNS) + "\n")


def name_of(cell):
    return f"{cell['call']} {cell['error']} {cell['when']} {cell['role']}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="")
    parser.add_argument("--record", action="store_true")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    results = faultlib.Results()
    cells = read_cells()
    chosen = [c for c in cells if args.only in name_of(c)]
    started = time.monotonic()
    changed_defects = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for cell, (observed, seconds, run) in zip(chosen, pool.map(run_cell, chosen)):
            passed = observed == cell["outcome"]
            detail = f"{observed} in {seconds:.1f} s"
            if not passed:
                detail += f" (expected {cell['outcome']})"
            if cell["today"] and cell["today"] != observed:
                changed_defects.append(f"{name_of(cell)}: today says {cell['today']}, observed {observed}")
            results.add("PASS" if passed else "FAIL", f"faults: {name_of(cell)}: {detail}")
            if args.verbose or not passed:
                for line in run.injected()[:3] + run.reaper_lines()[:6]:
                    print(f"    {line}")
            if args.record:
                cell["today"] = "" if passed else observed
    if args.record:
        write_cells(cells)
    for line in changed_defects:
        print(f"note: {line}")
    print(f"faults: {len(chosen)} cells in {time.monotonic() - started:.0f} s, {results.failed} failed")

    # The document's table is made from the same data: it must not have drifted.
    if not args.only:
        sys.path.insert(0, HERE)
        import gen_doc
        current = gen_doc.render()
        with open(gen_doc.DOC) as f:
            same = f.read() == current
        results.add("PASS" if same else "FAIL", "faults: docs/faults.md is generated from expected.tsv"
                    + ("" if same else " (run tests/faults/gen_doc.py)"))
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
