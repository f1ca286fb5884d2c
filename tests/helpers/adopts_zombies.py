#!/usr/bin/env python3
"""adopts_zombies.py INIT [ARG...]: runs INIT as a child of this process, which is a child
subreaper, with the command `sh -c '(sleep 0.2 &); exec sleep 0.2'` appended: a command that
orphans a sleep and sleeps as long itself. Once INIT has both as children it is stopped
until both are zombies, then continued: the command's exit and the orphan's reach it at once.
Prints "status N inherited M": INIT's exit status, and how many processes this one inherited
when INIT exited (what INIT left unreaped). Every wait is bounded (10 s)."""

import ctypes
import os
import signal
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def children(parent):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                found.append((int(entry), fields[0]))
    return found


def eventually(condition, what):
    deadline = time.monotonic() + 10
    while not condition():
        if time.monotonic() > deadline:
            sys.exit(f"adopts_zombies: timed out waiting for {what}")
        time.sleep(0.01)


def main():
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("adopts_zombies: PR_SET_CHILD_SUBREAPER failed")
    init = subprocess.Popen(sys.argv[1:] + ["sh", "-c", "(sleep 0.2 &); exec sleep 0.2"])
    eventually(lambda: len(children(init.pid)) == 2, "the command and its orphan")
    os.kill(init.pid, signal.SIGSTOP)
    eventually(lambda: all(state == "Z" for _, state in children(init.pid)), "both to end")
    os.kill(init.pid, signal.SIGCONT)
    status = init.wait(timeout=10)
    print(f"status {status} inherited {len(children(os.getpid()))}", flush=True)


if __name__ == "__main__":
    main()
