#!/usr/bin/env python3
"""Hostile environments: reaper started where the world is against it. Each case has the
outcome the documents promise (docs/faults.md shows this list); a case passes when nothing
differs from it. `today` records what the current binary does where it differs: those are
defects, and they FAIL here.

    hostile.py [--only TEXT]

Needs root (mount namespaces, cgroups); elsewhere every case is skipped (failed under CI=true).
Most cases run the fault suite's scenario for a role (tests/faults/run.py) with reaper started
through a prefix that changes its world (unshare, prlimit, a cgroup), so that the same checks
hold: the command's status, no zombie, no hang, no crash, forwarding, the grace."""

import argparse
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib  # noqa: E402
import run as suite  # noqa: E402
from faultlib import GRACE, SLACK, Run  # noqa: E402


class Case:
    def __init__(self, name, title, outcome, check, today=""):
        self.name, self.title, self.outcome, self.check, self.today = name, title, outcome, check, today


def in_mount_namespace(script):
    """A prefix: reaper starts in a mount namespace of its own after `script` ran there."""
    return ["unshare", "-m", "--propagation", "private", "sh", "-c", script + ' && exec "$@"', "sh"]


def role_case(role, expected="ok", says=None, **run_args):
    """A check: `role`'s scenario (run.py) with `run_args`; problems unless the outcome is
    `expected` (and, with `says`, exactly one of reaper's lines contains that text)."""
    def check():
        outcome, _, run = suite.run_role(role, [], **run_args)
        problems = [] if outcome == expected else [outcome] + run.reaper_lines()[:3]
        if says is not None:
            saying = [l for l in run.reaper_lines() if says in l]
            if len(saying) != 1:
                problems.append(f"{len(saying)} lines say {says!r}; it said {run.reaper_lines()[:3]}")
        return problems
    return check


def refusal(prefix, code, text, inject=()):
    """A check: reaper ends with `code` before the command starts, with one line containing `text`."""
    def check():
        run = Run(["--pid1", *inject], ["--", faultlib.env_path("REAPER_FAULTLOAD")], prefix=prefix)
        end = run.end(5)
        run.finish()
        lines = run.reaper_lines()
        problems = []
        if end != ("exit", code):
            problems.append(f"ended {end}")
        if len(lines) != 1 or text not in lines[0]:
            problems.append(f"lines {lines}")
        if any(l.startswith("ready") for l in run.out.text()):
            problems.append("the command started")
        return problems
    return check


# --- cgroups (v1 controller directory, or v2 with the controller enabled) ---------------

def make_cgroup(controller, settings):
    """A fresh cgroup with `settings` ({file: value}); (path, why-not)."""
    v1 = f"/sys/fs/cgroup/{controller}"
    if os.path.exists(f"{v1}/cgroup.procs"):
        parent = v1
    else:
        try:
            with open("/sys/fs/cgroup/cgroup.subtree_control") as f:
                enabled = f.read().split()
        except OSError:
            enabled = []
        if controller not in enabled:
            return None, f"no {controller} cgroup controller here"
        parent = "/sys/fs/cgroup"
    path = f"{parent}/reaper-hostile-{os.getpid()}-{controller}"
    try:
        os.makedirs(path, exist_ok=True)
        for name, value in settings.items():
            if os.path.exists(f"{path}/{name}"):
                with open(f"{path}/{name}", "w") as f:
                    f.write(str(value))
    except OSError as error:
        return None, f"cgroup {path}: {error}"
    return path, ""


def remove_cgroup(path):
    if path and not faultlib.eventually(lambda: _try_rmdir(path), 5, 0.05):
        print(f"    could not remove {path}")


def _try_rmdir(path):
    try:
        os.rmdir(path)
        return True
    except FileNotFoundError:
        return True
    except OSError:
        return False


def into_cgroup(path):
    return ["sh", "-c", f'echo $$ > {path}/cgroup.procs && exec "$@"', "sh"]


class Skip(Exception):
    pass


def pids_at_fork():
    path, why = make_cgroup("pids", {"pids.max": 1})
    if not path:
        raise Skip(why)
    try:
        return refusal(into_cgroup(path), 1, "fork")()
    finally:
        remove_cgroup(path)


def pids_while_orphans_come():
    """The command leaves orphans for 1.5 s with the pids cgroup full most of that time.

    Each round of the churn has reaper, the command, a middle process and its orphans alive
    at once (they pause until the middle exits): 6 is reached in every round whatever
    reaper's speed; a larger limit was reached only when reaper reaped slowly."""
    path, why = make_cgroup("pids", {"pids.max": 6})
    if not path:
        raise Skip(why)
    run = Run(["--pid1"], ["-t", str(GRACE), "--", faultlib.env_path("REAPER_FAULTLOAD")], prefix=into_cgroup(path))
    problems = []
    try:
        if run.out.wait(lambda l: l.startswith("ready"), 5) is None:
            return ["no start"] + run.reaper_lines()
        run.send("churn 1500")
        line = run.out.wait(lambda l: l.startswith("churned "), 10)
        if line is None:
            problems.append("churn stuck")
        elif line.split()[3] == "0":
            problems.append(f"the limit was never reached ({line})")
        if not faultlib.eventually(lambda: len(faultlib.children(run.pid)) <= 1, 3):
            problems.append("zombie" if faultlib.zombies_of(run.pid) else "orphans alive")
        if not faultlib.forwarded(run, signal.SIGUSR2):
            problems.append("no-forward")
        run.send("exit 7")
        end = run.end(GRACE + 1 + SLACK)
        if end != ("exit", 7):
            problems.append(f"ended {end}")
    finally:
        run.finish()
        remove_cgroup(path)
    return problems


def oom_kill():
    """The command leaves a daemon, then eats memory until the OOM killer of its 64 MiB
    memory cgroup kills it: reaper ends with 137 and the daemon still gets its grace."""
    limit = 64 << 20
    path, why = make_cgroup("memory", {"memory.limit_in_bytes": limit, "memory.memsw.limit_in_bytes": limit,
                                       "memory.max": limit, "memory.swap.max": 0})
    if not path:
        raise Skip(why)
    run = Run(["--pid1"], ["-t", str(GRACE), "--", faultlib.env_path("REAPER_FAULTLOAD")], prefix=into_cgroup(path))
    problems = []
    try:
        if run.out.wait(lambda l: l.startswith("ready"), 5) is None:
            return ["no start"] + run.reaper_lines()
        run.send(f"orphans {suite.ORPHANS}")
        run.out.wait(lambda l: l.startswith("orphaned"), 5)
        run.send("leave")
        run.out.wait(lambda l: l.startswith("left"), 5)
        run.send("hog")
        end = run.end(30 + GRACE + 1)
        if end != ("exit", 137):
            problems.append(f"ended {end}")
        if run.out.wait(lambda l: l == "daemon done", 1) is None:
            problems.append("grace-lost")
    finally:
        run.finish()
        remove_cgroup(path)
    return problems


def stderr_gone(role, options):
    """-w (or -vvv) with stderr a pipe nobody reads any more: a diagnostic must not kill or
    stop reaper, nor reach the command as a forwarded SIGPIPE."""
    def check():
        outcome, _, run = suite.run_role(role, [], options=options, stderr_gone=True)
        # The forwarded SIGPIPE shows as a line of the command's, or (arriving before it
        # blocked its signals) as its death by it: one defect, one word.
        if "sig 13" in run.out.text() or ":141" in outcome:
            return ["SIGPIPE forwarded to the command"]
        return [] if outcome == "ok" else [outcome]
    return check


def stderr_gone_shell():
    """The issue's own reproduction: `reaper -w -- sh -c '(sleep 0.1 &); sleep 0.3; exit 7'
    2>&1 | true`, as a subreaper: the shell must not die of reaper's SIGPIPE."""
    def check():
        run = Run([], ["-w", "--", "sh", "-c", "(sleep 0.1 &); sleep 0.3; exit 7"], stderr_gone=True)
        end = run.end(5)
        run.finish()
        return [] if end == ("exit", 7) else [f"ended {end}"]
    return check


def std_replaced(how):
    """The command gives up descriptors 0-2 (to /dev/null, or closed): then only SIGUSR1,
    forwarded by reaper, ends it, with 7."""
    def check():
        prefix = in_mount_namespace("mount -t tmpfs none /dev") if how == "closed" else None
        run = Run(["--pid1"], ["--", faultlib.env_path("REAPER_FAULTLOAD")], prefix=prefix)
        problems = []
        try:
            if run.out.wait(lambda l: l.startswith("ready"), 5) is None:
                return ["no start"] + run.reaper_lines()
            run.send(f"orphans {suite.ORPHANS}")
            run.out.wait(lambda l: l.startswith("orphaned"), 5)
            command = [pid for pid, _ in faultlib.children(run.pid)]
            run.send("std")
            run.out.wait(lambda l: l == "std", 5)
            # Its descriptor 1 is no longer the pipe reaper was given (reaper's own fd 1).
            pipe = os.readlink(f"/proc/{run.pid}/fd/1")
            if not faultlib.eventually(lambda: fd_target(command[0], 1) != pipe, 5):
                problems.append("descriptors not replaced")
            run.signal(signal.SIGUSR1)
            end = run.end(GRACE + 1 + SLACK)
            if end != ("exit", 7):
                problems.append(f"ended {end}")
        finally:
            run.finish()
        return problems
    return check


def fd_target(pid, fd):
    try:
        return os.readlink(f"/proc/{pid}/fd/{fd}")
    except OSError:
        return None


def moved(command, options=()):
    """The command leaves the process group reaper gave it (`setpgid`: into another group;
    `setsid`: into a session of its own): forwarding still reaches it, and it ends with 7."""
    def check():
        run = Run(["--pid1"], [*options, "--", faultlib.env_path("REAPER_FAULTLOAD")])
        problems = []
        try:
            if run.out.wait(lambda l: l.startswith("ready"), 5) is None:
                return ["no start"] + run.reaper_lines()
            run.send(command)
            answer = run.out.wait(lambda l: l.startswith(("moved", "setsid", "setpgid")), 5)
            if answer is None or not answer.startswith("moved"):
                problems.append(f"{command}: {answer}")
            if not faultlib.forwarded(run, signal.SIGUSR2):
                problems.append("no-forward")
            run.send("exit 7")
            end = run.end(GRACE + 1 + SLACK)
            if end != ("exit", 7):
                problems.append(f"ended {end}")
        finally:
            run.finish()
        return problems
    return check


def sigpending_flood(limit):
    """RLIMIT_SIGPENDING `limit` (reaper and the command), and for one second a flood of
    SIGUSR1, SIGWINCH and SIGRTMIN+3 at reaper while the command leaves orphans: reaper stays,
    reaps, forwards a SIGUSR2 afterwards and ends with 7."""
    def check():
        run = Run(["--pid1"], ["-t", str(GRACE), "--", faultlib.env_path("REAPER_FAULTLOAD")],
                  prefix=["prlimit", f"--sigpending={limit}", "--"])
        problems = []
        try:
            if run.out.wait(lambda l: l.startswith("ready"), 5) is None:
                return ["no start"] + run.reaper_lines()
            stop = time.monotonic() + 1.0
            sent = [0, 0]

            def flood():
                kinds = [signal.SIGUSR1, signal.SIGWINCH, signal.SIGRTMIN + 3]
                while time.monotonic() < stop:
                    for kind in kinds:
                        try:
                            os.kill(run.pid, kind)
                            sent[0] += 1
                        except ProcessLookupError:
                            return
                        except OSError:  # EAGAIN: a real-time signal past the limit
                            sent[1] += 1
            threads = [threading.Thread(target=flood) for _ in range(2)]
            for thread in threads:
                thread.start()
            run.send(f"orphans {suite.ORPHANS}")
            run.out.wait(lambda l: l.startswith("orphaned"), 5)
            for thread in threads:
                thread.join()
            if not faultlib.eventually(lambda: len(faultlib.children(run.pid)) <= 1, 3):
                problems.append("zombie" if faultlib.zombies_of(run.pid) else "orphans alive")
            if not faultlib.forwarded(run, signal.SIGUSR2):
                problems.append("no-forward")
            run.send("exit 7")
            end = run.end(GRACE + 1 + SLACK)
            if end != ("exit", 7):
                problems.append(f"ended {end}")
        finally:
            run.finish()
        return problems
    return check


def fd_limit(number):
    return ["prlimit", f"--nofile={number}", "--"]


NO_PROC = in_mount_namespace("mount -t tmpfs none /proc")
# /proc of a PID namespace reaper is not in: a sibling namespace's, whose only process
# mounted it and ended (so /proc/self names nothing).
OTHER_PROC = in_mount_namespace("unshare -p -f sh -c 'mount -t proc proc /proc'")
OWN_PROC = in_mount_namespace("mount -t proc proc /proc")
READ_ONLY_ROOT = in_mount_namespace("mount --bind / / && mount -o remount,bind,ro /")
NO_DEV = in_mount_namespace("mount -t tmpfs none /dev")


def block_all():
    signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.Signals) - {signal.SIGKILL, signal.SIGSTOP})


def ignore_all():
    for number in signal.Signals:
        if number not in (signal.SIGKILL, signal.SIGSTOP):
            try:
                signal.signal(number, signal.SIG_IGN)
            except (OSError, ValueError):
                pass
    for number in range(signal.SIGRTMIN, signal.SIGRTMAX + 1):
        try:
            signal.signal(number, signal.SIG_IGN)
        except (OSError, ValueError):
            pass


CASES = [
    Case("fd-limit-signalfd", "descriptor limit 3 (only 0-2): the signalfd cannot be made",
         "exit 1 before the command starts, one line: `signalfd: Too many open files`",
         refusal(fd_limit(3), 1, "signalfd")),
    Case("fd-limit-pipe", "descriptor limit 4: the exec-error pipe cannot be made",
         "exit 1 before the command starts, one line: `pipe2: Too many open files`",
         refusal(fd_limit(4), 1, "pipe2")),
    Case("fd-limit-grace", "descriptor limit 6 (the least that starts the command), subreaper grace: "
         "a pidfd, and no room left to re-read /proc with it",
         "the grace signal still reaches the leftover (grace-sub scenario passes)",
         role_case("grace-sub", prefix=fd_limit(6))),
    Case("signals-blocked-pid1", "started with every signal blocked, PID 1",
         "pid1 scenario passes", role_case("pid1", preexec=block_all)),
    Case("signals-blocked-grace", "started with every signal blocked, subreaper grace",
         "grace-sub scenario passes", role_case("grace-sub", preexec=block_all)),
    Case("signals-ignored-pid1", "started with every signal ignored (SIGCHLD too), PID 1",
         "pid1 scenario passes", role_case("pid1", preexec=ignore_all)),
    Case("signals-ignored-grace", "started with every signal ignored (SIGCHLD too), subreaper grace",
         "grace-sub scenario passes", role_case("grace-sub", preexec=ignore_all)),
    Case("no-proc-pid1", "no /proc (an empty tmpfs over it), PID 1 with a grace",
         "grace scenario passes: PID 1 needs no /proc (kill -1)", role_case("grace", prefix=NO_PROC)),
    Case("no-proc-subreaper", "no /proc, subreaper with a leftover",
         "the leftover cannot be found: no grace signal, left behind; the command's status (7); "
         "one line says /proc is unreadable",
         role_case("grace-sub", expected="grace-lost+left:1", says="/proc", prefix=NO_PROC)),
    Case("own-proc-pid1", "PID 1 with a /proc of its own namespace (as in a container)",
         "grace scenario passes", role_case("grace", prefix=OWN_PROC)),
    Case("other-proc-pid1", "PID 1 with /proc of another PID namespace", "grace scenario passes",
         role_case("grace", prefix=OTHER_PROC)),
    Case("other-proc-subreaper", "subreaper with /proc of another PID namespace",
         "as without /proc: nothing outside its own namespace is ever signalled; the leftover is left; "
         "one line says /proc is unusable",
         role_case("grace-sub", expected="grace-lost+left:1", says="/proc", prefix=OTHER_PROC)),
    Case("read-only-root-pid1", "read-only root, PID 1", "grace scenario passes",
         role_case("grace", prefix=READ_ONLY_ROOT)),
    Case("read-only-root-subreaper", "read-only root, subreaper", "grace-sub scenario passes",
         role_case("grace-sub", prefix=READ_ONLY_ROOT)),
    Case("no-dev", "no /dev (an empty tmpfs over it), PID 1", "pid1 scenario passes",
         role_case("pid1", prefix=NO_DEV)),
    Case("pids-at-fork", "pids cgroup full (pids.max 1) when reaper forks the command",
         "exit 1 before the command starts, one line: `fork: Resource temporarily unavailable`", pids_at_fork),
    Case("pids-orphans", "pids cgroup (pids.max 6) full while orphans keep coming for 1.5 s",
         "no zombie, forwarding works, the command's 7", pids_while_orphans_come),
    Case("oom", "the command killed by the OOM killer of a 64 MiB memory cgroup, a daemon left",
         "137; the daemon gets its grace and is reaped", oom_kill),
    Case("e2big", "the command's exec fails with E2BIG (argument list too long; faultinject fails the child's execve)",
         "126, one line: `exec \"...\": Argument list too long`",
         refusal(None, 126, "Argument list too long", inject=["--fail", "execve:E2BIG:1"])),
    Case("stderr-gone-subreaper-w", "stderr a pipe whose reader has gone, subreaper with -w (orphans reaped)",
         "subreaper scenario passes: no SIGPIPE for reaper or the command", stderr_gone("subreaper", ["-w"])),
    Case("stderr-gone-pid1-vvv", "stderr a pipe whose reader has gone, PID 1 with -vvv",
         "pid1 scenario passes", stderr_gone("pid1", ["-vvv"])),
    Case("stderr-gone-shell", "the issue's reproduction: `reaper -w -- sh -c '(sleep 0.1 &); sleep 0.3; "
         "exit 7' 2>&1 | true`", "7", stderr_gone_shell()),
    Case("std-null", "the command replaces its descriptors 0-2 with /dev/null",
         "SIGUSR1 still forwarded; the command's 7", std_replaced("null")),
    Case("std-closed", "the command closes its descriptors 0-2",
         "SIGUSR1 still forwarded; the command's 7", std_replaced("closed")),
    Case("setsid", "the command makes itself a session leader", "forwarding works; 7", moved("setsid")),
    Case("setsid-g", "the command makes itself a session leader, reaper -g", "forwarding works; 7",
         moved("setsid", ["-g"])),
    Case("setpgid", "the command moves into another process group", "forwarding works; 7", moved("setpgid")),
    Case("setpgid-g", "the command moves into another process group, reaper -g",
         "forwarding still reaches the command; 7", moved("setpgid", ["-g"])),
    Case("sigpending-0", "RLIMIT_SIGPENDING 0 while signals flood in",
         "no zombie, a later SIGUSR2 forwarded, the command's 7", sigpending_flood(0)),
    Case("sigpending-1", "RLIMIT_SIGPENDING 1 while signals flood in",
         "no zombie, a later SIGUSR2 forwarded, the command's 7", sigpending_flood(1)),
]

# What the current binary does where it differs (the defects); kept here so that the
# documents show it. Update with the observed problems when they change.
TODAY = {}  # every case passes on the current binary (the defects recorded here before are fixed: docs/faults.md)
for case in CASES:
    case.today = TODAY.get(case.name, "")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    results = faultlib.Results()
    started = time.monotonic()
    for case in CASES:
        if args.only not in case.name:
            continue
        name = f"hostile: {case.name}"
        if os.geteuid() != 0:
            faultlib.skip_or_fail(results, name, "needs root (mount namespaces, cgroups)")
            continue
        begun = time.monotonic()
        try:
            problems = case.check()
        except Skip as why:
            faultlib.skip_or_fail(results, name, str(why))
            continue
        seconds = time.monotonic() - begun
        observed = "; ".join(problems)
        results.add("FAIL" if problems else "PASS", f"{name} ({seconds:.1f} s)" + (f": {observed}" if problems else ""))
        if case.today and not problems:
            print(f"note: {case.name} passes now: clear its entry in TODAY")
        elif problems and not case.today:
            print(f"note: {case.name} fails and is not a known defect (TODAY)")
    print(f"hostile: {time.monotonic() - started:.0f} s, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
