#!/usr/bin/env python3
"""Where reaper's extra time and memory go, against the floor programs: its system calls in
each phase (strace), its own CPU time and page faults (perf stat), its user-space
instructions (callgrind), the exit path priced step by step, the cost of kill(-1, 0)
against the number of processes on the host, and its stack (frame sizes, pages touched).
Run through bench/profile, which builds what it needs; writes a markdown report."""
import argparse
import collections
import os
import pathlib
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

import bench

ENV = bench.CONTAINER_ENV


def strace(argv, stdin_text=None):
    """The system calls of every process of argv, in order: [(pid, name)], and the PIDs in
    order of exit."""
    with tempfile.NamedTemporaryFile("r", suffix=".strace") as out:
        subprocess.run(["strace", "-f", "-q", "-o", out.name, *argv], input=stdin_text, env=ENV, text=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        calls, exits = [], []
        for line in out.read().splitlines():
            match = re.match(r"(\d+)\s+(.*)", line)
            if not match:
                continue
            pid, rest = int(match.group(1)), match.group(2)
            if rest.startswith("+++ exited") or rest.startswith("+++ killed"):
                exits.append((len(calls), pid))
            elif rest.startswith("<...") or rest.startswith("---"):
                continue
            else:
                name = re.match(r"(\w+)\(", rest)
                if name:
                    calls.append((pid, name.group(1)))
        return calls, exits


def phases(calls, exits, init_pid, child_pid):
    """The init's calls before its child's exit and after it, and the child's before exec."""
    child_exit = next(index for index, pid in exits if pid == child_pid)
    before = [name for index, (pid, name) in enumerate(calls) if pid == init_pid and index < child_exit]
    after = [name for index, (pid, name) in enumerate(calls) if pid == init_pid and index >= child_exit]
    child = []
    for pid, name in calls:
        if pid == child_pid:
            child.append(name)
            if name == "execve":
                break
    return before, child, after


def summary(names):
    counts = collections.Counter(names)
    return f"{len(names)}: " + ", ".join(f"{name}×{n}" if n > 1 else name for name, n in counts.items())


def syscall_table(reaper, helper):
    lines = ["## System calls, phase by phase (strace -f)", "",
             "Counted in the init's own process (the child's until its execve). The start-up runs until the "
             "child exits; the exit path from the child's exit to the init's.", "",
             "| phase | reaper | floor |", "|---|---|---|"]
    setups = [("run directly: `INIT true`", [reaper, "--", "true"], [helper, "floor", "true"], None),
              ("as PID 1: `unshare -p -f INIT helper exit-on-go`",
               ["unshare", "-p", "-f", reaper, "--", helper, "exit-on-go"],
               ["unshare", "-p", "-f", helper, "floor-init", helper, "exit-on-go"], "g")]
    for title, mine, floor, stdin_text in setups:
        split = {}
        for who, argv in [("reaper", mine), ("floor", floor)]:
            calls, exits = strace(argv, stdin_text)
            pids = list(dict.fromkeys(pid for pid, _ in calls))
            # unshare forks the init; the init forks the command.
            init_pid = pids[1] if argv[0] == "unshare" else pids[0]
            child_pid = pids[pids.index(init_pid) + 1]
            split[who] = phases(calls, exits, init_pid, child_pid)
        for index, phase in enumerate(["start-up, the init", "start-up, its child before exec", "exit path"]):
            lines.append(f"| {title}: {phase} | {summary(split['reaper'][index])} | {summary(split['floor'][index])} |")
    return lines


def signal_table(reaper, helper, inits):
    """System calls per forwarded signal, every init: strace on a running init, 20 signals."""
    lines = ["", "## System calls per forwarded SIGUSR1 (strace, 20 signals)", "", "| init | per signal |", "|---|---|"]
    for name, prefix in [("reaper", [reaper, "--"]), ("floor", [helper, "forward"]), *inits.items()]:
        with tempfile.NamedTemporaryFile("r", suffix=".strace") as out:
            running = bench.Running(name, ["strace", "-qq", "-o", out.name, *prefix], helper)
            try:
                init = bench.wait_for(lambda: (bench.children_of(running.init) or [None])[0], 10, "the traced init")
                time.sleep(0.2)
                start = len(pathlib.Path(out.name).read_text().splitlines())
                for _ in range(20):
                    os.kill(init, 10)
                    os.read(running.fd, 8)
                time.sleep(0.2)
                text = pathlib.Path(out.name).read_text().splitlines()[start:]
            finally:
                running.stop()
        names = [re.match(r"(\w+)\(", line).group(1) for line in text if re.match(r"\w+\(", line)]
        counts = collections.Counter(names)
        lines.append(f"| {name} | " + ", ".join(f"{call}×{n / 20:g}" for call, n in counts.items()) + " |")
    return lines


def perf_table(reaper, helper, rounds):
    if not shutil.which("perf"):
        return ["", "## Own CPU time and page faults", "", "perf is not installed: not measured."]
    lines = ["", f"## Own CPU time and page faults, run directly (perf stat --no-inherit, {rounds} runs)", "",
             "The init's own process only, from its exec to its exit, pinned to one CPU.", "",
             "| command | task-clock, us | page faults |", "|---|---|---|"]
    for title, argv in [("reaper -- true", [reaper, "--", "true"]), ("helper floor true", [helper, "floor", "true"])]:
        done = subprocess.run(["taskset", "-c", str(sorted(os.sched_getaffinity(0))[-1]), "perf", "stat",
                               "--no-inherit", "-x,", "-e", "task-clock,page-faults", "-r", str(rounds), *argv],
                              capture_output=True, text=True, env=ENV)
        values = {}
        for line in done.stderr.splitlines():
            fields = line.split(",")
            if len(fields) > 3:
                values[fields[2]] = fields[0]
        clock = float(values.get("task-clock", "nan")) * 1000
        lines.append(f"| `{title}` | {clock:.0f} | {values.get('page-faults', '?')} |")
    return lines


def callgrind_table(symbols):
    if not shutil.which("valgrind"):
        return ["", "## User-space instructions", "", "valgrind is not installed: not measured."]
    lines = ["", "## User-space instructions of `reaper -- true` (callgrind, the unstripped build)", ""]
    for title, env in [("the container environment", ENV),
                       (f"{len(bench.KUBERNETES_ENV)} variables (Kubernetes)", bench.KUBERNETES_ENV)]:
        with tempfile.TemporaryDirectory() as work:
            out = pathlib.Path(work) / "callgrind.out"
            # From / and by absolute path: run from the source tree, callgrind_annotate splits a
            # function's cost between the relative and the absolute names of its file.
            subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", os.path.abspath(symbols),
                            "--", "true"], env=env, capture_output=True, cwd="/")
            annotated = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", str(out)],
                                       capture_output=True, text=True, cwd="/").stdout
        total = re.search(r"([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS", annotated)
        lines += [f"With {title}: {total.group(1) if total else '?'} instructions in all. The heaviest of "
                  "reaper's own functions, inclusive:", "", "| instructions | function |", "|---|---|"]
        shown = 0
        for line in annotated.split("-- Auto-annotated")[0].splitlines():
            match = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(\S+?):(.*) \[", line)
            if match and "/src/" in match.group(2) and match.group(3) not in ("main",) and shown < 10:
                lines.append(f"| {match.group(1)} | {os.path.basename(match.group(2))}: `{match.group(3)[:90]}` |")
                shown += 1
        lines.append("")
    return lines


def exit_steps(driver, helper, exitsteps, reaper, rounds, place):
    steps = [("-", "waitpid PID 1 (the floor)"), ("s", "+ wake through signalfd: poll, read, waitpid(WNOHANG)"),
             ("r", "+ wake through signalfd: read, waitpid(WNOHANG) (no poll)"),
             ("sw", "poll wake + 2 more waitpid (ECHILD)"), ("swg", "... + getpid twice"),
             ("swgk", "... + kill(-1, 0)"), ("swgkc", "... + close(signalfd)"),
             ("swgkct", "... + 24 KiB more stack touched"),
             ("rwgl", "read wake, 2 more waitpid, getpid twice, open+read+close /proc/loadavg instead of kill(-1, 0)"),
             ("rwgp", "... the same, read through a descriptor opened before the fork (what reaper does)")]
    argv = [driver, "exit", str(rounds), str(bench.INIT_PRIORITY)]
    for code, _ in steps:
        argv += ["::", exitsteps, code, helper, "exit-on-go"]
    argv += ["::", reaper, "--", helper, "exit-on-go"]
    rows = [[tuple(int(v) for v in cell.split(":")) for cell in row] for row in bench.run_driver_rows(argv, place)]
    lines = ["", f"## The exit path as PID 1, step by step ({rounds} interleaved rounds, pinned as in bench/run)", "",
             f"`bench/exitsteps.c` adds reaper's steps one by one to a bare waitpid PID 1; {host_processes()} "
             "processes on the host.", "",
             "| PID 1 | child exit → init exit, us | the init's CPU, us | ÷ floor |", "|---|---|---|---|"]
    for index, title in enumerate([t for _, t in steps] + ["reaper"]):
        wall = statistics.median(row[index][0] for row in rows) / 1000
        cpu = statistics.median(row[index][1] for row in rows) / 1000
        ratio = statistics.median(row[index][0] / row[0][0] for row in rows)
        lines.append(f"| {title} | {wall:.1f} | {cpu:.1f} | {ratio:.3f} |")
    return lines


def host_processes():
    return sum(1 for entry in os.listdir("/proc") if entry.isdigit())


def kill_scaling(driver, helper, exitsteps, extra, rounds, place):
    """kill(-1, 0) visits every process of the host, whatever namespace it is called in."""
    def price():
        argv = [driver, "exit", str(rounds), str(bench.INIT_PRIORITY), "::", exitsteps, "-", helper, "exit-on-go",
                "::", exitsteps, "k", helper, "exit-on-go"]
        rows = [[tuple(int(v) for v in cell.split(":")) for cell in row] for row in bench.run_driver_rows(argv, place)]
        return statistics.median((row[1][1] - row[0][1]) / 1000 for row in rows)
    lines = ["", "## kill(-1, 0) against the processes on the host", "",
             "The init's own CPU with kill(-1, 0) less without it, as PID 1 of a new namespace that holds "
             "nothing else: the kernel walks every process of the host (kill_something_info(): "
             "for_each_process), not those of the namespace.", "", "| processes on the host | kill(-1, 0), us |",
             "|---|---|"]
    lines.append(f"| {host_processes()} | {price():.1f} |")
    if extra > 0:
        sleepers = [subprocess.Popen([helper, "sink"], stdout=subprocess.DEVNULL) for _ in range(extra)]
        try:
            lines.append(f"| {host_processes()} | {price():.1f} |")
        finally:
            for process in sleepers:
                process.kill()
            for process in sleepers:
                process.wait()
    return lines


def stack_tables(source, build_dir, reaper_binary, helper):
    lines = ["", "## reaper's stack", ""]
    if not (build_dir / "build.ninja").exists() and subprocess.run(
            ["meson", "setup", str(build_dir), str(source), "-Dcpp_args=-fstack-usage"],
            capture_output=True).returncode != 0:
        return lines + ["(the -fstack-usage build could not be configured)"]
    subprocess.run(["ninja", "-C", str(build_dir), "reaper"], capture_output=True)
    frames = []
    for su in build_dir.glob("reaper.p/*.su"):
        for line in su.read_text().splitlines():
            where, size, _ = line.rsplit("\t", 2)
            frames.append((int(size), where.split(":", 3)[-1], os.path.basename(where.split(":")[0])))
    frames.sort(reverse=True)
    lines += ["The largest frames (gcc -fstack-usage):", "", "| bytes | function | file |", "|---|---|---|"]
    lines += [f"| {size:,} | `{name[:100]}` | {file} |" for size, name, file in frames[:8]]
    running = bench.Running("reaper", [reaper_binary, "--"], helper)
    try:
        pid = running.init
        for line in pathlib.Path(f"/proc/{pid}/maps").read_text().splitlines():
            if line.endswith("[stack]"):
                low, high = (int(x, 16) for x in line.split()[0].split("-"))
        present = []
        with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
            for page in range(low, high, 4096):
                pagemap.seek(page // 4096 * 8)
                if struct.unpack("<Q", pagemap.read(8))[0] >> 63:
                    present.append((high - page) // 1024)
    finally:
        running.stop()
    lines += ["", "Resident pages of an idle reaper's stack, in KiB below its top (/proc/PID/pagemap): "
              + ", ".join(f"{offset - 4}-{offset}" for offset in present)
              + ". The top pages hold the environment, argv and auxv the kernel wrote and main's frame; the "
              "others, 20 KiB further down, are the bottom of run()'s frame (the event loop's signalfd, its "
              "batch of 16 siginfos, the first poll entries) and what it calls."]
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ["reaper", "symbols", "helper", "driver", "exitsteps", "source", "stack-build"]:
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--markdown", default="bench/results/profile.md")
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--extra-processes", type=int, default=2000,
                        help="sleeping processes started for a while to price kill(-1, 0) (0: none)")
    args = parser.parse_args()
    place = bench.Placement()
    load = os.getloadavg()[0]
    lines = [f"# Where reaper's time and memory go ({time.strftime('%Y-%m-%d %H:%M')}, load average {load:.2f}, "
             f"{host_processes()} processes on the host)", "",
             "Made by `bench/profile`; the environment of every process is the container one of bench/run "
             f"({', '.join(ENV)}).", ""]
    lines += syscall_table(args.reaper, args.helper)
    lines += signal_table(args.reaper, args.helper, bench.OTHER_INITS)
    lines += perf_table(args.reaper, args.helper, args.rounds)
    lines += callgrind_table(args.symbols)
    lines += exit_steps(args.driver, args.helper, args.exitsteps, args.reaper, args.rounds, place)
    lines += kill_scaling(args.driver, args.helper, args.exitsteps, args.extra_processes, args.rounds // 3, place)
    lines += stack_tables(pathlib.Path(args.source), pathlib.Path(args.stack_build), args.reaper, args.helper)
    pathlib.Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
    pathlib.Path(args.markdown).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
