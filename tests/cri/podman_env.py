"""podman with storage of its own under the suite's directory (never the system's), runc
as its runtime. Every container it made is removed at the end."""
import shutil
import subprocess

from containerd_env import Unavailable


class Podman:
    # podman asks runc for 1048576 open files and processes, which root without
    # CAP_SYS_RESOURCE (as on the machine the suite runs on) cannot set: "error setting
    # rlimits ... operation not permitted". Limits below the current ones can be set.
    LIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"]

    def __init__(self, work, cgroup_parent):
        self._base = ["podman", "--root", f"{work}/root", "--runroot", f"{work}/run", "--tmpdir", f"{work}/tmp",
                      "--cgroup-manager", "cgroupfs", "--events-backend", "file", "--runtime", "runc"]
        self._names = []
        self._options = ["--network", "none", "--pull", "never", "--cgroup-parent", cgroup_parent] + self.LIMITS

    def start(self):
        for tool in ("podman", "conmon", "runc"):
            if shutil.which(tool) is None:
                raise Unavailable(f"{tool} is not installed (apt-get install podman runc)")
        info = self.run("info", "--format", "{{.Host.OCIRuntime.Name}}")
        if info.returncode != 0:
            raise Unavailable(f"podman info failed: {info.stderr.strip()}")

    def run(self, *args, timeout=60):
        return subprocess.run(self._base + list(args), capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)

    def load(self, archive):
        loaded = self.run("load", "--input", archive, timeout=120)
        if loaded.returncode != 0:
            raise RuntimeError(f"podman load: {loaded.stderr.strip()}")

    def container(self, name, options, image, command, init_path=None):
        """podman run -d -i (stdin held open) --name name, with --init --init-path init_path
        when given; returns podman's answer."""
        self._names.append(name)
        init = ["--init", "--init-path", init_path] if init_path else []
        return self.run("run", "-d", "-i", "--name", name, *self._options, *init, *options, image, *command)

    def run_to_end(self, image, command, init_path=None):
        """podman run --rm, in the foreground; returns podman's answer (its exit status is
        the container's)."""
        init = ["--init", "--init-path", init_path] if init_path else []
        return self.run("run", "--rm", *self._options, *init, image, *command)

    def logs(self, name):
        return self.run("logs", name).stdout.splitlines()

    def inspect(self, name, template):
        return self.run("inspect", "--format", template, name).stdout.strip()

    def stop(self):
        for name in self._names:
            self.run("rm", "--force", "--time", "0", name)
