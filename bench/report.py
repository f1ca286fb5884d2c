"""What bench.py measured, judged and written out: reaper's targets, the comparison with the
previous run, the markdown table and the SVG chart."""

def value_range(results, name, key):
    value = results[name][key]
    return results[name].get(key + "_range", [value, value])


def check_targets(report):
    """reaper's targets (issues 1, 15 and 17): each met or missed, with the numbers."""
    results, inits = report["results"], report["inits"]
    me = results["reaper"]
    others = [name for name in inits if name != "reaper"]
    targets = {}

    def target(name, met, detail):
        targets[name] = {"met": bool(met), "detail": detail}

    for row in report.get("sizes", []):
        if row["reaper"]:
            size, limit = row["reaper"]["bytes"], row["target_bytes"]
            target(f"size_{row['arch']}", row["reaper"]["static"] and size <= limit,
                   f"{row['arch']}: {size:,} bytes, {'static' if row['reaper']['static'] else 'dynamic'} "
                   f"({row['reaper']['file']}; target: static, <= {limit:,})")
    # What one more pod's init costs the node: its own (anonymous) pages and its page tables
    # (issue 17's "resident memory", 52 KiB when it was filed). Rss also counts the binary's
    # clean pages, which every copy shares: it must stay 10x below the others'.
    lowest = min(results[o]["rss_kib"] for o in others)
    target("memory", me["pod_kib"] <= 48 and me["rss_kib"] * 10 <= lowest,
           f"{me['pod_kib']} KiB per pod (anonymous + page tables), {me['rss_kib']} KiB Rss; the lowest other "
           f"init's Rss: {lowest} KiB (target: <= 48 per pod, Rss 10x below)")
    for label, limit in [("pid1", 1.10), ("direct", 1.05)]:
        key = f"startup_{label}_vs_floor"
        best = min(results[o][key] for o in others)
        lo, hi = value_range(results, "reaper", key)
        target(f"startup_{label}", me[key] <= limit and me[key] < best,
               f"{me[key]:.3f}x fork+exec+wait (blocks {lo:.3f}-{hi:.3f}); best other init {best:.3f}x "
               f"(target: <= {limit:.2f}, below all)")
    lo, hi = value_range(results, "reaper", "exit_vs_floor")
    target("exit", me["exit_vs_floor"] <= 1.10,
           f"child exit -> init exit {me['exit_vs_floor']:.3f}x a bare waitpid PID 1 (blocks {lo:.3f}-{hi:.3f}; "
           f"{me['exit_us']:.1f} us against {results['floor']['exit_us']:.1f}) (target: <= 1.10)")
    ns = report["settings"]["n"]
    worst = max(ns, key=lambda n: me[f"reap_{n}_vs_floor"])
    lo, hi = value_range(results, "reaper", f"reap_{worst}_vs_floor")
    target("reaping", me[f"reap_{worst}_vs_floor"] <= 1.15,
           f"worst {me[f'reap_{worst}_vs_floor']:.3f}x the floor PID 1 (N = {worst:,}, rounds {lo:.3f}-{hi:.3f}) "
           "(target: <= 1.15)")
    target("idle", me["idle_context_switches"] == 0 and me["idle_cpu_us"] == 0,
           f"{me['idle_context_switches']} context switches, {me['idle_cpu_us']:.1f} us CPU (target: 0 and 0)")
    # Judged on the ratios to the floor forwarder, taken block by block: the machine's drift
    # between blocks moves the microseconds of all alike, and the ratios not.
    lo, hi = value_range(results, "reaper", "signal_cpu_vs_floor")
    above = [o for o in others if me["signal_cpu_vs_floor"] > results[o]["signal_cpu_vs_floor"]
             and lo > value_range(results, o, "signal_cpu_vs_floor")[1]]
    target("signal", not above,
           f"{me['signal_cpu_us']:.2f} us init CPU per signal, {me['signal_cpu_vs_floor']:.3f}x the floor forwarder "
           f"(blocks {lo:.3f}-{hi:.3f}); "
           + (f"above {', '.join(above)} beyond the spread" if above else "above no other init beyond the spread")
           + " (target: not above any)")
    target("leftover", me["leftover_finished"] == me["leftover_rounds"],
           f"the leftover finished its {report['settings']['leftover_work_ms']} ms of work in "
           f"{me['leftover_finished']} of {me['leftover_rounds']} rounds; SIGTERM -> exit {me['leftover_ms']:.1f} ms "
           "(target: every round)")
    return targets


# Figures compared with the previous run: the ratios to the floors (absolute times move with
# the machine from one run to the next, the floor's as much as the inits'), the memory, and
# the exact ones. Each must have a spread, or be exact; single samples are context only.
COMPARED_SUFFIXES = ("_vs_floor", "_vs_true", "_kib", "_mib")
COMPARED_TIMES = ("leftover_ms",)  # 50 ms of the leftover's own: no floor to divide by
EXACT = ("size_bytes", "leftover_finished")
HIGHER_IS_BETTER = ("leftover_finished",)


def compare(report, previous, previous_path):
    """A figure is flagged when it got worse by more than its noise: its spread in this run
    and in the previous one no longer overlap (for a figure measured once, any change)."""
    if previous is None:
        return {"with": None, "note": f"no previous run ({previous_path} does not exist)", "worse": [], "count": 0}
    if previous.get("format") != report["format"]:
        return {"with": previous_path, "note": f"the previous run ({previous.get('date')}) is in an older format: "
                                               "not compared", "worse": [], "count": 0}
    if previous["settings"]["quick"] != report["settings"]["quick"]:
        return {"with": previous_path, "note": "the previous run is of the other kind (quick/full): not compared",
                "worse": [], "count": 0}
    worse, count = [], 0
    for name, figures in report["results"].items():
        before = previous["results"].get(name, {})
        for key, value in figures.items():
            if key not in before or not isinstance(value, (int, float)) or isinstance(value, bool):
                continue
            spread_known = key + "_range" in figures and (key.endswith(COMPARED_SUFFIXES) or key in COMPARED_TIMES)
            if not spread_known and key not in EXACT:
                continue
            count += 1
            now_lo, now_hi = figures.get(key + "_range", [value, value])
            then_lo, then_hi = before.get(key + "_range", [before[key], before[key]])
            got_worse = now_hi < then_lo if key in HIGHER_IS_BETTER else now_lo > then_hi
            if got_worse:
                worse.append({"init": name, "figure": key, "now": value, "now_range": [now_lo, now_hi],
                              "then": before[key], "then_range": [then_lo, then_hi]})
    return {"with": previous_path, "date": previous.get("date"), "load": previous.get("load"),
            "commit": previous.get("commit"), "note": "", "worse": worse, "count": count}


def spread(results, name, key, digits, scale=1.0):
    value = results[name].get(key)
    if value is None:
        return "—"
    lo, hi = results[name].get(key + "_range", [value, value])
    if lo == hi:
        return f"{value * scale:.{digits}f}"
    return f"{value * scale:.{digits}f} ({lo * scale:.{digits}f}–{hi * scale:.{digits}f})"


def markdown(report):
    results, inits, settings = report["results"], report["inits"], report["settings"]
    columns = [*inits, "floor"]
    load = report["load"]
    lines = [
        f"# bench/run: reaper beside {', '.join(inits[1:])} and the floors",
        "",
        f"{'Quick' if settings['quick'] else 'Full'} run of {report['date']} (reaper {report['commit']}), "
        f"{report['seconds']} s, on {report['machine']['cpu']} ({report['machine']['cpus']} CPUs, "
        f"{report['machine']['arch']}), Linux {report['machine']['kernel']}. Load average (1 min) "
        f"{load['at_start'][0]:.2f} at the start, {load['at_end'][0]:.2f} at the end (the run's own batches of "
        f"orphans count in it)" + (f"; the run first waited, up to its limit, for it to fall below "
                                   f"{load['waited_for']}" if load["waited_for"] is not None else "")
        + f". Processes on the host: {load.get('host_processes_at_start', '?')} at the start, "
        f"{load.get('host_processes_at_end', '?')} at the end.",
        "",
        f"Every process runs with the environment `docker run` gives ({', '.join(settings['environment'])}); "
        f"one start-up figure with the {settings['kubernetes_variables']} variables Kubernetes' service links give "
        "a namespace of 60 services. Each figure is the median of its blocks of interleaved rounds (A B C A B C ...), and in brackets "
        "the lowest and highest block: its spread, the noise a later run is judged against. "
        f"Pinning: {settings['placement']}: each init runs to its next wait without preemption, so a "
        "forwarded signal costs it exactly one wake-up (counted below).",
        "",
        "| figure | " + " | ".join(columns) + " |",
        "|---|" + "---|" * len(columns),
    ]

    def row(label, cell):
        lines.append(f"| {label} | " + " | ".join(cell(name) for name in columns) + " |")

    def has(name, key):
        return key in results.get(name, {})

    def fig(key, digits, scale=1.0):
        return lambda name: spread(results, name, key, digits, scale) if has(name, key) else "—"

    def ratio(key, floor_text="1.00"):
        return lambda name: floor_text if name == "floor" else fig(key, 3)(name)

    blocks, rounds = settings["signal_blocks"], settings["signal_rounds"]
    row(f"**init CPU per forwarded SIGUSR1**, us ({blocks} blocks of {rounds})", fig("signal_cpu_us", 2))
    row("÷ the floor forwarder (signalfd read + kill)", ratio("signal_cpu_vs_floor"))
    row("wake-ups / preemptions per signal", lambda n: f"{results[n]['signal_wakeups']:.2f} / "
        f"{results[n]['signal_preemptions']:.2f}" if has(n, "signal_wakeups") else "—")
    row("wall: kill → the child's handler, median / p99 us (context)",
        lambda n: f"{results[n]['signal_wall_median_us']:.1f} / {results[n]['signal_wall_p99_us']:.1f}"
        if has(n, "signal_wall_median_us") else "—")
    row(f"**SIGTERM → init exit**, a leftover needing {settings['leftover_work_ms']} ms, ms "
        f"({settings['leftover_rounds']} rounds)", fig("leftover_ms", 2))
    row("… the leftover finished its work", lambda n: f"{results[n]['leftover_finished']} of "
        f"{results[n]['leftover_rounds']}" if has(n, "leftover_rounds") else "—")
    row(f"**child exit → init exit**, nothing left, us ({settings['blocks']} blocks of "
        f"{settings['exit_rounds'] // settings['blocks']})", fig("exit_us", 1))
    row("÷ a bare waitpid PID 1 (floor)", ratio("exit_vs_floor"))
    row("the init's own CPU in it, us", fig("exit_cpu_us", 1))
    for label, title in [("pid1", "as PID 1"), ("direct", "run directly"),
                         ("pid1_k8s", f"as PID 1, {settings['kubernetes_variables']} variables (Kubernetes)")]:
        row(f"**start-up** `INIT true` {title}, us", fig(f"startup_{label}_us", 0))
        row("÷ fork+exec+wait (floor)", ratio(f"startup_{label}_vs_floor"))
    for n in settings["n"]:
        row(f"**reaping** N = {n:,}: init CPU per zombie, us", fig(f"reap_{n}_us", 2))
        row("÷ a bare waitpid PID 1 (floor)", ratio(f"reap_{n}_vs_floor"))
        row("wall per zombie, us (context)", fig(f"reap_{n}_wall_us", 2))
    row(f"**memory**: Rss, KiB ({settings['copies']} copies at once)", fig("rss_kib", 0))
    row(f"Pss, KiB (with {settings['copies']} copies sharing)", fig("pss_kib", 0))
    row("anonymous (the pages no copy shares), KiB", fig("anon_kib", 0))
    row("page tables (VmPTE), KiB", fig("pte_kib", 0))
    row("Rss after the signals, KiB", lambda n: str(results[n]["rss_after_signals_kib"])
        if has(n, "rss_after_signals_kib") else "—")
    row("one more pod: anonymous + page tables, KiB", fig("pod_kib", 0))
    row("**1,000 pods' inits**, MiB", fig("pods_1000_mib", 1))
    row(f"idle {settings['idle_seconds']} s: context switches, CPU us",
        lambda n: f"{results[n]['idle_context_switches']}, {results[n]['idle_cpu_us']:.0f}"
        if has(n, "idle_context_switches") else "—")
    row("size, bytes (static?)", lambda n: f"{results[n]['size_bytes']:,} ({'yes' if results[n]['static'] else 'no'})"
        if has(n, "size_bytes") else "—")
    b = results["baseline"]
    lines += ["",
              "The floors: the signal floor is `helper forward` (blocking read of a signalfd, kill, waitpid on "
              "SIGCHLD), as PID 1 with the same sink child; the exit and reaping floor is `helper floor-init` "
              "(PID 1 looping on a blocking waitpid); the start-up floor is `helper floor` (fork, exec, wait); "
              "all three static against musl, like reaper. Memory's floor column is the signal floor. "
              f"`true` alone starts in {b['startup_pid1_true_us']:.0f} us as PID 1 and "
              f"{b['startup_direct_true_us']:.0f} us directly; a signal sent straight to the child arrives in "
              f"{b['signal_direct_wall_median_us']:.1f} us (p99 {b['signal_direct_wall_p99_us']:.1f}). 1,000 pods: "
              "1,000 times one pod's anonymous pages and page tables, plus the clean pages of the binary and "
              "its libraries once (Rss less anonymous; for tini and dumb-init that counts all of glibc, which "
              "other processes of the node may share); what the kernel holds for every process alike, "
              "such as its 16 KiB kernel stack, is not counted.", ""]
    lines += size_table(report) + [""] + mapping_table(report) + [""]
    lines += ["## reaper's targets", ""]
    for name, target in report["targets"].items():
        lines.append(f"- {'met' if target['met'] else '**missed**'} -- {name}: {target['detail']}")
    lines += ["", "## Compared with the previous run", ""]
    compared = report["compared"]
    if compared["note"]:
        lines.append(compared["note"] + ".")
    else:
        load_then = compared["load"]["at_start"][0] if compared.get("load") else float("nan")
        lines.append(f"With {compared['with']} ({compared['date']}, reaper {compared['commit']}, load "
                     f"{load_then:.2f}): {compared['count']} figures compared; a figure is flagged when its spread "
                     "in this run lies wholly on the worse side of its spread in that one.")
        lines.append("")
        if not compared["worse"]:
            lines.append("No figure got worse beyond its noise.")
        for item in compared["worse"]:
            lines.append(f"- **worse**: {item['init']} {item['figure']}: {item['now']:.4g} "
                         f"({item['now_range'][0]:.4g}–{item['now_range'][1]:.4g}), was {item['then']:.4g} "
                         f"({item['then_range'][0]:.4g}–{item['then_range'][1]:.4g})")
    return "\n".join(lines) + "\n"


def size_table(report):
    rows = report.get("sizes", [])
    others = ["tini", "tini-static", "dumb-init", "catatonit"]
    lines = ["## Size on every architecture of the release", "",
             "reaper's binary from `dist/reaper-VERSION-ARCH` (scripts/release), else `build-ARCH/reaper`; the "
             "others from Debian 12's packages for that architecture (`apt-get download PKG:ARCH`).", "",
             "| arch | reaper, bytes (target) | " + " | ".join(others) + " |", "|---|---|" + "---|" * len(others)]
    notes = []
    for row in rows:
        mine = f"{row['reaper']['bytes']:,} (≤ {row['target_bytes']:,})" if row["reaper"] else "—"
        cells = [f"{row['others'][o]:,}" if o in row["others"] else "—" for o in others]
        lines.append(f"| {row['arch']} | {mine} | " + " | ".join(cells) + " |")
        notes += [f"{row['arch']}: {why}" for why in row["missing"]]
    if notes:
        lines += ["", "Not measured: " + "; ".join(notes) + "."]
    return lines


def mapping_table(report):
    mapped = report.get("mappings", {})
    lines = ["## Where reaper's resident memory is (/proc/PID/smaps), beside the floor forwarder", "",
             "| process | mapping | size | Rss | Pss | private dirty | anonymous |", "|---|---|---|---|---|---|---|"]
    for name in ["reaper", "floor"]:
        for m in mapped.get(name, []):
            lines.append(f"| {name} | {m['mapping']} | {m['size_kib']} | {m.get('rss_kib', 0)} | {m.get('pss_kib', 0)} "
                         f"| {m.get('dirty_kib', 0)} | {m.get('anon_kib', 0)} |")
    return lines


def svg(report):
    """Horizontal bars, one group per measure, one bar per init: the ratio to the floor."""
    inits, results, ns = report["inits"], report["results"], report["settings"]["n"]
    measures = [("CPU per signal", "signal_cpu_vs_floor"), ("child exit → exit", "exit_vs_floor"),
                ("start-up as PID 1", "startup_pid1_vs_floor"), ("start-up direct", "startup_direct_vs_floor"),
                (f"reaping, N={ns[-1]:,}", f"reap_{ns[-1]}_vs_floor")]
    measures = [m for m in measures if all(m[1] in results[name] for name in inits)]
    colours = ["#d62728", "#1f77b4", "#aec7e8", "#2ca02c", "#ff7f0e", "#9467bd"]
    bar, gap, left, width = 14, 16, 150, 420
    top_value = max(2.5, max(results[name][key] for name in inits for _, key in measures))
    scale = width / top_value
    height = 40 + len(measures) * (len(inits) * bar + gap) + 30
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 140}" height="{height}" '
           'font-family="sans-serif" font-size="11">',
           '<text x="8" y="18" font-size="13">Cost relative to the floor (1.0 = a signalfd+kill forwarder, '
           'a bare waitpid PID 1, fork+exec+wait); lower is better</text>']
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


# The figures the README shows: key, label, short name, digits; ratios are to the row's floor.
SUMMARY = [
    ("signal_cpu_vs_floor", "init CPU per forwarded signal ÷ a signalfd+kill forwarder", "CPU per signal", 3),
    ("exit_vs_floor", "child exit → init exit ÷ a bare waitpid PID 1", "child exit → exit", 3),
    ("startup_direct_vs_floor", "start-up run directly ÷ fork+exec+wait", "start-up run directly", 3),
    ("startup_pid1_vs_floor", "start-up as PID 1 ÷ fork+exec+wait", "start-up as PID 1", 3),
    ("startup_pid1_k8s_vs_floor", "start-up as PID 1, a pod's 423 variables ÷ fork+exec+wait",
     "start-up with a pod's variables", 3),
    ("reap_50000_vs_floor", "reaping 50,000 orphans, CPU ÷ a bare waitpid PID 1", "reaping 50,000", 3),
    ("leftover_ms", "SIGTERM → exit with a leftover that needs 50 ms, ms", "SIGTERM → exit", 1),
    ("pod_kib", "one more pod's init: own pages + page tables, KiB", "memory per pod", 0),
    ("rss_kib", "Rss, KiB (the binary's pages counted in every copy)", "Rss", 0),
]


def overlaps(results, a, b, key):
    a_lo, a_hi = value_range(results, a, key)
    b_lo, b_hi = value_range(results, b, key)
    return a_lo <= b_hi and b_lo <= a_hi


def readme_summary(report):
    """The README's table (figure, then each init: median and, in brackets, its spread),
    and the reading of it: which of reaper's differences lie within the noise."""
    results, inits = report["results"], report["inits"]
    lines = [f"Measured by `bench/run` on {report['date'][:10]} (reaper {report['commit']}, "
             f"{report['machine']['cpu']}, {report['machine']['cpus']} CPUs, Linux {report['machine']['kernel']}); "
             "every figure in [bench/results/latest.md](bench/results/latest.md), the method in "
             "[bench/METHOD.md](bench/METHOD.md). Lower is better; in brackets, the spread over the run's "
             "blocks, rounds or copies.", "",
             "| figure | " + " | ".join(inits) + " |", "|---|" + "---|" * len(inits)]
    noise = []
    for key, label, short, digits in SUMMARY:
        lines.append(f"| {label} | " + " | ".join(spread(results, name, key, digits) for name in inits) + " |")
        if key in results["reaper"]:
            same = [name for name in inits[1:] if key in results[name] and overlaps(results, "reaper", name, key)]
            if same:
                noise.append(f"{short}: reaper and {', '.join(same)}")
    idle = ", ".join(f"{name} {results[name]['idle_context_switches']}" for name in inits)
    lines += ["", f"Wake-ups in {report['settings']['idle_seconds']} s of idleness: {idle}. Size: "
              + ", ".join(f"{name} {results[name]['size_bytes']:,} bytes" for name in inits) + "."]
    lines += ["", "![reaper and the other inits against the floors](bench/results/ratios.svg)", ""]
    lines.append("**Reading it.** A difference between two inits is noise when their spreads overlap. Within "
                 "the noise: " + ("; ".join(noise) if noise else "none of reaper's differences") + ". Every other "
                 "difference of reaper's lies outside both spreads. The SIGTERM row is not a cost: reaper waits "
                 "for the leftover to finish its 50 ms of work, the others kill it at once.")
    missed = [f"{name} ({t['detail']})" for name, t in report["targets"].items() if not t["met"]]
    lines += ["", "Targets (bench/METHOD.md): " + (f"{len(report['targets']) - len(missed)} met, missed: "
                                                   + "; ".join(missed) if missed else "all met") + "."]
    return "\n".join(lines) + "\n"


def replace_block(text, name, block):
    """`text` with what lies between <!-- BEGIN name --> and <!-- END name --> replaced."""
    begin, end = f"<!-- BEGIN {name} -->\n", f"<!-- END {name} -->"
    start, stop = text.index(begin) + len(begin), text.index(end)
    return text[:start] + block + text[stop:]
