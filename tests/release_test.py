#!/usr/bin/env python3
"""The release (scripts/release) of the source tree's HEAD commit, checked as users would.

Two clones of the commit in different directories build it at different times, with
different umasks and time zones: every file of the two dist/ directories must be the same,
byte for byte. Then, in one of them: SHA256SUMS verifies; every binary says the version and
the commit with --version (through qemu-user for the architectures this machine cannot run
itself); each .deb holds that binary as /usr/bin/reaper, and the man page when the commit
has doc/reaper.1; the SBOM names what went into each binary, with versions.
Writes "PASS name" / "FAIL name" lines to REAPER_TEST_RESULTS, as the Catch2 suites do.
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ARCHITECTURES = ["amd64", "arm64", "armhf", "i386", "ppc64el", "s390x"]
failures = 0


def verdict(ok, name, detail=""):
    global failures
    failures += not ok
    print(f"{'PASS' if ok else 'FAIL'} {name}" + (f": {detail}" if detail and not ok else ""), flush=True)
    results = os.environ.get("REAPER_TEST_RESULTS")
    if results:
        os.makedirs(os.path.dirname(results) or ".", exist_ok=True)  # a bare `meson test` has none yet
        with open(results, "a") as file:
            file.write(f"{'PASS' if ok else 'FAIL'} release: {name}\n")


def git(source, *args):
    return subprocess.run(["git", "-C", str(source), *args], check=True, capture_output=True, text=True).stdout.strip()


def release(source, commit, clone, umask, zone):
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(source), str(clone)], check=True)
    git(clone, "checkout", "--quiet", "--detach", commit)
    out = clone / "dist"
    script = f"umask {umask} && exec scripts/release {out}"
    env = dict(os.environ, TZ=zone, LANG="C.UTF-8" if umask == "022" else "C")
    started = time.time()
    build = subprocess.run(["sh", "-c", script], cwd=clone, env=env, capture_output=True, text=True)
    print(build.stdout + build.stderr, flush=True)
    return out if build.returncode == 0 else None, started


def main():
    source = Path(sys.argv[1]).resolve()
    commit = git(source, "rev-parse", "HEAD")
    short = git(source, "rev-parse", "--short=7", "HEAD")
    with tempfile.TemporaryDirectory(prefix="reaper-release-") as scratch:
        first, first_time = release(source, commit, Path(scratch) / "a", "022", "UTC")
        time.sleep(1.1)  # a later second for every clock the build could read
        second, second_time = release(source, commit, Path(scratch) / "second-clone", "077", "Pacific/Kiritimati")
        if first is None or second is None:
            verdict(False, "scripts/release builds every architecture", "see the output above")
            return 1
        names = sorted(p.name for p in first.iterdir())
        different = [n for n in names if (first / n).read_bytes() != (second / n).read_bytes()]
        same_names = names == sorted(p.name for p in second.iterdir())
        verdict(same_names and not different and int(first_time) != int(second_time),
                "two builds of one commit, in other directories, times, umasks and zones, are byte-identical",
                f"differ: {different}" if same_names else f"{names} vs {sorted(p.name for p in second.iterdir())}")

        check = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=first,
                               capture_output=True, text=True)
        listed = sorted(line.split()[1] for line in (first / "SHA256SUMS").read_text().splitlines())
        verdict(check.returncode == 0 and listed == [n for n in names if n != "SHA256SUMS"],
                "SHA256SUMS verifies, and lists every other file", check.stdout + check.stderr)

        version = next(n for n in names if n.endswith(".spdx.json")).removeprefix("reaper-").removesuffix(".spdx.json")
        wanted = f"reaper version {version} - git.{short}\n"
        shown = {}
        for arch in ARCHITECTURES:
            run = subprocess.run([first / f"reaper-{version}-{arch}", "--version"], capture_output=True, text=True)
            shown[arch] = run.stdout.splitlines()[0] + "\n" if run.stdout else run.stderr
        verdict(all(text == wanted for text in shown.values()),
                "--version shows the version and the commit on every architecture", f"wanted {wanted!r}, got {shown}")

        has_man = subprocess.run(["git", "-C", str(source), "cat-file", "-e", f"{commit}:doc/reaper.1"],
                                 capture_output=True).returncode == 0
        problems = []
        for arch in ARCHITECTURES:
            deb = first / f"reaper_{version}_{arch}.deb"
            fields = {f: subprocess.run(["dpkg-deb", "-f", deb, f], capture_output=True, text=True).stdout.strip()
                      for f in ("Package", "Version", "Architecture")}
            listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True).stdout
            with tempfile.TemporaryDirectory() as unpacked:
                subprocess.run(["dpkg-deb", "-x", deb, unpacked], check=True)
                inside = (Path(unpacked) / "usr/bin/reaper").read_bytes()
            if fields != {"Package": "reaper", "Version": version, "Architecture": arch}:
                problems.append(f"{arch}: control {fields}")
            if inside != (first / f"reaper-{version}-{arch}").read_bytes():
                problems.append(f"{arch}: /usr/bin/reaper is not reaper-{version}-{arch}")
            if ("./usr/share/man/man1/reaper.1.gz" in listing) != has_man:
                problems.append(f"{arch}: man page {'missing' if has_man else 'unexpected'}")
        verdict(not problems, "each .deb holds its binary as /usr/bin/reaper" + (", and the man page" if has_man else ""),
                "; ".join(problems))

        sbom = json.loads(next(first.glob("*.spdx.json")).read_text())
        ids = {p["SPDXID"]: p for p in sbom["packages"]}
        problems = [] if sbom.get("spdxVersion") == "SPDX-2.3" and sbom.get("dataLicense") == "CC0-1.0" else ["header"]
        for arch in ARCHITECTURES:
            binary = (first / f"reaper-{version}-{arch}").read_bytes()
            reaper = next((p for p in sbom["packages"] if p.get("packageFileName") == f"reaper-{version}-{arch}"), None)
            if reaper is None or reaper["checksums"][0]["checksumValue"] != hashlib.sha256(binary).hexdigest():
                problems.append(f"{arch}: no reaper package with the binary's checksum")
                continue
            related = {ids[r["relatedSpdxElement"] if r["spdxElementId"] == reaper["SPDXID"] else r["spdxElementId"]]["name"]
                       for r in sbom["relationships"]
                       if reaper["SPDXID"] in (r["spdxElementId"], r["relatedSpdxElement"]) and r["relationshipType"] != "DESCRIBES"}
            for part in ("musl-dev", "libgcc-12-dev", "libstdc++-12-dev", "g++-12", "binutils"):
                if not any(name.startswith(part) for name in related):
                    problems.append(f"{arch}: {part} missing")
            if any(not ids[i].get("versionInfo") for i in ids):
                problems.append("a package without a version")
        verdict(not problems, "the SBOM names musl, libgcc, the libstdc++ headers, compiler and linker of each binary",
                "; ".join(problems))
        for arch in ARCHITECTURES:
            print(f"size {arch}: {(first / f'reaper-{version}-{arch}').stat().st_size} bytes")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
