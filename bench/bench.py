#!/usr/bin/env python3
"""Measures reaper against tini, tini-static, dumb-init, catatonit and floor programs, side
by side in one run, and writes a markdown table, a JSON file and an SVG chart of the ratios.

Run through bench/run, which installs the inits and builds the C helpers. Every figure is a
median over blocks of interleaved rounds (A B A B ...), shown with the lowest and highest
block: its spread, which is also what a later run is compared against. Times are judged as
ratios to a floor measured in the same blocks; absolute times are context only.
"""
import argparse
import datetime
import json
import os
import pathlib
import platform
import select
import shutil
import signal
import statistics
import subprocess
import sys
import time

import report
import sizes

OTHER_INITS = {
    "tini": ["/usr/bin/tini", "--"],
    "tini-static": ["/usr/bin/tini-static", "--"],
    "dumb-init": ["/usr/bin/dumb-init"],
    "catatonit": ["/usr/bin/catatonit", "--"],
}
# SCHED_FIFO priorities: the init above its child above the driver, so that on one CPU each
# runs to its next wait without being preempted, in the same order every time.
INIT_PRIORITY, CHILD_PRIORITY, DRIVER_PRIORITY = 50, 40, 30
LEFTOVER_WORK_MS = 50
# Every measured process gets the environment `docker run` gives a Debian image: what the
# inits parse at start-up (and the stack they start with) is the same in every run, whoever
# runs it. A second start-up figure adds what Kubernetes' service links put there: seven
# variables for each service of the namespace, here 60 services.
CONTAINER_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME": "bench",
                 "HOME": "/root"}
SERVICES = 60
KUBERNETES_ENV = {**CONTAINER_ENV, **{
    f"SVC{i}_{suffix}": value for i in range(SERVICES) for suffix, value in [
        ("SERVICE_HOST", f"10.96.{i}.1"), ("SERVICE_PORT", "80"), ("PORT", f"tcp://10.96.{i}.1:80"),
        ("PORT_80_TCP", f"tcp://10.96.{i}.1:80"), ("PORT_80_TCP_PROTO", "tcp"), ("PORT_80_TCP_PORT", "80"),
        ("PORT_80_TCP_ADDR", f"10.96.{i}.1")]}}


def log(text):
    print(text, file=sys.stderr, flush=True)


def median(values):
    return statistics.median(values)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def record(results, name, key, values, scale=1.0):
    """A figure: the median of its blocks, and the lowest and highest block (its spread)."""
    values = [value * scale for value in values]
    results.setdefault(name, {})[key] = median(values)
    results[name][key + "_range"] = [min(values), max(values)]


def blocks_of(total, count):
    return [total // count + (1 if i < total % count else 0) for i in range(count)]


class Placement:
    """One CPU (the last this process may use) for everything that is measured."""

    def __init__(self):
        self.cpu = sorted(os.sched_getaffinity(0))[-1]

    def realtime(self, pid, priority):
        os.sched_setaffinity(pid, {self.cpu})
        os.sched_setscheduler(pid, os.SCHED_FIFO, os.sched_param(priority))

    def driver(self):
        return lambda: self.realtime(0, DRIVER_PRIORITY)

    def description(self):
        return (f"every init at SCHED_FIFO {INIT_PRIORITY}, its child at {CHILD_PRIORITY} and the sending driver at "
                f"{DRIVER_PRIORITY} (what `chrt -f` sets), all on CPU {self.cpu} (what `taskset -c {self.cpu}` sets), "
                "through sched_setscheduler(2) and sched_setaffinity(2)")


def children_of(pid):
    try:
        return [int(child) for child in pathlib.Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    found = []  # a kernel without CONFIG_PROC_CHILDREN: every process's parent, from its stat
    for entry in os.listdir("/proc"):
        try:
            stat = pathlib.Path(f"/proc/{entry}/stat").read_text() if entry.isdigit() else ""
        except OSError:
            continue
        if stat and int(stat[stat.rfind(")") + 2:].split()[1]) == pid:
            found.append(int(entry))
    return found


def status_fields(pid):
    fields = {}
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.split()[0] if value.split() else ""
    return fields


def switches(pid):
    fields = status_fields(pid)
    return int(fields["voluntary_ctxt_switches"]), int(fields["nonvoluntary_ctxt_switches"])


def cpu_ns(pid):
    """Time on a CPU, in ns, from the scheduler's own accounting."""
    return int(pathlib.Path(f"/proc/{pid}/schedstat").read_text().split()[0])


def kib_fields(path):
    fields = {}
    for line in pathlib.Path(path).read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == "kB":
            fields[parts[0].rstrip(":")] = int(parts[1])
    return fields


def memory(pid):
    rollup = kib_fields(f"/proc/{pid}/smaps_rollup")
    status = kib_fields(f"/proc/{pid}/status")
    return {"rss_kib": rollup["Rss"], "pss_kib": rollup["Pss"],
            "anon_kib": rollup["Anonymous"], "pte_kib": status["VmPTE"], "hwm_kib": status["VmHWM"]}


def mappings(pid):
    """Per mapping of /proc/PID/smaps: what it is, and the resident KiB in it."""
    rows = []
    for line in pathlib.Path(f"/proc/{pid}/smaps").read_text().splitlines():
        parts = line.split()
        if "-" in parts[0] and len(parts) >= 5 and not parts[0].endswith(":"):
            start, end = (int(x, 16) for x in parts[0].split("-"))
            name = parts[5] if len(parts) > 5 else "[anonymous]"
            rows.append({"mapping": f"{parts[1]} {os.path.basename(name) if name.startswith('/') else name}",
                         "size_kib": (end - start) // 1024})
        elif len(parts) == 3 and parts[2] == "kB" and rows:
            key = {"Rss:": "rss_kib", "Pss:": "pss_kib", "Private_Dirty:": "dirty_kib",
                   "Anonymous:": "anon_kib"}.get(parts[0])
            if key:
                rows[-1][key] = int(parts[1])
    return rows


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.005)
    raise RuntimeError(f"timed out waiting for {what}")


class Running:
    """An init as PID 1 of a new PID namespace, its child a signal sink; or the sink alone."""

    def __init__(self, name, prefix, helper):
        self.name = name
        read_end, write_end = os.pipe()
        command = [*prefix, helper, "sink"]
        if prefix:
            command = ["unshare", "--pid", "--fork", "--kill-child", *command]
        self.process = subprocess.Popen(command, stdout=write_end, stderr=subprocess.DEVNULL,
                                        stdin=subprocess.DEVNULL, env=CONTAINER_ENV)
        os.close(write_end)
        self.fd = read_end
        try:
            if prefix:
                self.init = wait_for(lambda: (children_of(self.process.pid) or [None])[0], 10, f"{name} to start")
                self.sink = wait_for(lambda: (children_of(self.init) or [None])[0], 10, f"{name}'s child")
            else:
                self.init = self.sink = self.process.pid
            # The sink writes 8 zero bytes once its handler is installed.
            ready, _, _ = select.select([self.fd], [], [], 10)
            if not ready or len(os.read(self.fd, 8)) != 8:
                raise RuntimeError(f"{name}: the sink did not start")
        except BaseException:
            self.stop()
            raise

    def realtime(self, place):
        place.realtime(self.init, INIT_PRIORITY)
        place.realtime(self.sink, CHILD_PRIORITY)

    def stop(self):
        self.process.kill()
        self.process.wait()
        os.close(self.fd)


def measure_idle(running, seconds, results):
    before = {t.name: (sum(switches(t.init)), cpu_ns(t.init)) for t in running}
    time.sleep(seconds)
    for target in running:
        count, cpu = before[target.name]
        results[target.name]["idle_context_switches"] = sum(switches(target.init)) - count
        results[target.name]["idle_cpu_us"] = (cpu_ns(target.init) - cpu) / 1000


def measure_memory(copies, results):
    """Each init's memory over its copies, all running at once: what differs between copies
    (the stack's random offset decides whether its top spans one page more) is the spread.
    A node running 1,000 pods holds each pod's anonymous pages (those the process wrote:
    its stack, data and heap) and page tables, and the clean pages of the binary (and its
    libraries) once. Not Pss_Dirty: it also counts a binary's pages that are still dirty in
    the page cache because the file was just written, as a freshly built reaper is."""
    for name, running in copies.items():
        samples = [memory(t.init) for t in running]
        for key in ["rss_kib", "pss_kib", "anon_kib", "pte_kib", "hwm_kib"]:
            record(results, name, key, [sample[key] for sample in samples])
        pod = [sample["anon_kib"] + sample["pte_kib"] for sample in samples]
        clean = median([sample["rss_kib"] - sample["anon_kib"] for sample in samples])
        record(results, name, "pod_kib", pod)
        record(results, name, "pods_1000_mib", [(1000 * kib + clean) / 1024 for kib in pod])


def measure_signals(driver, running, blocks, rounds, place, results):
    """The init's own CPU per forwarded signal, from schedstat around each block; the wall
    latency (kill -> the child's handler) as context."""
    for target in running:
        target.realtime(place)
    measured = [t for t in running if t.name != "direct"]
    order = [f"{t.sink if t.name == 'direct' else t.init}:{t.fd}" for t in running]
    cpu = {t.name: [] for t in measured}
    woken = {t.name: [0, 0] for t in measured}
    wall = {t.name: [] for t in running}
    for _ in range(blocks):
        before = {t.name: (cpu_ns(t.init), switches(t.init)) for t in measured}
        output = subprocess.run([driver, "signals", str(rounds), *order], check=True, capture_output=True, text=True,
                                pass_fds=[t.fd for t in running], preexec_fn=place.driver(),
                                env=CONTAINER_ENV).stdout
        for t in measured:
            start_cpu, (voluntary, involuntary) = before[t.name]
            now_voluntary, now_involuntary = switches(t.init)
            cpu[t.name].append((cpu_ns(t.init) - start_cpu) / rounds)
            woken[t.name][0] += now_voluntary - voluntary
            woken[t.name][1] += now_involuntary - involuntary
        for line in output.splitlines():
            for t, value in zip(running, line.split()):
                wall[t.name].append(int(value))
    floor_wall = median(wall["floor"])
    for t in measured:
        record(results, t.name, "signal_cpu_us", cpu[t.name], 1e-3)
        record(results, t.name, "signal_cpu_vs_floor", [a / b for a, b in zip(cpu[t.name], cpu["floor"])])
        results[t.name]["signal_wakeups"] = woken[t.name][0] / (blocks * rounds)
        results[t.name]["signal_preemptions"] = woken[t.name][1] / (blocks * rounds)
        results[t.name]["signal_wall_median_us"] = median(wall[t.name]) / 1000
        results[t.name]["signal_wall_p99_us"] = percentile(wall[t.name], 0.99) / 1000
        results[t.name]["signal_wall_vs_floor"] = median(wall[t.name]) / floor_wall
    results["baseline"]["signal_direct_wall_median_us"] = median(wall["direct"]) / 1000
    results["baseline"]["signal_direct_wall_p99_us"] = percentile(wall["direct"], 0.99) / 1000


def run_driver_rows(argv, place, env=None):
    output = subprocess.run(argv, check=True, capture_output=True, text=True, preexec_fn=place.driver(),
                            env=env or CONTAINER_ENV).stdout
    return [line.split() for line in output.splitlines()]


def measure_startup(driver, helper, inits, rounds, blocks, place, results):
    true = shutil.which("true")
    commands = [[true], [helper, "floor", true]] + [[*prefix, true] for prefix in inits.values()]
    for new_namespace, label, env in [(True, "pid1", CONTAINER_ENV), (False, "direct", CONTAINER_ENV),
                                      (True, "pid1_k8s", KUBERNETES_ENV)]:
        log(f"start-up and tear-down ({label}): {rounds} interleaved rounds")
        per_block = []
        for size in blocks_of(rounds, blocks):
            argv = [driver, "startup", str(size), "1" if new_namespace else "0"]
            for command in commands:
                argv += ["::", *command]
            rows = [[int(v) for v in row] for row in run_driver_rows(argv, place, env)]
            per_block.append([[row[i] for row in rows] for i in range(len(commands))])
        block_median = lambda i: [median(block[i]) for block in per_block]  # noqa: E731
        ratio = lambda i, j: [median([a / b for a, b in zip(block[i], block[j])]) for block in per_block]  # noqa
        record(results, "baseline", f"startup_{label}_true_us", block_median(0), 1e-3)
        record(results, "floor", f"startup_{label}_us", block_median(1), 1e-3)
        record(results, "floor", f"startup_{label}_vs_true", ratio(1, 0))
        for index, name in enumerate(inits, start=2):
            record(results, name, f"startup_{label}_us", block_median(index), 1e-3)
            record(results, name, f"startup_{label}_vs_floor", ratio(index, 1))
            record(results, name, f"startup_{label}_vs_true", ratio(index, 0))


def measure_exit(driver, helper, inits, rounds, blocks, place, results):
    """Nothing left behind: from the child's exit to the init's, as PID 1, against a PID 1
    that only loops on waitpid."""
    names = ["floor", *inits]
    commands = [[helper, "floor-init"], *inits.values()]
    argv = [driver, "exit", None, str(INIT_PRIORITY)]
    for command in commands:
        argv += ["::", *command, helper, "exit-on-go"]
    wall = {name: [] for name in names}
    cpu = {name: [] for name in names}
    ratios = {name: [] for name in names}
    for size in blocks_of(rounds, blocks):
        argv[2] = str(size)
        rows = [[tuple(int(v) for v in cell.split(":")) for cell in row] for row in run_driver_rows(argv, place)]
        for i, name in enumerate(names):
            wall[name].append(median([row[i][0] for row in rows]))
            cpu[name].append(median([row[i][1] for row in rows]))
            ratios[name].append(median([row[i][0] / row[0][0] for row in rows]))
    for name in names:
        record(results, name, "exit_us", wall[name], 1e-3)
        record(results, name, "exit_cpu_us", cpu[name], 1e-3)
        if name != "floor":
            record(results, name, "exit_vs_floor", ratios[name])
            record(results, name, "exit_cpu_vs_floor", [a / b for a, b in zip(cpu[name], cpu["floor"])])


def measure_leftover(driver, helper, inits, rounds, place, results):
    """A leftover that needs LEFTOVER_WORK_MS to finish on SIGTERM: SIGTERM -> the init's exit,
    and whether the leftover finished."""
    argv = [driver, "leftover", str(rounds), str(INIT_PRIORITY)]
    for prefix in inits.values():
        argv += ["::", *prefix, helper, "leftover", str(LEFTOVER_WORK_MS)]
    rows = [[tuple(int(v) for v in cell.split(":")) for cell in row] for row in run_driver_rows(argv, place)]
    for i, name in enumerate(inits):
        times = [row[i][0] for row in rows]
        if min(times) < 0:
            raise RuntimeError(f"{name} did not exit within 10 s of SIGTERM")
        record(results, name, "leftover_ms", times, 1e-6)
        results[name]["leftover_finished"] = sum(row[i][1] for row in rows)
        results[name]["leftover_rounds"] = len(rows)


def reap_once(prefix, helper, n, batch, place):
    """As PID 1, the init is stopped while each batch of orphans dies, then resumed: per
    zombie, its own CPU time and the wall time until none is left are the reaping alone."""
    command = ["unshare", "--pid", "--fork", "--kill-child", *prefix, helper, "orphans"]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=CONTAINER_ENV)
    cpu = wall = 0
    try:
        if process.stdout.readline().strip() != "ready":
            raise RuntimeError(f"{prefix[0]}: the orphan maker did not start")
        init = children_of(process.pid)[0]
        place.realtime(init, INIT_PRIORITY)
        for done in range(0, n, batch):
            os.kill(init, signal.SIGSTOP)
            process.stdin.write(f"batch {min(batch, n - done)}\n")
            process.stdin.flush()
            if process.stdout.readline().strip() != "dead":
                raise RuntimeError(f"{prefix[0]}: the orphans did not die")
            before = cpu_ns(init)
            start = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
            os.kill(init, signal.SIGCONT)
            reaped = process.stdout.readline().split()
            wall += int(reaped[1]) - start
            cpu += cpu_ns(init) - before
        process.stdin.close()
        process.wait(timeout=60)
    finally:
        process.kill()
        process.wait()
    return cpu / n, wall / n


def measure_reaping(helper, inits, ns, rounds_for, batch, place, results):
    everyone = {"floor": [helper, "floor-init"], **inits}
    for n in ns:
        rounds = rounds_for(n)
        log(f"reaping {n} orphans: {rounds} interleaved rounds")
        cpu = {name: [] for name in everyone}
        wall = {name: [] for name in everyone}
        for _ in range(rounds):
            for name, prefix in everyone.items():
                per_zombie_cpu, per_zombie_wall = reap_once(prefix, helper, n, batch, place)
                cpu[name].append(per_zombie_cpu)
                wall[name].append(per_zombie_wall)
        for name in everyone:
            record(results, name, f"reap_{n}_us", cpu[name], 1e-3)
            record(results, name, f"reap_{n}_wall_us", wall[name], 1e-3)
            if name != "floor":
                record(results, name, f"reap_{n}_vs_floor", [a / b for a, b in zip(cpu[name], cpu["floor"])])


def is_static(path):
    """An ELF file (32 or 64 bits, either byte order) without a PT_INTERP program header."""
    import struct
    with open(path, "rb") as elf:
        header = elf.read(64)
        if header[:4] != b"\x7fELF":
            return False
        wide, order = header[4] == 2, "<" if header[5] == 1 else ">"
        if wide:
            phoff, = struct.unpack_from(order + "Q", header, 0x20)
            phentsize, phnum = struct.unpack_from(order + "HH", header, 0x36)
        else:
            phoff, = struct.unpack_from(order + "I", header, 0x1c)
            phentsize, phnum = struct.unpack_from(order + "HH", header, 0x2a)
        for index in range(phnum):
            elf.seek(phoff + index * phentsize)
            if struct.unpack(order + "I", elf.read(4))[0] == 3:  # PT_INTERP
                return False
    return True


def host_processes():
    """kill(-1, ...) from any namespace walks every process of the host: their number is
    part of the conditions of a run."""
    return sum(1 for entry in os.listdir("/proc") if entry.isdigit())


def wait_for_quiet(threshold, minutes):
    """Waits, up to `minutes`, for the 1-minute load average to fall below `threshold`."""
    deadline = time.monotonic() + minutes * 60
    while os.getloadavg()[0] >= threshold and time.monotonic() < deadline:
        log(f"load average {os.getloadavg()[0]:.2f} >= {threshold}: waiting (until {minutes} min have passed)")
        time.sleep(30)
    return os.getloadavg()[0]


def run(args):
    inits = {"reaper": [args.reaper, "--"], **OTHER_INITS}
    place = Placement()
    results = {name: {"size_bytes": os.stat(prefix[0]).st_size, "static": is_static(prefix[0])}
               for name, prefix in inits.items()}
    results["floor"] = {}
    results["baseline"] = {}
    extra = {}

    log("sizes on every architecture of the release")
    root = pathlib.Path(__file__).resolve().parent.parent
    extra["sizes"] = sizes.measure(root, pathlib.Path(args.binaries or root), args.reaper,
                                   pathlib.Path(args.cache) / "debs", not args.quick, log, args.architectures)
    for row in extra["sizes"]:
        if row["reaper"]:
            row["reaper"]["static"] = is_static(row["reaper"]["file"])

    log(f"memory and idle cost: {args.copies} copies of every init at once, each with a sleeping child")
    prefixes = {"floor": [args.helper, "forward"], **inits}
    copies = {name: [] for name in prefixes}
    direct = None
    try:
        for _ in range(args.copies):
            for name, prefix in prefixes.items():
                copies[name].append(Running(name, prefix, args.helper))
        measure_memory(copies, results)
        extra["mappings"] = {name: mappings(copies[name][0].init) for name in ("reaper", "floor")}
        for name in prefixes:
            for target in copies[name][1:]:
                target.stop()
            copies[name] = copies[name][:1]
        running = [copies[name][0] for name in prefixes]
        measure_idle(running, args.idle_seconds, results)
        log(f"signals: {args.signal_blocks} blocks of {args.signal_rounds} interleaved rounds")
        direct = Running("direct", [], args.helper)
        measure_signals(args.driver, [direct, *running], args.signal_blocks, args.signal_rounds, place, results)
        for target in running:
            results[target.name]["rss_after_signals_kib"] = memory(target.init)["rss_kib"]
    finally:
        for target in [t for group in copies.values() for t in group] + ([direct] if direct else []):
            target.stop()

    measure_startup(args.driver, args.helper, inits, args.startup_rounds, args.blocks, place, results)
    log(f"child exit -> init exit: {args.exit_rounds} interleaved rounds")
    measure_exit(args.driver, args.helper, inits, args.exit_rounds, args.blocks, place, results)
    log(f"SIGTERM with a leftover that needs {LEFTOVER_WORK_MS} ms: {args.leftover_rounds} rounds")
    measure_leftover(args.driver, args.helper, inits, args.leftover_rounds, place, results)
    # A round of 1,000 is a tenth of a second, and its ratio moves by half from one round to
    # the next (0.95-1.69 in five): the small N get more rounds for a median that holds.
    rounds_for = (lambda n: 3) if args.quick else (lambda n: 15 if n <= 1000 else 5 if n <= 10000 else 3)
    measure_reaping(args.helper, inits, args.n, rounds_for, args.batch, place, results)
    return inits, results, extra, place


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reaper", required=True)
    parser.add_argument("--helper", required=True)
    parser.add_argument("--driver", required=True)
    parser.add_argument("--quick", action="store_true", help="fewer rounds, no downloads: well under two minutes")
    parser.add_argument("--n", type=lambda text: [int(n) for n in text.split(",")], help="orphan counts, e.g. 1000,10000")
    parser.add_argument("--json", help="default: bench/results/latest.json (quick: next to the driver)")
    parser.add_argument("--markdown")
    parser.add_argument("--svg")
    parser.add_argument("--previous", help="the run to compare with (default: previous.json beside --json, "
                                           "which this run's --json file, when it exists, becomes first)")
    parser.add_argument("--binaries", help="where reaper's builds for other architectures are: dist/reaper-*-ARCH "
                                           "or build-ARCH/reaper under it (default: the source tree)")
    parser.add_argument("--architectures", type=lambda text: text.split(","),
                        help="the release's architectures (default: scripts/release's list, else cross/*.ini)")
    parser.add_argument("--cache", help="where downloaded packages are kept (default: next to the driver)")
    parser.add_argument("--wait-load", type=float, help="first wait (up to --wait-minutes) for the 1-minute load "
                                                        "average to fall below this (default: 0.7 for a full run)")
    parser.add_argument("--wait-minutes", type=float, default=30)
    args = parser.parse_args()
    out = pathlib.Path(args.driver).parent if args.quick else pathlib.Path(__file__).parent / "results"
    stem = "quick" if args.quick else "latest"
    args.json = pathlib.Path(args.json or out / f"{stem}.json")
    args.markdown = pathlib.Path(args.markdown or out / f"{stem}.md")
    args.svg = pathlib.Path(args.svg or out / ("quick.svg" if args.quick else "ratios.svg"))
    args.cache = args.cache or str(pathlib.Path(args.driver).parent)
    args.n = args.n or ([1000] if args.quick else [1000, 10000, 50000])
    args.blocks = 3 if args.quick else 5
    args.startup_rounds = 60 if args.quick else 300
    args.exit_rounds = 60 if args.quick else 300
    args.leftover_rounds = 3 if args.quick else 10
    args.signal_blocks = 3 if args.quick else 5
    args.signal_rounds = 200 if args.quick else 1000
    args.idle_seconds = 2 if args.quick else 10
    args.copies = 3 if args.quick else 10
    # pid_max may be 32,768: at most 10,000 orphans exist at once.
    args.batch = min(10000, max(1, int(pathlib.Path("/proc/sys/kernel/pid_max").read_text()) // 3))
    wait_load = args.wait_load if args.wait_load is not None else (None if args.quick else 0.7)

    load_waited = wait_for_quiet(wait_load, args.wait_minutes) if wait_load is not None else None
    load_before = os.getloadavg()
    processes_before = host_processes()
    started = time.monotonic()
    inits, results, extra, place = run(args)
    cpu = next((line.split(":", 1)[1].strip() for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    commit = subprocess.run(["git", "-C", str(pathlib.Path(__file__).parent), "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip()
    this = {
        "format": 2,
        "date": datetime.datetime.now().isoformat(timespec="minutes"),
        "commit": commit,
        "machine": {"cpu": cpu, "cpus": os.cpu_count(), "kernel": platform.release(), "arch": platform.machine()},
        "load": {"waited_for": wait_load, "at_start": list(load_before), "at_end": list(os.getloadavg()),
                 "wait_ended_at": load_waited, "host_processes_at_start": processes_before,
                 "host_processes_at_end": host_processes()},
        "seconds": round(time.monotonic() - started),
        "settings": {"quick": args.quick, "n": args.n, "blocks": args.blocks, "startup_rounds": args.startup_rounds,
                     "exit_rounds": args.exit_rounds, "leftover_rounds": args.leftover_rounds,
                     "signal_blocks": args.signal_blocks, "signal_rounds": args.signal_rounds,
                     "idle_seconds": args.idle_seconds, "copies": args.copies, "batch": args.batch,
                     "leftover_work_ms": LEFTOVER_WORK_MS, "placement": place.description(),
                     "environment": CONTAINER_ENV, "kubernetes_variables": len(KUBERNETES_ENV)},
        "inits": list(inits),
        "results": results,
        **extra,
    }
    this["targets"] = report.check_targets(this)

    previous_path = pathlib.Path(args.previous) if args.previous else args.json.with_name(
        "previous.json" if args.json.name == "latest.json" else args.json.stem + ".previous.json")
    if not args.previous and args.json.exists():
        shutil.copyfile(args.json, previous_path)
    previous = json.loads(previous_path.read_text()) if previous_path.exists() else None
    this["compared"] = report.compare(this, previous, str(previous_path))
    for path, text in [(args.json, json.dumps(this, indent=1) + "\n"), (args.markdown, report.markdown(this)),
                       (args.svg, report.svg(this))]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    readme = pathlib.Path(__file__).resolve().parent.parent / "README.md"
    if not args.quick and args.json == pathlib.Path(__file__).parent / "results" / "latest.json":
        readme.write_text(report.replace_block(readme.read_text(), "bench", report.readme_summary(this)))
    print(report.markdown(this))


if __name__ == "__main__":
    main()
