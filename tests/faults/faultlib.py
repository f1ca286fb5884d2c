"""What the fault suite, the hostile-environment suite and scripts/soak share: running reaper
under tests/helpers/faultinject with tests/helpers/faultload as its command, reading what
each of them says, and looking at processes in /proc. Every wait has a deadline."""

import os
import signal
import subprocess
import threading
import time

GRACE = 2.0  # reaper's --grace in every scenario
SLACK = 0.5  # what the machine may add to "grace + 1 s" before it counts as a hang


def env_path(name):
    value = os.environ.get(name, "")
    if not value:
        raise SystemExit(f"{name} is not set (run through meson test)")
    return value


class Stream:
    """The lines one descriptor delivers, read by a thread of their own."""

    def __init__(self, fd, keep=None):
        """keep: hold only about the last `keep` lines (a soak's command talks for hours)."""
        self.lines = []
        self.dropped = 0
        self.keep = keep
        self.eof = False
        self._cond = threading.Condition()
        self._file = os.fdopen(fd, "rb", buffering=0)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        pending = b""
        while True:
            try:
                chunk = self._file.read(65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            pending += chunk
            *complete, pending = pending.split(b"\n")
            with self._cond:
                self.lines.extend(line.decode(errors="replace") for line in complete)
                if self.keep is not None and len(self.lines) > 2 * self.keep:
                    self.dropped += len(self.lines) - self.keep
                    del self.lines[:len(self.lines) - self.keep]
                self._cond.notify_all()
        with self._cond:
            if pending:
                self.lines.append(pending.decode(errors="replace"))
            self.eof = True
            self._cond.notify_all()
        self._file.close()

    def mark(self):
        """How many lines have come so far: a `start` for wait()."""
        with self._cond:
            return self.dropped + len(self.lines)

    def wait(self, predicate, timeout, start=0):
        """The first line from line number `start` on that satisfies `predicate`, or None at
        EOF or after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines[max(0, start - self.dropped):]:
                    if predicate(line):
                        return line
                start = self.dropped + len(self.lines)
                left = deadline - time.monotonic()
                if self.eof or left <= 0:
                    return None
                self._cond.wait(left)

    def wait_eof(self, timeout):
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self.eof and time.monotonic() < deadline:
                self._cond.wait(deadline - time.monotonic())
            return self.eof

    def text(self):
        with self._cond:
            return list(self.lines)


class Run:
    """reaper started under faultinject: `inject` are faultinject's options, `reaper` the
    arguments after reaper's name. stdout is the command's (faultload's), stderr reaper's."""

    def __init__(self, inject, reaper, env=None, preexec=None, wrapper=None, prefix=None, stderr_gone=False,
                 keep=None):
        """`wrapper` runs faultinject (strace); `prefix` runs between faultinject and reaper,
        and must exec reaper in the end (unshare, prlimit, sh -c '... exec "$@"');
        `stderr_gone`: reaper's stderr is a pipe whose reading end is already closed."""
        report_r, report_w = os.pipe()
        # An inherited descriptor reaper must let go of once the command runs (the command
        # keeps it): the pipe stays open in the command, reaper's copy must be gone.
        self.inherited_r, inherited_w = os.pipe()
        argv = [*(wrapper or []), env_path("REAPER_FAULTINJECT"), *inject, "--report-fd", str(report_w), "--",
                *(prefix or []), env_path("REAPER_BINARY"), *reaper]
        self.started = time.monotonic()
        if stderr_gone:
            err_r, err_w = os.pipe()
            os.close(err_r)
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=err_w if stderr_gone else subprocess.PIPE,
                                     pass_fds=[report_w, inherited_w], env=env, preexec_fn=preexec)
        os.close(report_w)
        os.close(inherited_w)
        self.report = Stream(report_r)
        self.out = Stream(os.dup(self.proc.stdout.fileno()), keep)
        self.proc.stdout.close()
        if stderr_gone:
            os.close(err_w)
            self.err = Stream(os.open(os.devnull, os.O_RDONLY))
        else:
            self.err = Stream(os.dup(self.proc.stderr.fileno()))
            self.proc.stderr.close()
        line = self.report.wait(lambda l: l.startswith("pid "), 10)
        self.pid = int(line.split()[1]) if line else None
        self.supervisor = int(line.split()[3]) if line else None

    def send(self, line):
        try:
            self.proc.stdin.write((line + "\n").encode())
            self.proc.stdin.flush()
            return True
        except (BrokenPipeError, ValueError, AttributeError):
            return False

    def arm(self):
        os.kill(self.supervisor, signal.SIGUSR1)
        return self.report.wait(lambda l: l == "armed", 5) is not None

    def signal(self, number):
        try:
            os.kill(self.pid, number)
            return True
        except ProcessLookupError:
            return False

    def end(self, timeout=0):
        """("exit", N) or ("signal", N) once reaper has ended (within `timeout`), else None."""
        line = self.report.wait(lambda l: l.startswith(("exit ", "signal ")), timeout)
        if line is None:
            return None
        kind, number = line.split()[:2]
        return kind, int(number)

    def alive(self):
        """From /proc, not from faultinject's report, which comes a little later."""
        info = stat(self.pid)
        return info is not None and info[0] not in "ZX" and self.end(0) is None

    def held_files(self):
        """reaper's descriptors above 2 that are not its own -- anonymous ones (signalfd,
        pidfd) and, as PID 1, /proc/loadavg: what it inherited and still holds."""
        held = []
        try:
            for fd in os.listdir(f"/proc/{self.pid}/fd"):
                target = os.readlink(f"/proc/{self.pid}/fd/{fd}")
                if int(fd) > 2 and not target.startswith("anon_inode:") and target != "/proc/loadavg":
                    held.append(f"{fd}->{target}")
        except OSError:
            pass
        return held

    def injected(self):
        return [l for l in self.report.text() if l.startswith("inject ")]

    def escaped(self):
        return [l for l in self.report.text() if l.startswith("escaped ")]

    def leftovers(self):
        return [l for l in self.report.text() if l.startswith("left ")]

    def reaper_lines(self):
        return [l for l in self.err.text() if l.startswith("reaper:")]

    def finish(self, timeout=10):
        """Kills reaper (by its PID: in a namespace of its own, that ends everything in it)
        unless it has ended, then waits for faultinject, which kills what came back to it."""
        if self.end(0) is None and self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self.proc.stdin.close()
        except (BrokenPipeError, AttributeError, OSError):
            pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.inherited_r is not None:
            os.close(self.inherited_r)
            self.inherited_r = None
        self.report.wait_eof(5)
        self.err.wait_eof(2)


def stat(pid):
    """(state, parent) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            text = f.read().decode(errors="replace")
    except OSError:
        return None
    fields = text[text.rfind(")") + 2:].split()
    return fields[0], int(fields[1])


def all_pids():
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def children(parent):
    found = []
    for pid in all_pids():
        info = stat(pid)
        if info and info[1] == parent:
            found.append((pid, info[0]))
    return found


def zombies_of(parent):
    return [pid for pid, state in children(parent) if state == "Z"]


# System calls an init sleeps in while it waits for something to happen (x86_64 numbers):
# read, poll, wait4, rt_sigtimedwait, epoll_wait, waitid, pselect6, ppoll, epoll_pwait,
# epoll_pwait2.
WAITING_CALLS = {"0", "7", "61", "128", "232", "247", "270", "271", "281", "441"}


def idle(pid):
    """reaper sleeps in its wait for events -- not in a call whose notification faultinject
    has yet to answer -- so the next call it makes comes after whatever happens next."""
    try:
        with open(f"/proc/{pid}/wchan") as f:
            wchan = f.read()
        with open(f"/proc/{pid}/syscall") as f:
            number = f.read().split()[0]
    except (OSError, IndexError):
        return False
    info = stat(pid)
    return info is not None and info[0] == "S" and "seccomp" not in wchan and number in WAITING_CALLS


def settled(pid, timeout=5):
    """reaper found idle at three looks in a row, 10 ms apart: a single look can land
    between a wake-up and the call that follows it. False if it never settles (or ends)."""
    streak = [0]

    def steady():
        info = stat(pid)
        if info is None or info[0] in "ZX":
            return True
        streak[0] = streak[0] + 1 if idle(pid) else 0
        return streak[0] >= 3

    return eventually(steady, timeout)


def eventually(condition, timeout, step=0.01):
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(step)


def forwarded(run, number, tries=3):
    """Sends `number` to reaper until the command reports it (a forward may fail once on
    purpose); False if it never arrives."""
    for _ in range(tries):
        mark = run.out.mark()
        if not run.signal(number):
            return False
        if run.out.wait(lambda l: l == f"sig {number}", 1.0, mark):
            return True
    return False


class Results:
    """PASS/FAIL/SKIP lines in the file REAPER_TEST_RESULTS names (scripts/test sums them)."""

    def __init__(self):
        self.path = os.environ.get("REAPER_TEST_RESULTS")
        if self.path:
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)  # a bare `meson test` has none yet
        self.failed = 0

    def add(self, verdict, name):
        if verdict == "FAIL":
            self.failed += 1
        print(f"{verdict} {name}", flush=True)
        if self.path:
            with open(self.path, "a") as f:
                f.write(f"{verdict} {name}\n")


def skip_or_fail(results, name, why):
    """A test whose environment is missing: SKIP, except under CI=true, where it fails."""
    if os.environ.get("CI") == "true":
        results.add("FAIL", f"{name} (environment missing under CI=true: {why})")
    else:
        results.add("SKIP", f"{name} ({why})")
