"""Images built here, FROM scratch: an OCI image layout in one tar archive, as
`ctr images import` and `podman load` read it. Nothing is pulled from anywhere."""
import hashlib
import io
import json
import tarfile


def _blob(archive, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    info = tarfile.TarInfo("blobs/sha256/" + digest[7:])
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))
    return {"digest": digest, "size": len(data)}


def _layer(files, links):
    """One uncompressed layer: files is {path in image: host path} (all mode 0755),
    links is {path in image: target} (symbolic links)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as layer:
        directories = sorted({"/".join(p.strip("/").split("/")[:i])
                              for p in list(files) + list(links)
                              for i in range(1, p.strip("/").count("/") + 1)})
        for directory in directories:
            info = tarfile.TarInfo(directory)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            layer.addfile(info)
        for path, source in sorted(files.items()):
            with open(source, "rb") as f:
                data = f.read()
            info = tarfile.TarInfo(path.strip("/"))
            info.size, info.mode = len(data), 0o755
            layer.addfile(info, io.BytesIO(data))
        for path, target in sorted(links.items()):
            info = tarfile.TarInfo(path.strip("/"))
            info.type, info.linkname, info.mode = tarfile.SYMTYPE, target, 0o777
            layer.addfile(info)
    return buffer.getvalue()


def write_archive(path, name, files, entrypoint=None, links=None):
    """Writes an OCI archive holding one image called `name` (registry/repo:tag);
    returns the image's ID (the digest of its configuration)."""
    layer = _layer(files, links or {})
    settings = {"Env": ["PATH=/bin"]}
    if entrypoint:
        settings["Entrypoint"] = entrypoint
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": settings,
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]},
    }
    with tarfile.open(path, "w") as archive:
        layer_ref = _blob(archive, layer)
        config_ref = _blob(archive, json.dumps(config).encode())
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": dict(mediaType="application/vnd.oci.image.config.v1+json", **config_ref),
            "layers": [dict(mediaType="application/vnd.oci.image.layer.v1.tar", **layer_ref)],
        }
        manifest_ref = _blob(archive, json.dumps(manifest).encode())
        # containerd reads the first annotation, podman the second.
        index = {"schemaVersion": 2, "manifests": [dict(
            mediaType="application/vnd.oci.image.manifest.v1+json",
            annotations={"io.containerd.image.name": name, "org.opencontainers.image.ref.name": name},
            **manifest_ref)]}
        for member, data in (("oci-layout", b'{"imageLayoutVersion": "1.0.0"}'),
                             ("index.json", json.dumps(index).encode())):
            info = tarfile.TarInfo(member)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return config_ref["digest"]
