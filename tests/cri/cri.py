"""A pod made as the kubelet makes one through the CRI: RunPodSandbox, then containers
created and started in it, stopped and removed at the end."""
import host
from containerd_env import info_pid

NODE, POD, CONTAINER = "NODE", "POD", "CONTAINER"


class Container:
    def __init__(self, pod, container_id, log_path):
        self.pod, self.id, self.log_path = pod, container_id, log_path
        self._pb, self._runtime = pod.pb, pod.runtime

    def status(self, verbose=False):
        return self._runtime.ContainerStatus(
            self._pb.ContainerStatusRequest(container_id=self.id, verbose=verbose), timeout=10)

    def pid(self):
        return info_pid(self.status(verbose=True))

    def log_lines(self):
        """What the container wrote, without the CRI log format's time, stream and tag."""
        try:
            with open(self.log_path) as f:
                return [line.rstrip("\n").split(" ", 3)[3] for line in f if line.count(" ") >= 3]
        except FileNotFoundError:
            return []

    def logs_show(self, line, seconds):
        return host.eventually(lambda: line in self.log_lines(), seconds)

    def stop(self, timeout):
        self._runtime.StopContainer(self._pb.StopContainerRequest(container_id=self.id, timeout=timeout),
                                    timeout=timeout + 30)

    def wait_exited(self, seconds):
        """The container's status once it has exited, or None at the deadline."""
        exited = self._pb.ContainerState.Value("CONTAINER_EXITED")

        def exited_status():
            status = self.status().status
            return status if status.state == exited else None
        return host.eventually(exited_status, seconds)


class Pod:
    """with Pod(...) as pod: a sandbox whose PID namespace mode is pid_mode (POD: shared by
    the pod's containers, with the sandbox as PID 1; CONTAINER: one per container)."""

    def __init__(self, containerd, name, image, log_directory, cgroup_parent, pid_mode=POD):
        self.pb, self.runtime = containerd.pb, containerd.runtime
        self.name, self.image, self.log_directory = name, image, log_directory
        self.cgroup_parent = cgroup_parent
        self.pid_mode = pid_mode
        self.id = None

    def _namespaces(self, pid_mode):
        return self.pb.NamespaceOption(network=self.pb.NamespaceMode.Value(NODE),
                                       pid=self.pb.NamespaceMode.Value(pid_mode))

    def __enter__(self):
        pb = self.pb
        # Network NODE needs no CNI, and then the pod has the host's hostname: none is set.
        self.config = pb.PodSandboxConfig(
            metadata=pb.PodSandboxMetadata(name=self.name, uid=self.name, namespace="reaper-test"),
            log_directory=self.log_directory,
            linux=pb.LinuxPodSandboxConfig(
                cgroup_parent=self.cgroup_parent,
                security_context=pb.LinuxSandboxSecurityContext(namespace_options=self._namespaces(self.pid_mode))))
        self.id = self.runtime.RunPodSandbox(pb.RunPodSandboxRequest(config=self.config), timeout=120).pod_sandbox_id
        return self

    def status(self, verbose=False):
        return self.runtime.PodSandboxStatus(self.pb.PodSandboxStatusRequest(pod_sandbox_id=self.id, verbose=verbose),
                                             timeout=10)

    def ready(self):
        return self.status().status.state == self.pb.PodSandboxState.Value("SANDBOX_READY")

    def sandbox_pid(self):
        return info_pid(self.status(verbose=True))

    def container(self, name, command, mounts=None, pid_mode=None, env=None):
        """Creates and starts a container of the pod's image running command (a list), with
        a stdin the runtime holds open, and host directories mounted ({in container: host})."""
        pb = self.pb
        config = pb.ContainerConfig(
            metadata=pb.ContainerMetadata(name=name),
            image=pb.ImageSpec(image=self.image),
            command=command,
            envs=[pb.KeyValue(key=k, value=v) for k, v in (env or {}).items()],
            mounts=[pb.Mount(container_path=inside, host_path=outside) for inside, outside in (mounts or {}).items()],
            log_path=f"{name}.log",
            stdin=True,
            linux=pb.LinuxContainerConfig(security_context=pb.LinuxContainerSecurityContext(
                namespace_options=self._namespaces(pid_mode or self.pid_mode))))
        container_id = self.runtime.CreateContainer(
            pb.CreateContainerRequest(pod_sandbox_id=self.id, config=config, sandbox_config=self.config),
            timeout=60).container_id
        self.runtime.StartContainer(pb.StartContainerRequest(container_id=container_id), timeout=60)
        return Container(self, container_id, f"{self.log_directory}/{name}.log")

    def remove(self):
        """StopPodSandbox then RemovePodSandbox, as the kubelet ends a pod."""
        if self.id is not None:
            self.runtime.StopPodSandbox(self.pb.StopPodSandboxRequest(pod_sandbox_id=self.id), timeout=60)
            self.runtime.RemovePodSandbox(self.pb.RemovePodSandboxRequest(pod_sandbox_id=self.id), timeout=60)
            self.id = None

    def __exit__(self, *exception):
        try:
            self.remove()
        except Exception as error:  # the test's own failure, if any, is the one to report
            print(f"  could not remove pod {self.name}: {error}")
        return False
