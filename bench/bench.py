#!/usr/bin/env python3
"""Measures reaper against tini, tini-static, dumb-init and catatonit in one run.

Run through bench/run, which installs the inits and builds the C helpers. Every time is
reported as a median over many runs and as a ratio to a baseline measured in the same run,
interleaved (A B A B ...); absolute times are context only. Writes a markdown table, a JSON
file and an SVG chart of the ratios.
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
import struct
import subprocess
import sys
import time

OTHER_INITS = {
    "tini": ["/usr/bin/tini", "--"],
    "tini-static": ["/usr/bin/tini-static", "--"],
    "dumb-init": ["/usr/bin/dumb-init"],
    "catatonit": ["/usr/bin/catatonit", "--"],
}


def median(values):
    return statistics.median(values)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def is_static(path):
    """An ELF file without a PT_INTERP program header needs no dynamic loader."""
    with open(path, "rb") as elf:
        header = elf.read(64)
        if header[:4] != b"\x7fELF" or header[4] != 2:
            return False
        phoff, = struct.unpack_from("<Q", header, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", header, 0x36)
        for index in range(phnum):
            elf.seek(phoff + index * phentsize)
            if struct.unpack("<I", elf.read(4))[0] == 3:  # PT_INTERP
                return False
    return True


def children_of(pid):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = pathlib.Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def status_kib(pid, field):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for {pid}")


def context_switches(pid):
    return status_kib(pid, "voluntary_ctxt_switches") + status_kib(pid, "nonvoluntary_ctxt_switches")


def cpu_ns(pid):
    """Time on a CPU, in ns, from the scheduler's own accounting."""
    return int(pathlib.Path(f"/proc/{pid}/schedstat").read_text().split()[0])


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.01)
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
                                        stdin=subprocess.DEVNULL)
        os.close(write_end)
        self.fd = read_end
        if prefix:
            self.init = wait_for(lambda: (children_of(self.process.pid) or [None])[0], 10, f"{name} to start")
            self.sink = wait_for(lambda: (children_of(self.init) or [None])[0], 10, f"{name}'s child")
        else:
            self.init = self.sink = self.process.pid
        # The sink writes 8 zero bytes once its handler is installed.
        ready, _, _ = select.select([self.fd], [], [], 10)
        if not ready or len(os.read(self.fd, 8)) != 8:
            raise RuntimeError(f"{name}: the sink did not start")

    def pin(self, cpu):
        for pid in {self.init, self.sink}:
            os.sched_setaffinity(pid, {cpu})

    def stop(self):
        self.process.kill()
        self.process.wait()
        os.close(self.fd)


def measure_startup(driver, commands, rounds, new_namespace):
    argv = [driver, "startup", str(rounds), "1" if new_namespace else "0"]
    for command in commands:
        argv += ["::", *command]
    output = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    rows = [[int(value) for value in line.split()] for line in output.splitlines()]
    return [[row[i] for row in rows] for i in range(len(commands))]


def measure_reaping(prefix, helper, n, batch):
    """As PID 1, the init is stopped while each batch of orphans dies, then resumed: per
    zombie, its own CPU time and the wall time until none is left are the reaping alone."""
    command = ["unshare", "--pid", "--fork", "--kill-child", *prefix, helper, "orphans"]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    cpu = wall = 0
    try:
        if process.stdout.readline().strip() != "ready":
            raise RuntimeError(f"{prefix[0]}: the orphan maker did not start")
        init = children_of(process.pid)[0]
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


def measure_signals(driver, running, rounds, cpu_send, cpu_target):
    for target in running:
        target.pin(cpu_target)
    targets = [f"{target.sink if target.name == 'floor' else target.init}:{target.fd}" for target in running]
    output = subprocess.run([driver, "signals", str(rounds), str(cpu_send), *targets], check=True,
                            capture_output=True, text=True, pass_fds=[target.fd for target in running]).stdout
    rows = [[int(value) for value in line.split()] for line in output.splitlines()]
    return {target.name: [row[i] for row in rows] for i, target in enumerate(running)}


def ratio_median(samples, floor):
    return median([a / b for a, b in zip(samples, floor)])


def run(args):
    inits = {"reaper": [args.reaper, "--"]}
    inits.update(OTHER_INITS)
    true = shutil.which("true")
    results = {name: {"size_bytes": os.stat(prefix[0]).st_size, "static": is_static(prefix[0])}
               for name, prefix in inits.items()}
    log = lambda text: print(text, file=sys.stderr, flush=True)

    log("resident memory, idle cost and signal latency: every init running at once")
    running = [Running("floor", [], args.helper)] + [Running(n, p, args.helper) for n, p in inits.items()]
    try:
        for target in running[1:]:
            results[target.name]["rss_kib"] = status_kib(target.init, "VmRSS")
            results[target.name]["hwm_kib"] = status_kib(target.init, "VmHWM")
        before = {t.name: (context_switches(t.init), cpu_ns(t.init)) for t in running[1:]}
        time.sleep(args.idle_seconds)
        for target in running[1:]:
            switches, cpu = before[target.name]
            results[target.name]["idle_context_switches"] = context_switches(target.init) - switches
            results[target.name]["idle_cpu_us"] = (cpu_ns(target.init) - cpu) / 1000
        cpus = sorted(os.sched_getaffinity(0))
        for label, send, receive in [("one_cpu", cpus[0], cpus[0]), ("two_cpus", cpus[-1], cpus[0])]:
            if label == "two_cpus" and len(cpus) < 2:
                continue
            samples = measure_signals(args.driver, running, args.signal_rounds, send, receive)
            floor = samples["floor"]
            results.setdefault("floor", {})[f"signal_{label}_median_us"] = median(floor) / 1000
            results["floor"][f"signal_{label}_p99_us"] = percentile(floor, 0.99) / 1000
            for name in inits:
                results[name][f"signal_{label}_median_us"] = median(samples[name]) / 1000
                results[name][f"signal_{label}_p99_us"] = percentile(samples[name], 0.99) / 1000
                results[name][f"signal_{label}_ratio"] = ratio_median(samples[name], floor)
                results[name][f"signal_{label}_p99_ratio"] = percentile(samples[name], 0.99) / percentile(floor, 0.99)
    finally:
        for target in running:
            target.stop()

    for new_namespace, label in [(True, "pid1"), (False, "direct")]:
        log(f"start-up and tear-down ({label}), {args.startup_rounds} interleaved rounds")
        commands = [[true], [args.helper, "floor", true]] + [[*prefix, true] for prefix in inits.values()]
        samples = measure_startup(args.driver, commands, args.startup_rounds, new_namespace)
        true_samples, floor_samples = samples[0], samples[1]
        results.setdefault("baseline", {})[f"startup_{label}_true_us"] = median(true_samples) / 1000
        results["baseline"][f"startup_{label}_floor_us"] = median(floor_samples) / 1000
        results["baseline"][f"startup_{label}_floor_vs_true"] = ratio_median(floor_samples, true_samples)
        for name, series in zip(inits, samples[2:]):
            results[name][f"startup_{label}_us"] = median(series) / 1000
            results[name][f"startup_{label}_vs_floor"] = ratio_median(series, floor_samples)
            results[name][f"startup_{label}_vs_true"] = ratio_median(series, true_samples)

    for n in args.n:
        log(f"reaping {n} orphans, interleaved")
        cpu = {name: [] for name in ["floor", *inits]}
        wall = {name: [] for name in ["floor", *inits]}
        # A round forks N processes per init: fewer rounds as N grows, to keep the run short.
        repeats = args.reap_repeats if n <= 1000 else 2 if n <= 10000 else 1
        for _ in range(1 if args.quick else repeats):
            for name, prefix in [("floor", [args.helper, "floor-init"]), *inits.items()]:
                per_zombie_cpu, per_zombie_wall = measure_reaping(prefix, args.helper, n, args.batch)
                cpu[name].append(per_zombie_cpu)
                wall[name].append(per_zombie_wall)
        results["baseline"][f"reap_{n}_floor_us"] = median(cpu["floor"]) / 1000
        results["baseline"][f"reap_{n}_floor_wall_us"] = median(wall["floor"]) / 1000
        for name in inits:
            results[name][f"reap_{n}_us"] = median(cpu[name]) / 1000
            results[name][f"reap_{n}_vs_floor"] = ratio_median(cpu[name], cpu["floor"])
            results[name][f"reap_{n}_wall_us"] = median(wall[name]) / 1000
    return inits, results


def check_targets(inits, results, ns):
    me = results["reaper"]
    others = [results[name] for name in inits if name != "reaper"]
    targets = {}

    def target(name, met, detail):
        targets[name] = {"met": bool(met), "detail": detail}

    target("size", me["static"] and me["size_bytes"] <= 32768,
           f"{me['size_bytes']} bytes, {'static' if me['static'] else 'dynamic'} (target: static, <= 32768)")
    lowest_other = min(o["rss_kib"] for o in others)
    target("memory", me["rss_kib"] <= 64 and me["rss_kib"] * 10 <= lowest_other,
           f"{me['rss_kib']} KiB resident; the lowest other init: {lowest_other} KiB (target: <= 64, 10x below)")
    for label in ["pid1", "direct"]:
        best_other = min(o[f"startup_{label}_vs_floor"] for o in others)
        mine = me[f"startup_{label}_vs_floor"]
        target(f"startup_{label}", mine <= 1.10 and mine < best_other,
               f"{mine:.3f}x the floor; best other init {best_other:.3f}x (target: <= 1.10, below all)")
    worst = max(me[f"reap_{n}_vs_floor"] for n in ns)
    target("reaping", worst <= 1.15, f"worst {worst:.3f}x the floor reaper over N = {ns} (target: <= 1.15)")
    target("idle", me["idle_context_switches"] == 0 and me["idle_cpu_us"] == 0,
           f"{me['idle_context_switches']} context switches, {me['idle_cpu_us']:.1f} us CPU (target: 0 and 0)")
    for label in ["one_cpu", "two_cpus"]:
        if f"signal_{label}_median_us" not in me:
            continue
        worse = [name for name in inits if name != "reaper" and (
            me[f"signal_{label}_median_us"] > results[name][f"signal_{label}_median_us"] or
            me[f"signal_{label}_p99_us"] > results[name][f"signal_{label}_p99_us"])]
        target(f"signal_{label}", not worse,
               f"median {me[f'signal_{label}_median_us']:.2f} us, p99 {me[f'signal_{label}_p99_us']:.2f} us"
               + (f"; above {', '.join(worse)}" if worse else "; at or below every other init"))
    return targets


def markdown(report):
    inits, results, ns = report["inits"], report["results"], report["settings"]["n"]
    lines = [f"Measured {report['date']} on {report['machine']['cpu']} ({report['machine']['cpus']} CPUs), "
             f"Linux {report['machine']['kernel']}; {'quick run' if report['settings']['quick'] else 'full run'}. "
             "Ratios are medians of per-round ratios to a floor measured in the same run.", ""]
    header = ["init", "size (bytes)", "static", "RSS / HWM (KiB)", "start-up as PID 1 (x floor)",
              "start-up direct (x floor)"]
    header += [f"reap N={n}: init CPU us/zombie (x floor); wall us/zombie" for n in ns]
    header += ["idle: ctx switches, CPU us", "signal 1 CPU: median / p99 us (x floor)",
               "signal 2 CPUs: median / p99 us (x floor)"]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    for name in inits:
        r = results[name]
        row = [name, f"{r['size_bytes']:,}", "yes" if r["static"] else "no", f"{r['rss_kib']} / {r['hwm_kib']}",
               f"{r['startup_pid1_vs_floor']:.3f}", f"{r['startup_direct_vs_floor']:.3f}"]
        row += [f"{r[f'reap_{n}_us']:.2f} ({r[f'reap_{n}_vs_floor']:.3f}); {r[f'reap_{n}_wall_us']:.1f}" for n in ns]
        row.append(f"{r['idle_context_switches']}, {r['idle_cpu_us']:.0f}")
        for label in ["one_cpu", "two_cpus"]:
            if f"signal_{label}_median_us" in r:
                row.append(f"{r[f'signal_{label}_median_us']:.2f} / {r[f'signal_{label}_p99_us']:.2f} "
                           f"({r[f'signal_{label}_ratio']:.2f})")
            else:
                row.append("n/a (one CPU)")
        lines.append("| " + " | ".join(row) + " |")
    b = results["baseline"]
    lines += ["", "Floors and baselines: "
              f"`true` alone {b['startup_pid1_true_us']:.0f} us as PID 1, {b['startup_direct_true_us']:.0f} us directly; "
              f"fork+exec+wait floor {b['startup_pid1_floor_us']:.0f} us / {b['startup_direct_floor_us']:.0f} us "
              f"({b['startup_pid1_floor_vs_true']:.3f}x / {b['startup_direct_floor_vs_true']:.3f}x `true`); "
              + "; ".join(f"floor reaper {b[f'reap_{n}_floor_us']:.2f} us CPU, {b[f'reap_{n}_floor_wall_us']:.1f} us wall "
                          f"per zombie at N={n}" for n in ns)
              + "; " + "; ".join(f"signal to the child directly {results['floor'][f'signal_{l}_median_us']:.2f} / "
                                 f"{results['floor'][f'signal_{l}_p99_us']:.2f} us ({l.replace('_', ' ')})"
                                 for l in ["one_cpu", "two_cpus"] if f"signal_{l}_median_us" in results["floor"]) + ".",
              "", "reaper's targets:", ""]
    for name, target in report["targets"].items():
        lines.append(f"- {'met' if target['met'] else '**missed**'} -- {name}: {target['detail']}")
    return "\n".join(lines) + "\n"


def svg(report):
    """Horizontal bars, one group per measure, one bar per init: the ratio to the floor."""
    inits, results, ns = report["inits"], report["results"], report["settings"]["n"]
    measures = [("start-up as PID 1", "startup_pid1_vs_floor"), ("start-up direct", "startup_direct_vs_floor"),
                (f"reaping, N={ns[-1]}", f"reap_{ns[-1]}_vs_floor"), ("signal, 1 CPU", "signal_one_cpu_ratio"),
                ("signal, 2 CPUs", "signal_two_cpus_ratio")]
    measures = [m for m in measures if all(m[1] in results[name] for name in inits)]
    colours = ["#d62728", "#1f77b4", "#aec7e8", "#2ca02c", "#ff7f0e", "#9467bd"]
    bar, gap, left, width = 14, 16, 150, 420
    top_value = max(2.5, max(results[name][key] for name in inits for _, key in measures))
    scale = width / top_value
    height = 40 + len(measures) * (len(inits) * bar + gap) + 30
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 140}" height="{height}" '
           'font-family="sans-serif" font-size="11">',
           f'<text x="8" y="18" font-size="13">Cost relative to the floor (1.0 = fork+exec+wait, a bare '
           'waitpid loop, a signal sent straight to the child); lower is better</text>']
    y = 34
    for title, key in measures:
        out.append(f'<text x="8" y="{y + len(inits) * bar / 2 + 4}">{title}</text>')
        for index, name in enumerate(inits):
            value = results[name][key]
            out.append(f'<rect x="{left}" y="{y}" width="{value * scale:.1f}" height="{bar - 2}" '
                       f'fill="{colours[index % len(colours)]}"/>')
            out.append(f'<text x="{left + value * scale + 4:.1f}" y="{y + bar - 4}">{name} {value:.2f}</text>')
            y += bar
        y += gap
    one = left + scale
    out.append(f'<line x1="{one:.1f}" y1="28" x2="{one:.1f}" y2="{y}" stroke="#444" stroke-dasharray="4 3"/>')
    out.append(f'<text x="{one - 8:.1f}" y="{y + 14}">1.0</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reaper", required=True)
    parser.add_argument("--helper", required=True)
    parser.add_argument("--driver", required=True)
    parser.add_argument("--quick", action="store_true", help="fewer rounds: well under a minute")
    parser.add_argument("--n", type=lambda text: [int(n) for n in text.split(",")], help="orphan counts, e.g. 1000,10000")
    parser.add_argument("--json", default="bench/results/latest.json")
    parser.add_argument("--markdown", default="bench/results/latest.md")
    parser.add_argument("--svg", default="bench/results/ratios.svg")
    args = parser.parse_args()
    args.n = args.n or ([1000] if args.quick else [1000, 10000, 50000])
    args.startup_rounds = 60 if args.quick else 300
    args.signal_rounds = 200 if args.quick else 1000
    args.idle_seconds = 2 if args.quick else 10
    args.reap_repeats = 1 if args.quick else 5
    # pid_max may be 32,768: at most 10,000 orphans exist at once.
    args.batch = min(10000, max(1, int(pathlib.Path("/proc/sys/kernel/pid_max").read_text()) // 3))

    inits, results = run(args)
    cpu = next((line.split(":", 1)[1].strip() for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    report = {
        "date": datetime.date.today().isoformat(),
        "machine": {"cpu": cpu, "cpus": os.cpu_count(), "kernel": platform.release()},
        "settings": {"quick": args.quick, "n": args.n, "startup_rounds": args.startup_rounds,
                     "signal_rounds": args.signal_rounds, "idle_seconds": args.idle_seconds,
                     "reap_repeats": args.reap_repeats, "batch": args.batch},
        "inits": list(inits),
        "results": results,
    }
    report["targets"] = check_targets(inits, results, args.n)
    for path, text in [(args.json, json.dumps(report, indent=2) + "\n"), (args.markdown, markdown(report)),
                       (args.svg, svg(report))]:
        pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)
        pathlib.Path(path).write_text(text)
    print(markdown(report))


if __name__ == "__main__":
    main()
