#!/usr/bin/env python3
"""Writes the SPDX 2.3 JSON SBOM of a release (scripts/release) on stdout.

For each architecture's binary: the Debian packages that went into it -- musl (linked in
statically), libgcc (likewise), the libstdc++ headers (header-only parts compiled in), and
the compiler and linker that built it -- each found by asking dpkg which package owns the
file the build used, with its installed version. Nothing in it depends on when or where it
is written: the time is SOURCE_DATE_EPOCH, the namespace is the commit's.
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GCC_LICENSE = "GPL-3.0-or-later WITH GCC-exception-3.1"


def run(*command):
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


def owner(path):
    """(package, its architecture or None, version) of the installed package holding `path`."""
    for candidate in (os.path.realpath(path), path):
        query = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True, text=True)
        if query.returncode == 0:
            break
    else:
        sys.exit(f"sbom: no Debian package holds {path}")
    line = next(l for l in query.stdout.splitlines() if not l.startswith("diversion"))
    name = line.split(": ", 1)[0].split(", ")[0]
    package, _, arch = name.partition(":")
    version = run("dpkg-query", "-W", "-f=${Version}", name)
    return package, arch or None, version


def compiler_of(arch):
    """The g++ that cross/ARCH.ini names."""
    text = (ROOT / "cross" / f"{arch}.ini").read_text()
    return re.search(r"^cpp\s*=\s*'([^']+)'", text, re.M).group(1)


def ingredients(arch):
    """[(role, path)] of what built the binary for `arch`, as meson.build chooses them."""
    cxx = compiler_of(arch)
    triplet = run(cxx, "-dumpmachine")
    multiarch = run(cxx, "-print-multiarch")
    major = run(cxx, "-dumpversion").split(".")[0]
    headers = Path(f"/usr/{triplet}/include/c++/{major}")
    if not headers.is_dir():
        headers = Path(f"/usr/include/c++/{major}")
    linker = run(cxx, "-print-prog-name=ld")
    return [
        ("STATIC_LINK", "musl, the C library", Path(f"/usr/lib/{multiarch.replace('-gnu', '-musl')}/libc.a")),
        ("STATIC_LINK", "libgcc, the compiler's run-time helpers", Path(run(cxx, "-print-libgcc-file-name"))),
        ("BUILD_DEPENDENCY_OF", "libstdc++ headers (header-only parts compiled in)", headers / "array"),
        ("BUILD_TOOL_OF", "C++ compiler", Path(run(cxx, "-print-prog-name=cc1plus"))),
        ("BUILD_TOOL_OF", "linker", Path(linker if "/" in linker else run("sh", "-c", f"command -v {linker}"))),
    ]


def license_of(package):
    if package.startswith("musl"):
        return "MIT"
    if package.startswith(("libgcc", "libstdc++", "g++", "gcc", "cpp")):
        return GCC_LICENSE
    if package.startswith("binutils"):
        return "GPL-3.0-or-later"
    return "NOASSERTION"


def spdx_id(*words):
    return "SPDXRef-" + re.sub(r"[^A-Za-z0-9.-]", "-", "-".join(word for word in words if word))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", required=True)
    parser.add_argument("--commit", required=True)
    parser.add_argument("--dist", required=True, type=Path)
    parser.add_argument("architectures", nargs="+")
    args = parser.parse_args()
    epoch = int(os.environ["SOURCE_DATE_EPOCH"])

    packages, relationships, seen = [], [], {}
    for arch in args.architectures:
        binary = args.dist / f"reaper-{args.version}-{arch}"
        reaper_id = spdx_id("reaper", arch)
        packages.append({
            "SPDXID": reaper_id,
            "name": "reaper",
            "versionInfo": args.version,
            "packageFileName": binary.name,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": False,
            "checksums": [{"algorithm": "SHA256", "checksumValue": hashlib.sha256(binary.read_bytes()).hexdigest()}],
            "sourceInfo": f"built from git commit {args.commit} for Debian architecture {arch}",
            "primaryPackagePurpose": "APPLICATION",
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": "NOASSERTION",
            "copyrightText": "NOASSERTION",
        })
        relationships.append({"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
                              "relatedSpdxElement": reaper_id})
        for relation, role, path in ingredients(arch):
            package, package_arch, version = owner(path)
            key = (package, package_arch, version)
            if key not in seen:
                seen[key] = spdx_id("deb", package, package_arch, version)
                purl = f"pkg:deb/debian/{package}@{version}" + (f"?arch={package_arch}" if package_arch else "")
                packages.append({
                    "SPDXID": seen[key],
                    "name": package,
                    "versionInfo": version,
                    "supplier": "Organization: Debian",
                    "downloadLocation": "NOASSERTION",
                    "filesAnalyzed": False,
                    "licenseConcluded": "NOASSERTION",
                    "licenseDeclared": license_of(package),
                    "copyrightText": "NOASSERTION",
                    "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                                      "referenceLocator": purl}],
                })
            if relation == "STATIC_LINK":
                relationships.append({"spdxElementId": reaper_id, "relationshipType": relation,
                                      "relatedSpdxElement": seen[key], "comment": role})
            else:
                relationships.append({"spdxElementId": seen[key], "relationshipType": relation,
                                      "relatedSpdxElement": reaper_id, "comment": role})

    document = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": f"reaper-{args.version}",
        "documentNamespace": f"https://spdx.org/spdxdocs/reaper-{args.version}-{args.commit}",
        "creationInfo": {
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch)),
            "creators": ["Tool: reaper-scripts-release"],
        },
        "packages": packages,
        "relationships": relationships,
    }
    json.dump(document, sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
