"""A private containerd for the suite: its own configuration, root, state and socket in a
fresh directory, never the system's instance; started by the suite and stopped at its end.
Its CRI plugin is configured by examples/kubernetes/containerd.toml, read verbatim."""
import json
import os
import shutil
import signal
import subprocess
import tomllib

import host

CRI_PLUGIN = "io.containerd.grpc.v1.cri"


class Unavailable(Exception):
    """The environment the suite needs is missing: a skip, or a failure under CI=true."""


def compose_config(work, example_text):
    """The example's text unchanged, between what belongs to this instance alone."""
    socket = f"{work}/containerd.sock"
    text = (f'root = "{work}/root"\n'
            f'state = "{work}/state"\n'
            f"{example_text.rstrip()}\n"
            # Appended to the example's last table, the CRI plugin's: a port of its own
            # for the streaming server (the default, 10010, may be a system containerd's).
            'stream_server_port = "0"\n'
            "\n"
            f'[grpc]\n  address = "{socket}"\n'
            f'[ttrpc]\n  address = "{socket}.ttrpc"\n'
            f'[plugins."io.containerd.internal.v1.opt"]\n  path = "{work}/opt"\n'
            f'[plugins."{CRI_PLUGIN}".cni]\n  conf_dir = "{work}/cni"\n'
            # runc's state here too, rather than in /run/containerd/runc.
            f'[plugins."{CRI_PLUGIN}".containerd.runtimes.runc]\n  runtime_type = "io.containerd.runc.v2"\n'
            f'[plugins."{CRI_PLUGIN}".containerd.runtimes.runc.options]\n  Root = "{work}/runc"\n')
    parsed = tomllib.loads(text)
    if parsed["plugins"][CRI_PLUGIN].get("stream_server_port") != "0":
        raise ValueError("the example's last table must be the CRI plugin's")
    return text, socket


class Containerd:
    def __init__(self, work, example_path, stubs):
        self.work = work
        with open(example_path) as f:
            example = f.read()
        self.sandbox_image = tomllib.loads(example)["plugins"][CRI_PLUGIN]["sandbox_image"]
        self.config_text, self.socket = compose_config(work, example)
        self.pb, self._rpc = stubs
        self._process = None
        self._channel = None

    def start(self):
        for tool in ("containerd", "ctr", "runc", "containerd-shim-runc-v2"):
            if shutil.which(tool) is None:
                raise Unavailable(f"{tool} is not installed (apt-get install containerd runc)")
        config = f"{self.work}/containerd.toml"
        with open(config, "w") as f:
            f.write(self.config_text)
        self.log = f"{self.work}/containerd.log"
        with open(self.log, "w") as log:
            self._process = subprocess.Popen(["nice", "-n", "10", "containerd", "--config", config],
                                             stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                             start_new_session=True)
        # A channel that failed to connect waits a second or more before it tries again.
        if not host.eventually(lambda: os.path.exists(self.socket) or self._process.poll() is not None, 30):
            raise Unavailable(f"containerd did not start: {self.log_tail()}")
        import grpc
        self._channel = grpc.insecure_channel("unix://" + self.socket)
        self.runtime = self._rpc.RuntimeServiceStub(self._channel)
        self.images = self._rpc.ImageServiceStub(self._channel)

        def answers():
            if self._process.poll() is not None:
                return "exited"
            try:
                return self.runtime.Version(self.pb.VersionRequest(version="v1"), timeout=2).runtime_version
            except grpc.RpcError:
                return None
        version = host.eventually(answers, 30, interval=0.1)
        if version in (None, "exited"):
            raise Unavailable(f"containerd did not start: {self.log_tail()}")
        self.version = version

    def log_tail(self, lines=5):
        try:
            with open(self.log) as f:
                return " | ".join(f.read().splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def import_image(self, archive, name, image_id):
        """ctr images import, then a wait until the CRI plugin resolves the name to it."""
        subprocess.run(["ctr", "--address", self.socket, "--namespace", "k8s.io", "images", "import", archive],
                       check=True, stdout=subprocess.DEVNULL, timeout=60)
        request = self.pb.ImageStatusRequest(image=self.pb.ImageSpec(image=name))
        if not host.eventually(lambda: self.images.ImageStatus(request, timeout=10).image.id == image_id, 10):
            raise RuntimeError(f"the CRI plugin does not see {name} as {image_id}")

    def stop(self):
        if self._process is None:
            return
        if self._channel is not None:
            self._channel.close()
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        # A shim ends by itself soon after its pod is removed (and then removes its socket
        # in /run/containerd/s); one whose pod could not be removed is still ours to kill,
        # with the containers it started (its children), which would outlive it.
        shims = [host.Pinned(pid) for pid in shims_of(self.socket)]
        if not host.eventually(lambda: all(shim.ended() for shim in shims), 10):
            for shim in shims:
                for child in [host.Pinned(pid) for pid in host.children_of(shim.pid)]:
                    child.kill(signal.SIGKILL)
                    child.close()
                sockets = host.socket_paths_of(shim.pid)
                if not shim.ended():
                    shim.kill(signal.SIGKILL)
                for path in sockets:  # what the shim, killed, cannot remove itself
                    if path.startswith("/run/containerd/s/"):
                        os.unlink(path)
        for shim in shims:
            shim.close()
        unmount_under(self.work)


def shims_of(socket):
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if entry.isdigit() and argv[0].endswith(b"containerd-shim-runc-v2") and socket.encode() in argv:
            found.append(int(entry))
    return found


def unmount_under(directory):
    """Unmounts whatever is still mounted below directory (deepest first), so that it can be removed."""
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4] for line in f]
    for point in sorted((p for p in points if p.startswith(directory + "/")), key=len, reverse=True):
        subprocess.run(["umount", "-l", point], stderr=subprocess.DEVNULL)


def info_pid(response):
    """The host PID in a verbose status answer's "info" JSON."""
    return json.loads(response.info["info"])["pid"]
