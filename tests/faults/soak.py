#!/usr/bin/env python3
"""reaper as PID 1 under a mixed load for SECONDS, checked every minute (scripts/soak).

    soak.py SECONDS [--interval S]

The load, all at once:
  - the long-lived reaper's command leaves orphans as fast as it can for 0.2 s, then rests
    0.8 s, and again (faultload `churn`); they all die and must be reaped;
  - signals of every kind reaper forwards (standard and real-time) are sent to it, about
    1,000 a second, and forwarded to the command;
  - beside it, short-lived reapers, one every 0.5 s or so (PID 1 each): the command leaves a
    daemon and orphans, then exits while signals are fired at reaper (exits racing
    signals), and the grace period must let the daemon finish: each must end with the
    command's code, in time.
Every interval (and once after a 5 s warm-up) the long-lived reaper's resident memory,
descriptor count and CPU time are read; at the end they must be flat: resident memory within
8 KiB of the first look, the same descriptors, and CPU time per event (signals sent + orphans
reaped) in the later intervals at most 1.5 times that of the first (+0.5 us). Nothing may be left behind: no
zombie of reaper's seen at two looks 1 s apart, every short run right, and the long-lived
reaper ends with the command's 7 at the end.

Writes PASS/FAIL lines to REAPER_TEST_RESULTS (suite once, test soak: 120 s in the test run)."""

import argparse
import os
import signal
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib  # noqa: E402
from faultlib import Run  # noqa: E402

# Everything reaper forwards: all but KILL, STOP, CHLD and the synchronous faults it leaves
# unblocked (a SEGV sent from outside would kill it, by design).
SYNCHRONOUS = {signal.SIGSEGV, signal.SIGBUS, signal.SIGFPE, signal.SIGILL, signal.SIGTRAP, signal.SIGSYS}
KINDS = [n for n in range(1, 65) if n not in (signal.SIGKILL, signal.SIGSTOP, signal.SIGCHLD, 32, 33)
         and n not in SYNCHRONOUS]
SHORT_GRACE = 1.0


def clock_ticks():
    return os.sysconf("SC_CLK_TCK")


def sample(pid):
    """(resident KiB, open descriptors, CPU seconds) of `pid`."""
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / clock_ticks()
    return rss, fds, cpu


def start_time(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except OSError:
        return None


def stuck_zombies(pid):
    """Zombies of reaper's that are still the same zombies a second later."""
    first = {z: start_time(z) for z in faultlib.zombies_of(pid)}
    if not first:
        return []
    time.sleep(1)
    return [z for z in faultlib.zombies_of(pid) if start_time(z) == first.get(z)]


class Load:
    def __init__(self, run):
        self.run = run
        self.stop = threading.Event()
        self.signals = 0
        self.orphans = 0
        self.short_ok = 0
        self.short_bad = []
        self.lock = threading.Lock()

    def events(self):
        with self.lock:
            return self.signals + self.orphans

    def churn(self):
        while not self.stop.is_set():
            mark = self.run.out.mark()
            self.run.send("churn 200")
            line = self.run.out.wait(lambda l: l.startswith("churned "), 10, mark)
            if line is None:
                self.short_bad.append("the long-lived command stopped answering")
                return
            with self.lock:
                self.orphans += int(line.split()[1])
            self.stop.wait(0.8)  # a soak, not a stress test: most of the time, the orphans rest

    def fire(self):
        index = 0
        while not self.stop.is_set():
            for _ in range(20):
                try:
                    os.kill(self.run.pid, KINDS[index % len(KINDS)])
                    with self.lock:
                        self.signals += 1
                except ProcessLookupError:
                    return
                except OSError:
                    pass  # EAGAIN: a real-time signal past RLIMIT_SIGPENDING
                index += 1
            time.sleep(0.02)  # pacing: about 1,000 a second

    def short_runs(self):
        iteration = 0
        while not self.stop.is_set():
            iteration += 1
            code = iteration % 100
            problem = short_run(code)
            if problem:
                self.short_bad.append(f"run {iteration}: {problem}")
            else:
                self.short_ok += 1
            self.stop.wait(0.5)


def short_run(code):
    """One short-lived reaper: daemon, orphans, then an exit raced by signals."""
    run = Run(["--pid1"], ["-t", str(SHORT_GRACE), "--", faultlib.env_path("REAPER_FAULTLOAD")], keep=100)
    try:
        if run.out.wait(lambda l: l.startswith("ready"), 5) is None:
            return "did not start"
        run.send("leave")
        run.out.wait(lambda l: l.startswith("left"), 5)
        run.send("orphans 10")
        run.out.wait(lambda l: l.startswith("orphaned"), 5)
        racing = threading.Event()

        def race():
            while not racing.is_set():
                for kind in (signal.SIGUSR1, signal.SIGWINCH, signal.SIGRTMIN + 2):
                    try:
                        os.kill(run.pid, kind)
                    except OSError:
                        return
        racer = threading.Thread(target=race)
        racer.start()
        began = time.monotonic()
        run.send(f"exit {code}")
        end = run.end(SHORT_GRACE + 1 + faultlib.SLACK + 0.3)
        took = time.monotonic() - began
        racing.set()
        racer.join()
        if end != ("exit", code):
            return f"ended {end}, not with {code}"
        if run.out.wait(lambda l: l == "daemon done", 1) is None:
            return "the daemon's grace was cut"
        if took > SHORT_GRACE + 1 + faultlib.SLACK + 0.3:
            return f"took {took:.1f} s"
        return None
    finally:
        run.finish()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("seconds", type=float)
    parser.add_argument("--interval", type=float, default=60)
    args = parser.parse_args()
    results = faultlib.Results()
    if os.geteuid() != 0:
        faultlib.skip_or_fail(results, "soak", "needs root (a PID namespace without a user namespace)")
        return 0
    run = Run(["--pid1"], ["-t", "2", "--", faultlib.env_path("REAPER_FAULTLOAD")], keep=1000)
    if run.out.wait(lambda l: l.startswith("ready"), 5) is None:
        results.add("FAIL", "soak: reaper did not start")
        run.finish()
        return 1
    load = Load(run)
    workers = [threading.Thread(target=work) for work in (load.churn, load.fire, load.short_runs)]
    for worker in workers:
        worker.start()
    started = time.monotonic()
    looks = []  # (seconds, rss, fds, cpu, events, stuck)
    next_look = 5.0
    print(f"{'t (s)':>6} {'RSS KiB':>8} {'fds':>4} {'CPU s':>7} {'events':>9} {'us/event':>9} "
          f"{'stuck':>5} {'short ok/bad':>12}", flush=True)
    while True:
        now = time.monotonic() - started
        if now < next_look and now < args.seconds:
            time.sleep(min(next_look, args.seconds) - now)
            continue
        if not run.alive():
            break
        rss, fds, cpu = sample(run.pid)
        events = load.events()
        stuck = stuck_zombies(run.pid)
        looks.append((now, rss, fds, cpu, events, stuck))
        per_event = ""
        if len(looks) > 1 and events > looks[-2][4]:
            per_event = f"{(cpu - looks[-2][3]) / (events - looks[-2][4]) * 1e6:.2f}"
        print(f"{now:6.0f} {rss:8} {fds:4} {cpu:7.2f} {events:9} {per_event:>9} {len(stuck):5} "
              f"{load.short_ok:>6}/{len(load.short_bad)}", flush=True)
        if now >= args.seconds:
            break
        next_look = now + args.interval if len(looks) > 1 else args.interval
    load.stop.set()
    for worker in workers:
        worker.join()
    run.send("exit 7")
    end = run.end(2 + 1 + faultlib.SLACK)
    run.finish()

    def verdict(ok, name, detail):
        results.add("PASS" if ok else "FAIL", f"soak: {name} ({detail})")

    if len(looks) < 2:
        verdict(False, "reaper stayed up to be looked at", f"{len(looks)} looks; ended {end}")
        return 1
    first, last = looks[0], looks[-1]
    verdict(last[1] - first[1] <= 8, "resident memory flat", f"{first[1]} KiB after warm-up, {last[1]} KiB at the end")
    verdict(all(look[2] == first[2] for look in looks), "descriptors flat",
            f"{' '.join(str(look[2]) for look in looks)}")
    rates = [(b[3] - a[3]) / (b[4] - a[4]) * 1e6 for a, b in zip(looks, looks[1:]) if b[4] > a[4]]
    later = statistics.median(rates[len(rates) // 2:]) if rates else 0
    verdict(bool(rates) and later <= 1.5 * rates[0] + 0.5, "CPU per event flat",
            f"{rates[0]:.2f} us in the first interval, {later:.2f} us later" if rates else "no events")
    verdict(not any(look[5] for look in looks), "no zombie stays", f"{sum(len(l[5]) for l in looks)} seen twice")
    verdict(not load.short_bad, "short runs: exits racing signals, grace periods",
            f"{load.short_ok} right" + (f"; {load.short_bad[:3]}" if load.short_bad else ""))
    verdict(end == ("exit", 7), "the long-lived reaper ends with the command's 7",
            f"{load.events()} events: {load.signals} signals, {load.orphans} orphans")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
