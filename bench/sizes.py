"""Binary sizes on every architecture the release builds: reaper's own builds beside the
Debian packages of tini, tini-static, dumb-init and catatonit for that architecture."""
import glob
import os
import pathlib
import re
import subprocess
import tarfile

# Debian package -> the files of it that are inits.
PACKAGES = {"tini": ["tini", "tini-static"], "dumb-init": ["dumb-init"], "catatonit": ["catatonit"]}
# reaper's size targets (issue 15): 32 KiB where most machines are, 48 KiB on the others.
SMALL_TARGET_ARCHES = {"amd64", "arm64", "armhf"}


def size_target(arch):
    return 32768 if arch in SMALL_TARGET_ARCHES else 49152


def native_architecture():
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()


def release_architectures(root, binaries):
    """The release script's list; else the cross files' names; else the architectures that
    have a binary under `binaries`, and this machine's."""
    release = root / "scripts" / "release"
    if release.exists():
        found = re.search(r"^architectures=\(([^)]*)\)", release.read_text(), re.MULTILINE)
        if found:
            return found.group(1).split()
    crosses = sorted(p.stem for p in (root / "cross").glob("*.ini") if not p.stem.startswith("test"))
    if crosses:
        return crosses
    built = {p.parent.name[len("build-"):] for p in binaries.glob("build-*/reaper")}
    built |= {p.name.rsplit("-", 1)[1] for p in binaries.glob("dist/reaper-*-*")}
    return sorted(built | {native_architecture()})


def reaper_binary(root, arch, native_binary):
    """dist/reaper-VERSION-ARCH (the newest), else build-ARCH/reaper, else for this machine's
    architecture the binary being measured."""
    candidates = sorted(glob.glob(str(root / "dist" / f"reaper-*-{arch}")), key=os.path.getmtime)
    if candidates:
        return pathlib.Path(candidates[-1])
    built = root / f"build-{arch}" / "reaper"
    if built.exists():
        return built
    return pathlib.Path(native_binary) if arch == native_architecture() else None


def member_sizes(deb):
    """Sizes of the files under usr/bin/ of a .deb, read from its data archive."""
    stream = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
    sizes = {}
    with tarfile.open(fileobj=stream.stdout, mode="r|*") as archive:
        for member in archive:
            if member.isfile() and member.name.lstrip("./").startswith("usr/bin/"):
                sizes[pathlib.PurePosixPath(member.name).name] = member.size
    stream.wait()
    return sizes


def known_architectures():
    native = native_architecture()
    foreign = subprocess.run(["dpkg", "--print-foreign-architectures"], capture_output=True, text=True).stdout
    return {native, *foreign.split()}


def download(package, arch, cache, log):
    """apt-get download PACKAGE:ARCH into cache; adds the architecture to dpkg first when
    apt does not know it. Returns the .deb, or None with the reason logged."""
    if arch not in known_architectures():
        log(f"sizes: dpkg --add-architecture {arch} and apt-get update, to download its packages")
        if subprocess.run(["dpkg", "--add-architecture", arch]).returncode != 0 or \
                subprocess.run(["apt-get", "update", "-qq"], stdout=subprocess.DEVNULL).returncode != 0:
            return None
    cache.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["apt-get", "download", "-qq", f"{package}:{arch}"], cwd=cache,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        log(f"sizes: apt-get download {package}:{arch} failed: {done.stderr.strip().splitlines()[-1:]}")
        return None
    return cached(package, arch, cache)


def cached(package, arch, cache):
    found = sorted(cache.glob(f"{package}_*_{arch}.deb"))
    return found[-1] if found else None


def measure(root, binaries, native_binary, cache, allow_download, log, architectures=None):
    """One row per architecture of the release (of `root`): {arch, reaper: {file, bytes} or
    None, others: {name: bytes}, missing: [why ...], target_bytes}. reaper's binaries are
    looked for under `binaries` (dist/ and build-ARCH/)."""
    rows = []
    native = native_architecture()
    for arch in architectures or release_architectures(root, binaries):
        row = {"arch": arch, "target_bytes": size_target(arch), "reaper": None, "others": {}, "missing": []}
        binary = reaper_binary(binaries, arch, native_binary)
        if binary:
            row["reaper"] = {"file": str(binary.resolve()), "bytes": binary.stat().st_size}
        else:
            row["missing"].append(f"no dist/reaper-*-{arch} or build-{arch}/reaper (scripts/release builds them)")
        for package, files in PACKAGES.items():
            if arch == native and all(pathlib.Path("/usr/bin", f).exists() for f in files):
                for name in files:
                    row["others"][name] = pathlib.Path("/usr/bin", name).stat().st_size
                continue
            deb = cached(package, arch, cache) or (download(package, arch, cache, log) if allow_download else None)
            if deb is None:
                row["missing"].append(f"{package}:{arch} " + ("not downloadable" if allow_download
                                                              else "not in the cache (a full run downloads it)"))
                continue
            sizes = member_sizes(deb)
            for name in files:
                if name in sizes:
                    row["others"][name] = sizes[name]
        rows.append(row)
    return rows
