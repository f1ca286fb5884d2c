#!/usr/bin/env python3
"""Runs integration suites on a real Linux kernel of another architecture.

qemu-user is not a faithful place to test an init (qemu 7.2 refuses PR_SET_CHILD_SUBREAPER
and loses signals that arrive while a process starts), so the namespace suites of a cross
build run here instead: Debian's own kernel of the architecture, booted by qemu-system with
an initramfs that holds the cross-built static test binaries, reaper, and the static
programs the tests run or compare with -- busybox, gosu, tini and bash -- of that
architecture (taken from Debian's .debs with apt-get download). The
results come back over the serial console and are written, one "PASS name" / "FAIL name"
line per test case, to the file named by REAPER_TEST_RESULTS, as the other suites do.

Needs dpkg --add-architecture ARCH and apt-get update (scripts/foreign-architectures).
"""
import argparse
import os
import selectors
import shutil
import subprocess
import sys
import time
from pathlib import Path

# Debian architecture -> its kernel package, the kernel file in it, and how qemu boots it.
MACHINES = {
    "arm64": ("linux-image-cloud-arm64", "boot/vmlinuz-", "ttyAMA0",
              ["qemu-system-aarch64", "-machine", "virt", "-cpu", "cortex-a57", "-m", "512"]),
    "armhf": ("linux-image-armmp", "boot/vmlinuz-", "ttyAMA0",
              ["qemu-system-arm", "-machine", "virt", "-cpu", "cortex-a15", "-m", "512"]),
    "ppc64el": ("linux-image-powerpc64le", "boot/vmlinux-", "hvc0",
                ["qemu-system-ppc64", "-machine", "pseries", "-cpu", "power9", "-m", "4096", "-vga", "none"]),
    "s390x": ("linux-image-s390x", "boot/vmlinuz-", "ttysclp0",
              ["qemu-system-s390x", "-machine", "s390-ccw-virtio", "-m", "512"]),
}


class Missing(Exception):
    """The environment lacks something this run needs (a package, qemu)."""


def debian_package(name, arch, cache):
    """The .deb of `name` for `arch` (a metapackage resolves to what it depends on), downloaded once."""
    query = subprocess.run(["apt-cache", "depends", "--no-recommends", "--no-suggests", f"{name}:{arch}"],
                           capture_output=True, text=True)
    depends = [line.split(":", 1)[1].strip() for line in query.stdout.splitlines()
               if line.strip().startswith("Depends:")]
    if query.returncode != 0:
        raise Missing(f"apt knows no {name}:{arch} (run scripts/foreign-architectures)")
    if name.startswith("linux-image-") and depends:
        name = depends[0].split(":")[0]  # the metapackage's one real kernel
    found = sorted(cache.glob(f"{name}_*_{arch}.deb"))
    if found:
        return found[-1]
    download = subprocess.run(["apt-get", "download", f"{name}:{arch}"], cwd=cache, capture_output=True, text=True)
    found = sorted(cache.glob(f"{name}_*_{arch}.deb"))
    if download.returncode != 0 or not found:
        raise Missing(f"apt-get download {name}:{arch} failed: {download.stderr.strip()}")
    return found[-1]


def unpacked(deb):
    """The .deb's files, unpacked once next to it."""
    target = deb.with_suffix(".d")
    if not target.is_dir():
        partial = deb.with_suffix(".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        subprocess.run(f"dpkg-deb --fsys-tarfile '{deb}' | tar -x -C '{partial}'", shell=True, check=True)
        partial.rename(target)
    return target


def cpio(entries):
    """An uncompressed initramfs ("newc" cpio) of (path, mode, bytes, device) entries."""
    out = bytearray()

    def pad():
        out.extend(b"\0" * (-len(out) % 4))

    for number, (path, mode, data, device) in enumerate(entries + [("TRAILER!!!", 0, b"", (0, 0))], 1):
        fields = [number, mode, 0, 0, 1, 0, len(data), 0, 0, device[0], device[1], len(path) + 1, 0]
        out.extend(b"070701" + "".join(f"{field:08X}" for field in fields).encode())
        out.extend(path.encode() + b"\0")
        pad()
        out.extend(data)
        pad()
    return bytes(out)


# Static programs of the architecture: (Debian package, file in it, place in the initramfs).
PROGRAMS = [("busybox-static", "bin/busybox", "bin/busybox"), ("gosu", "usr/sbin/gosu", "usr/sbin/gosu"),
            ("tini", "usr/bin/tini-static", "usr/bin/tini"), ("bash-static", "bin/bash-static", "bin/bash")]


def initramfs(args, programs, env):
    directory, program, link, device = 0o040755, 0o100755, 0o120777, 0o020600
    entries = [(d, directory, b"", (0, 0)) for d in ["bin", "dev", "etc", "proc", "sys", "tmp", "tests", "usr",
                                                     "usr/bin", "usr/sbin", "sbin"]]
    entries += [("dev/console", device, b"", (5, 1)),
                ("init", program, Path(args.init).read_bytes(), (0, 0)),
                ("bin/sh", link, b"busybox", (0, 0)),
                ("reaper", program, Path(args.reaper).read_bytes(), (0, 0)),
                ("tests/unit-tests", program, Path(args.unit).read_bytes(), (0, 0)),
                ("tests/integration-tests", program, Path(args.tests).read_bytes(), (0, 0)),
                ("tests/probe", program, Path(args.probe).read_bytes(), (0, 0)),
                ("tests/jobshell", program, Path(args.jobshell).read_bytes(), (0, 0)),
                ("tests/env", 0o100644, env.encode(), (0, 0)),
                ("etc/passwd", 0o100644, b"root:x:0:0:root:/root:/bin/sh\n"
                                         b"nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n", (0, 0)),
                ("etc/group", 0o100644, b"root:x:0:\nnogroup:x:65534:\n", (0, 0))]
    entries += [(place, program, path.read_bytes(), (0, 0)) for place, path in programs.items()]
    return cpio(entries)


def boot(command, log, seconds):
    """Runs qemu, copying the console to `log`; returns the console's lines (None at the deadline)."""
    lines, pending = [], b""
    deadline = time.monotonic() + seconds
    with open(log, "wb") as copy:
        machine = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT)
        selector = selectors.DefaultSelector()
        selector.register(machine.stdout, selectors.EVENT_READ)
        finished = False
        while not finished:
            left = deadline - time.monotonic()
            if left <= 0:
                machine.kill()  # the qemu this run started, by its PID
                machine.wait()
                return None
            for _ in selector.select(left):
                chunk = os.read(machine.stdout.fileno(), 65536)
                if not chunk:
                    finished = True
                    break
                copy.write(chunk)
                copy.flush()
                pending += chunk
                *complete, pending = pending.split(b"\n")
                lines += [line.decode(errors="replace").rstrip("\r") for line in complete]
        machine.wait()
    return lines + [pending.decode(errors="replace")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", required=True, choices=sorted(MACHINES))
    parser.add_argument("--reaper", required=True)
    parser.add_argument("--unit", required=True, help="the cross-built, static unit-tests")
    parser.add_argument("--tests", required=True, help="the cross-built, static integration-tests")
    parser.add_argument("--probe", required=True)
    parser.add_argument("--jobshell", required=True)
    parser.add_argument("--tags", required=True, help="Catch2 test spec, e.g. [pid1],[cli]")
    parser.add_argument("--init", default=str(Path(__file__).with_name("init")))
    parser.add_argument("--work", required=True, help="directory for the cache, initramfs and console log")
    parser.add_argument("--seconds", type=float, default=600)
    args = parser.parse_args()
    results = os.environ.get("REAPER_TEST_RESULTS")
    label = f"{args.arch} kernel"

    def verdict(word, name):
        if results:
            os.makedirs(os.path.dirname(results) or ".", exist_ok=True)  # a bare `meson test` has none yet
            with open(results, "a") as file:
                file.write(f"{word} {label}: {name}\n")

    work = Path(args.work)
    cache = work / "cache" / args.arch
    cache.mkdir(parents=True, exist_ok=True)
    kernel_package, kernel_prefix, console, qemu = MACHINES[args.arch]
    try:
        if shutil.which(qemu[0]) is None:
            raise Missing(f"{qemu[0]} is not installed")
        kernel_files = unpacked(debian_package(kernel_package, args.arch, cache))
        kernel = next((kernel_files / kernel_prefix).parent.glob(Path(kernel_prefix).name + "*"))
        programs = {place: unpacked(debian_package(package, args.arch, cache)) / inside
                    for package, inside, place in PROGRAMS}
    except Missing as missing:
        print(f"environment missing: {missing}")
        verdict("FAIL" if os.environ.get("CI") == "true" else "SKIP", "boot and run")
        return 0 if os.environ.get("CI") != "true" else 1

    env = (f"export REAPER_BINARY=/reaper REAPER_PROBE=/tests/probe REAPER_JOBSHELL=/tests/jobshell "
           f"REAPER_TEST_RESULTS=/tmp/results.txt REAPER_VM_TAGS='{args.tags}' CI='{os.environ.get('CI', '')}'\n")
    image = work / f"initramfs-{args.arch}.cpio"
    image.write_bytes(initramfs(args, programs, env))
    log = work / f"console-{args.arch}.log"
    command = qemu + ["-smp", "2", "-kernel", str(kernel), "-initrd", str(image),
                      "-append", f"console={console} rdinit=/init panic=-1 quiet loglevel=3",
                      "-display", "none", "-monitor", "none", "-serial", "stdio", "-nic", "none", "-no-reboot"]
    print(" ".join(command), flush=True)
    started = time.monotonic()
    lines = boot(command, log, args.seconds)
    print(f"{label}: {time.monotonic() - started:.0f} s, console in {log}")
    if lines is None or "@@ results begin" not in lines or not any(l.startswith("@@ results end") for l in lines):
        print(Path(log).read_text(errors="replace")[-8000:])
        verdict("FAIL", "boot and run" + (" (deadline passed)" if lines is None else " (no results)"))
        return 1
    body = lines[lines.index("@@ results begin") + 1:]
    end = next(i for i, line in enumerate(body) if line.startswith("@@ results end"))
    for line in lines:
        if line.startswith("@@ ") and not line.startswith("@@ results"):
            print(line[3:])
    failed = 0
    for line in body[:end]:
        word, _, name = line.partition(" ")
        if word in ("PASS", "FAIL", "SKIP"):
            verdict(word, name)
            failed += word == "FAIL"
    status = body[end].split()[-1]
    print(f"{label}: {end} test cases, {failed} failed, test programs exited {status}")
    if failed or status != "0":
        print(Path(log).read_text(errors="replace")[-20000:])
    return 0 if end > 0 and failed == 0 and status == "0" else 1


if __name__ == "__main__":
    sys.exit(main())
