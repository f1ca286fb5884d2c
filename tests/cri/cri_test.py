#!/usr/bin/python3
"""The cri suite: reaper in every role it has in Kubernetes, under a real containerd (a
private instance) driven through the CRI v1 RuntimeService as the kubelet drives it; and
reaper as podman's --init. Each scenario runs, next to reaper, the init users know (or
none) and shows that the check catches what that init lacks.

One line per test case, "PASS name" / "FAIL name" / "SKIP name", is appended to the file
in $REAPER_TEST_RESULTS. A missing environment (not root, no containerd, no podman)
skips, and fails under CI=true.

Run by meson test (test 'cri', suite 'once'); by hand, as root, from the build directory:
  REAPER_BINARY=build/reaper REAPER_PROBE_STATIC=build/tests/probe-static \\
      REAPER_CRI_WORK=build/tests/cri /usr/bin/python3 tests/cri/cri_test.py [NAME-PART]
"""
import os
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import host  # noqa: E402
import oci_image  # noqa: E402
from containerd_env import Containerd, Unavailable  # noqa: E402
from cri import CONTAINER, POD, Pod  # noqa: E402
from podman_env import Podman  # noqa: E402

EXAMPLE_CONFIG = os.path.join(HERE, "..", "..", "examples", "kubernetes", "containerd.toml")
APP_IMAGE = "reaper.test/app:latest"
BUSYBOX = "/bin/busybox"  # busybox-static
TINI = "/usr/bin/tini-static"  # tini
CATATONIT = "/usr/bin/catatonit"  # catatonit: podman's own --init
REAPER_INIT = ["/reaper", "--grace", "5", "--"]

# What probe's "leave write" daemon writes on a signal: 256 blocks of 4 KiB, then "END\n".
WRITTEN_SIZE = 256 * 4096 + 4


class Failed(Exception):
    """A requirement of the test case did not hold: the rest of it cannot run."""


class Case:
    def __init__(self, name):
        self.name = name
        self.problems = []

    def check(self, condition, what):
        if not condition:
            self.problems.append(what)
            print(f"    FAILED: {what}", flush=True)
        return condition

    def require(self, condition, what):
        if not self.check(condition, what):
            raise Failed()

    @staticmethod
    def note(text):
        print(f"    {text}", flush=True)


def completely_written(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return False
    return len(data) == WRITTEN_SIZE and data.endswith(b"END\n")


def describe_file(path):
    try:
        return f"{os.path.getsize(path)} bytes"
    except FileNotFoundError:
        return "missing"


# --- the environments: built once, shared by the cases that need them -----------------

# What the tools make outside the suite's directory whatever they are told: containerd's
# shims put their sockets in /run/containerd/s; podman's cleanup process runs runc with
# its default root, /run/runc; podman load keeps a cache of blobs in /var/lib/containers.
# Removed at the end when the suite made them, if nothing else is in them.
HOST_LEFTOVERS = {
    "/run/containerd": ["s"],
    "/run/runc": [],
    "/var/lib/containers": ["cache/blob-info-cache-v1.boltdb", "cache"],
}


def remove_host_leftovers(created):
    for directory in created:
        for inside in HOST_LEFTOVERS[directory] + [""]:
            path = os.path.join(directory, inside).rstrip("/")
            try:
                if os.path.isdir(path):
                    os.rmdir(path)
                else:
                    os.unlink(path)
            except OSError:
                pass


class Suite:
    def __init__(self):
        self.reaper = os.environ.get("REAPER_BINARY", "")
        self.probe = os.environ.get("REAPER_PROBE_STATIC", "")
        self.generated = os.environ.get("REAPER_CRI_WORK", "")
        # Short: the sockets inside must fit in a sockaddr_un.
        self.work = tempfile.mkdtemp(prefix="reaper-cri-", dir="/tmp")
        # Every container's cgroup below this one, removed at the end.
        self.cgroup = "/" + os.path.basename(self.work)
        self.containerd = None
        self.podman = None
        self._app_image = None
        self._broken = {}  # environment: why it could not be made
        self._to_stop = []
        self._pods = []
        self._created = [d for d in HOST_LEFTOVERS if not os.path.exists(d)]

    def common(self):
        """The app image, built once: an OCI archive FROM scratch with static binaries
        only, as (archive, name, image ID)."""
        if os.geteuid() != 0:
            raise Unavailable("needs root (a private containerd and podman)")
        for what, path in (("REAPER_BINARY", self.reaper), ("REAPER_PROBE_STATIC", self.probe),
                           ("busybox-static", BUSYBOX), ("tini", TINI)):
            if not path or not os.path.exists(path):
                raise Unavailable(f"{what} is missing ({path or 'not set'})")
            if not host.is_static(path):
                raise Unavailable(f"{path} is not a static executable: it cannot run in an image FROM scratch")
        if self._app_image is None:
            files = {"/reaper": self.reaper, "/probe": self.probe, "/tini": TINI, "/bin/busybox": BUSYBOX}
            links = {f"/bin/{applet}": "busybox" for applet in ("sh", "sleep", "usleep")}
            archive = f"{self.work}/app.tar"
            self._app_image = (archive, APP_IMAGE, oci_image.write_archive(archive, APP_IMAGE, files, links=links))
        return self._app_image

    def stubs(self):
        """The CRI's Python stubs, generated from runtime.proto into the build directory."""
        try:
            import grpc  # noqa: F401
            import grpc_tools  # noqa: F401
        except ImportError as error:
            raise Unavailable(f"{error} (apt-get install python3-grpcio python3-grpc-tools; run /usr/bin/python3)")
        out = self.generated or f"{self.work}/generated"
        os.makedirs(out, exist_ok=True)
        subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I", HERE, f"--python_out={out}",
                        f"--grpc_python_out={out}", "runtime.proto"], check=True)
        sys.path.insert(0, out)
        import runtime_pb2
        import runtime_pb2_grpc
        return runtime_pb2, runtime_pb2_grpc

    def get_containerd(self):
        """The private containerd with the images imported; built by the first case that
        asks, and the same failure for every later one when that could not be done."""
        if self.containerd is None:
            if "containerd" in self._broken:
                raise self._broken["containerd"]
            try:
                app_image = self.common()
                work = f"{self.work}/containerd"
                os.makedirs(work)
                containerd = Containerd(work, EXAMPLE_CONFIG, self.stubs())
                self._to_stop.append(containerd)
                containerd.start()
                print(f"  containerd {containerd.version}, sandbox_image {containerd.sandbox_image}", flush=True)
                containerd.import_image(*app_image)
                self.pause_image = self.sandbox_archive(containerd, "pause", {"/reaper": self.reaper},
                                                        ["/reaper", "--pause"])
                # The sandbox that never reaps: sleep as PID 1 (busybox's), never calling wait.
                self.never_reaping_image = self.sandbox_archive(containerd, "sleep", {"/bin/busybox": BUSYBOX},
                                                                ["/bin/busybox", "sleep", "1000000"])
                containerd.import_image(*self.pause_image)
            except Exception as error:
                self._broken["containerd"] = error
                raise
            self.containerd = containerd
        return self.containerd

    def sandbox_archive(self, containerd, role, files, entrypoint):
        """An image under the name that the configuration gives as sandbox_image."""
        archive = f"{self.work}/sandbox-{role}.tar"
        name = containerd.sandbox_image
        return archive, name, oci_image.write_archive(archive, name, files, entrypoint=entrypoint)

    def get_podman(self):
        if self.podman is None:
            if "podman" in self._broken:
                raise self._broken["podman"]
            try:
                app_image = self.common()
                if not os.path.exists(CATATONIT) or not host.is_static(CATATONIT):
                    raise Unavailable(f"catatonit is missing or not static ({CATATONIT})")
                podman = Podman(f"{self.work}/podman", f"{self.cgroup}/podman")
                self._to_stop.append(podman)
                podman.start()
                podman.load(app_image[0])
            except Exception as error:
                self._broken["podman"] = error
                raise
            self.podman = podman
        return self.podman

    def pod(self, name, pid_mode):
        logs = f"{self.work}/logs/{name}"
        os.makedirs(logs, exist_ok=True)
        pod = Pod(self.containerd, name, APP_IMAGE, logs, f"{self.cgroup}/{name}", pid_mode)
        self._pods.append(pod)
        return pod

    def data_directory(self, name):
        path = f"{self.work}/data/{name}"
        os.makedirs(path)
        return path

    def close(self):
        for pod in self._pods:  # removed already unless a test broke off
            pod.__exit__(None, None, None)
        for environment in reversed(self._to_stop):
            environment.stop()
        host.remove_cgroup(self.cgroup)
        remove_host_leftovers(self._created)
        subprocess.run(["rm", "-rf", "--one-file-system", self.work])


CASES = []


def case(name, environment):
    def register(function):
        CASES.append((name, environment, function))
        return function
    return register


# --- containerd: the pod sandbox ----------------------------------------------------------

def leave_orphans(c, pod, sandbox_binary):
    """In a pod of PID mode POD, an app container with no init of its own leaves 200
    orphans to the sandbox. Returns the app and the pod's PID namespace."""
    sandbox = pod.sandbox_pid()
    # RunPodSandbox can return before the sandbox has exec'd its entrypoint.
    c.require(host.eventually(lambda: host.runs_binary(sandbox, sandbox_binary), 10),
              f"the sandbox runs {sandbox_binary}")
    c.require(host.pid_in_own_namespace(sandbox) == 1, "the sandbox is PID 1 of the pod")
    namespace = host.Namespace(sandbox)
    app = pod.container("app", ["/probe", "orphans", "200"])
    c.require(app.logs_show("orphaned 200", 60), "the app left its 200 orphans")
    return app, namespace


@case("cri sandbox: reaper --pause as containerd's sandbox_image reaps an app container's 200 orphans "
      "(a sandbox that never reaps keeps them), outlives the app, and the pod's end leaves no process", "containerd")
def sandbox(suite, c):
    suite.get_containerd()
    with suite.pod("sandbox", POD) as pod:
        app, namespace = leave_orphans(c, pod, suite.reaper)
        sandbox_pid = pod.sandbox_pid()
        left = host.settle(namespace.processes, lambda p: len(p) == 2 and host.zombies(p) == 0, 20)
        c.note(f"reaper sandbox: {len(left)} processes in the pod's namespace, {host.zombies(left)} zombies")
        c.check(len(left) == 2 and host.zombies(left) == 0, "only the sandbox and the app remain, no zombie")

        pinned = [host.Pinned(sandbox_pid), host.Pinned(app.pid()),
                  host.Pinned(int(host.status_field(sandbox_pid, "PPid")))]  # the pod's shim
        app.stop(10)
        c.check(app.wait_exited(10) is not None, "the app container stopped")
        c.check(not pinned[0].ended() and pod.ready(), "the sandbox outlives the app container")

        pod.remove()
        gone = host.eventually(lambda: all(p.ended() for p in pinned) and not namespace.processes(), 20)
        c.check(gone, "after StopPodSandbox and RemovePodSandbox: no sandbox, app or shim process, "
                "nothing in the pod's PID namespace")
        for p in pinned:
            p.close()
        namespace.close()

    # The same pod with a sandbox that never reaps: the orphans stay zombies.
    suite.containerd.import_image(*suite.never_reaping_image)
    try:
        with suite.pod("never-reaps", POD) as pod:
            _, namespace = leave_orphans(c, pod, BUSYBOX)
            zombies = host.settle(lambda: host.zombies(namespace.processes()), lambda z: z == 200, 20)
            namespace.close()
            c.note(f"sandbox that never reaps: {zombies} zombies")
            c.check(zombies == 200, "under a sandbox that never reaps, the 200 orphans stay zombies")
    finally:
        suite.containerd.import_image(*suite.pause_image)


# --- containerd: reaper as a container's entrypoint ---------------------------------------

class Stopped:
    """What became of a container stopped with a leftover: seconds StopContainer took,
    the exit code, whether the leftover's file is complete, and the init's PID in its
    own namespace."""

    def __init__(self, seconds, code, written, init_pid):
        self.seconds, self.code, self.written, self.init_pid = seconds, code, written, init_pid


def stop_with_leftover(suite, c, pod, name, init):
    """A container running init + probe leave write: the app leaves a daemon that writes
    a file on a signal. StopContainer with a 10 s timeout."""
    data = suite.data_directory(f"{pod.name}-{name}")
    container = pod.container(name, init + ["/probe", "leave", "write", "7", "/data/written"], {"/data": data})
    c.require(container.logs_show("left", 30), f"{name}: the app left its daemon")
    init_pid = host.pid_in_own_namespace(container.pid())
    start = time.monotonic()
    container.stop(10)
    seconds = time.monotonic() - start
    status = container.wait_exited(10)
    c.require(status is not None, f"{name}: the container exited")
    c.note(f"{name} (PID {init_pid} of its namespace): stopped in {seconds:.2f} s, exit code {status.exit_code}, "
           f"leftover's file {describe_file(data + '/written')}")
    return Stopped(seconds, status.exit_code, completely_written(f"{data}/written"), init_pid)


@case("cri entrypoint, own PID namespace: StopContainer ends the app on SIGTERM, its leftover writes its file "
      "completely in the grace period (not under tini), and the container ends well before the timeout "
      "with the app's status", "containerd")
def entrypoint_own_namespace(suite, c):
    suite.get_containerd()
    with suite.pod("own-pid", CONTAINER) as pod:
        reaper = stop_with_leftover(suite, c, pod, "reaper", REAPER_INIT)
        c.check(reaper.init_pid == 1, "reaper is PID 1 of the container")
        c.check(reaper.seconds < 5, "stopped well before the 10 s timeout")
        c.check(reaper.code == 7, "ContainerStatus has the app's exit code, 7")
        c.check(reaper.written, "the leftover wrote its file completely")
        tini = stop_with_leftover(suite, c, pod, "tini", ["/tini", "--"])
        c.check(tini.code == 7 and not tini.written, "under tini the leftover is killed before it writes")


@case("cri entrypoint in a shared-PID pod: reaper as a subreaper, not PID 1; StopContainer: the leftover "
      "writes its file completely (not under tini), the app's status comes back, and the pod's other "
      "container receives no signal", "containerd")
def entrypoint_shared_namespace(suite, c):
    suite.get_containerd()
    with suite.pod("shared-pid", POD) as pod:
        sidecar = pod.container("sidecar", ["/probe", "signals"])
        c.require(sidecar.logs_show("ready child", 30), "the sidecar is ready")
        reaper = stop_with_leftover(suite, c, pod, "reaper", REAPER_INIT)
        c.check(reaper.init_pid not in (None, 1), "reaper is not PID 1 of the pod")
        c.check(reaper.seconds < 5, "stopped well before the 10 s timeout")
        c.check(reaper.code == 7, "ContainerStatus has the app's exit code, 7")
        c.check(reaper.written, "the leftover wrote its file completely")
        c.note(f"sidecar's log: {sidecar.log_lines()}")
        c.check(not [line for line in sidecar.log_lines() if "SIG" in line], "the sidecar received no signal")
        running = pod.pb.ContainerState.Value("CONTAINER_RUNNING")
        c.check(sidecar.status().status.state == running, "the sidecar still runs")
        tini = stop_with_leftover(suite, c, pod, "tini", ["/tini", "-s", "--"])
        c.check(tini.code == 7 and not tini.written, "under tini the leftover is killed before it writes")


@case("cri pod stop: containerd's StopPodSandbox SIGKILLs a container still running, at once, with no SIGTERM "
      "first (as docs/kubernetes.md says)", "containerd")
def pod_stop(suite, c):
    suite.get_containerd()
    with suite.pod("pod-stop", POD) as pod:
        container = pod.container("app", REAPER_INIT + ["/probe", "signals"])
        c.require(container.logs_show("ready child", 30), "the app is ready")
        start = time.monotonic()
        pod.runtime.StopPodSandbox(pod.pb.StopPodSandboxRequest(pod_sandbox_id=pod.id), timeout=60)
        seconds = time.monotonic() - start
        status = container.wait_exited(10)
        c.require(status is not None, "the container exited")
        c.note(f"StopPodSandbox took {seconds:.2f} s; the container's exit code {status.exit_code}, "
               f"its log {container.log_lines()}")
        c.check(status.exit_code == 137, "the container was SIGKILLed (137)")
        c.check(not [line for line in container.log_lines() if "SIG" in line], "no signal reached the app first")


@case("cri exit codes through ContainerStatus: 0, 42, and 143 for death by SIGTERM (a bare command as PID 1 "
      "cannot die of the SIGTERM it sends itself)", "containerd")
def exit_codes(suite, c):
    suite.get_containerd()
    with suite.pod("exit-codes", CONTAINER) as pod:
        runs = [("exit-0", REAPER_INIT + ["/probe", "exit", "0"], 0),
                ("exit-42", REAPER_INIT + ["/probe", "exit", "42"], 42),
                ("sigterm", REAPER_INIT + ["/probe", "die", "15"], 143),
                ("bare-sigterm", ["/probe", "die", "15"], None)]
        containers = [(name, pod.container(name, command), expected) for name, command, expected in runs]
        for name, container, expected in containers:
            status = container.wait_exited(30)
            c.require(status is not None, f"{name} exited")
            c.note(f"{name}: exit code {status.exit_code}")
            if expected is not None:
                c.check(status.exit_code == expected, f"{name}: exit code {expected}")
            else:
                c.check(status.exit_code != 143, "the bare command does not die of its own SIGTERM")


# A joiner as `kubectl exec` starts one: on SIGTERM it takes about a second to finish
# writing its file, then exits 0.
JOINER = ("trap 'i=0; while [ $i -lt 10 ]; do echo part $i >> /data/joined; usleep 100000; i=$((i+1)); done; "
          "echo END >> /data/joined; exit 0' TERM; "
          "echo waiting > /data/ready; while :; do sleep 1 & wait $!; done")


@case("cri ExecSync joiner: a process started in the container through the CRI (as kubectl exec does) is "
      "given the grace period at StopContainer and waited for", "containerd")
def exec_joiner(suite, c):
    suite.get_containerd()
    pb = suite.containerd.pb
    with suite.pod("joiner", CONTAINER) as pod:
        data = suite.data_directory("joiner")
        container = pod.container("app", REAPER_INIT + ["/probe", "sleep"], {"/data": data})
        c.require(container.logs_show("ready", 30), "the app started")
        answers = []
        request = pb.ExecSyncRequest(container_id=container.id, cmd=["/bin/sh", "-c", JOINER], timeout=60)

        def exec_sync():  # blocks until the joiner ends, as kubectl exec does
            try:
                answers.append(pod.runtime.ExecSync(request, timeout=90))
            except Exception as error:
                answers.append(error)
        joiner = threading.Thread(target=exec_sync)
        joiner.start()
        try:
            c.require(host.eventually(lambda: os.path.exists(f"{data}/ready") or answers, 30) and not answers,
                      f"the joiner runs ({answers[0] if answers else 'not started in 30 s'})")
            start = time.monotonic()
            container.stop(10)
            seconds = time.monotonic() - start
        finally:
            joiner.join(90)
        status = container.wait_exited(10)
        c.require(status is not None, "the container exited")
        try:
            with open(f"{data}/joined") as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            lines = []
        answer = getattr(answers[0], "exit_code", answers[0]) if answers else None
        c.note(f"stopped in {seconds:.2f} s, exit code {status.exit_code}; joiner's ExecSync exit code {answer}, "
               f"its file: {lines[-1] if lines else 'missing'} ({len(lines)} lines)")
        c.check(lines[-1:] == ["END"], "the joiner finished its file")
        c.check(answer == 0, "the joiner exited 0 (not killed)")
        c.check(status.exit_code == 143, "the app's status: 143, death by SIGTERM")
        c.check(seconds < 5, "stopped well before the 10 s timeout")


# --- podman --init ------------------------------------------------------------------------

@case("podman --init --init-path reaper: exit codes 0, 42, and 143 for death by SIGTERM (without an init: "
      "not 143)", "podman")
def podman_exit_codes(suite, c):
    podman = suite.get_podman()
    for command, expected in ((["exit", "0"], 0), (["exit", "42"], 42), (["die", "15"], 143)):
        ran = podman.run_to_end(APP_IMAGE, ["/probe"] + command, init_path=suite.reaper)
        c.note(f"probe {' '.join(command)}: {ran.returncode} {ran.stderr.strip()}")
        c.check(ran.returncode == expected, f"probe {' '.join(command)}: exit code {expected}")
    bare = podman.run_to_end(APP_IMAGE, ["/probe", "die", "15"])
    c.note(f"without --init, probe die 15: {bare.returncode}")
    c.check(bare.returncode != 143, "without an init the command cannot die of its own SIGTERM")


def podman_orphans(suite, c, name, init_path):
    """A container whose probe leaves 200 orphans; the zombies once things settle."""
    podman = suite.podman
    started = podman.container(name, [], APP_IMAGE, ["/probe", "orphans", "200"], init_path=init_path)
    c.require(started.returncode == 0, f"{name}: podman run: {started.stderr.strip()}")
    c.require(host.eventually(lambda: "orphaned 200" in podman.logs(name), 30), f"{name}: the orphans were left")
    namespace = host.Namespace(int(podman.inspect(name, "{{.State.Pid}}")))
    try:
        settled = host.settle(namespace.processes, lambda p: len(p) == 2 or host.zombies(p) == 200, 20)
    finally:
        namespace.close()
        podman.run("rm", "--force", "--time", "0", name)
    c.note(f"{name}: {len(settled)} processes in the container, {host.zombies(settled)} zombies")
    return settled


@case("podman --init --init-path reaper: 200 orphans leave no zombie (without an init they stay)", "podman")
def podman_zombies(suite, c):
    suite.get_podman()
    settled = podman_orphans(suite, c, f"reaper-cri-orphans-{os.getpid()}", suite.reaper)
    c.check(len(settled) == 2 and host.zombies(settled) == 0, "only reaper and the app remain, no zombie")
    bare = podman_orphans(suite, c, f"reaper-cri-orphans-bare-{os.getpid()}", None)
    c.check(host.zombies(bare) == 200, "without an init the 200 orphans stay zombies")


def podman_stop(suite, c, name, init_path):
    podman = suite.podman
    data = suite.data_directory(name)
    started = podman.container(name, ["--volume", f"{data}:/data"], APP_IMAGE,
                               ["/probe", "leave", "write", "7", "/data/written"], init_path=init_path)
    c.require(started.returncode == 0, f"{name}: podman run: {started.stderr.strip()}")
    c.require(host.eventually(lambda: "left" in podman.logs(name), 30), f"{name}: the app left its daemon")
    start = time.monotonic()
    stopped = podman.run("stop", "--time", "10", name)
    seconds = time.monotonic() - start
    code = podman.inspect(name, "{{.State.ExitCode}}")
    written = completely_written(f"{data}/written")
    c.note(f"{name}: podman stop {stopped.returncode} in {seconds:.2f} s, exit code {code}, "
           f"leftover's file {describe_file(data + '/written')}")
    return seconds, code, written


@case("podman --init --init-path reaper: podman stop is graceful, the leftover writes its file completely "
      "(not under catatonit, podman's own init), the container ends with the app's status", "podman")
def podman_graceful_stop(suite, c):
    suite.get_podman()
    seconds, code, written = podman_stop(suite, c, f"reaper-cri-stop-{os.getpid()}", suite.reaper)
    c.check(seconds < 5, "stopped well before the 10 s timeout")
    c.check(code == "7", "the app's exit code, 7")
    c.check(written, "the leftover wrote its file completely")
    _, catatonit_code, catatonit_written = podman_stop(suite, c, f"reaper-cri-stop-catatonit-{os.getpid()}",
                                                       CATATONIT)
    c.check(catatonit_code == "7" and not catatonit_written, "under catatonit the leftover is killed before it writes")


# --- the runner ---------------------------------------------------------------------------

def main():
    only = sys.argv[1] if len(sys.argv) > 1 else ""
    results = os.environ.get("REAPER_TEST_RESULTS")
    if results:
        os.makedirs(os.path.dirname(results) or ".", exist_ok=True)  # a bare `meson test` has none yet
    under_ci = os.environ.get("CI") == "true"
    suite = Suite()
    unavailable = {}
    failed = 0
    began = time.monotonic()
    try:
        for name, environment, function in CASES:
            if only not in name:
                continue
            print(f"=== {name}", flush=True)
            c = Case(name)
            start = time.monotonic()
            verdict = "PASS"
            if environment in unavailable:
                reason = unavailable[environment]
            else:
                reason = None
                try:
                    function(suite, c)
                except Unavailable as error:
                    reason = unavailable[environment] = str(error)
                except Failed:
                    pass
                except Exception:
                    c.problems.append(traceback.format_exc())
                    print(traceback.format_exc(), flush=True)
            if reason is not None:
                verdict = "FAIL" if under_ci else "SKIP"
                print(f"    {'environment missing under CI=true' if under_ci else 'skipped'}: {reason}")
            elif c.problems:
                verdict = "FAIL"
            failed += verdict == "FAIL"
            print(f"--- {verdict} ({time.monotonic() - start:.1f} s)", flush=True)
            if results:
                with open(results, "a") as f:
                    f.write(f"{verdict} {name}\n")
    finally:
        suite.close()
    print(f"cri suite: {time.monotonic() - began:.1f} s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
