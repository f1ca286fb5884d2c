"""What the suite reads of the host: processes in /proc, their PID namespaces, pidfds,
and waits that poll a condition until a deadline (never a bare sleep)."""
import glob
import os
import select
import signal
import struct
import time


def eventually(condition, seconds, interval=0.05):
    """Polls condition() until it returns something true or the deadline passes;
    returns its last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def settle(produce, until, seconds, interval=0.05):
    """Polls produce() until until(value) holds or the deadline passes; returns the last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = produce()
        if until(value) or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def state(pid):
    """One letter (R, S, Z ...) from /proc/PID/stat, or None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def status_field(pid, name):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key == name:
                    return value.strip()
    except (FileNotFoundError, ProcessLookupError):
        pass
    return None


def children_of(parent):
    return [int(entry) for entry in os.listdir("/proc")
            if entry.isdigit() and status_field(entry, "PPid") == str(parent)]


def socket_paths_of(pid):
    """The paths of the unix sockets the process has open."""
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        return []
    with open("/proc/net/unix") as f:
        rows = [line.split() for line in f.readlines()[1:]]
    return sorted({row[7] for row in rows if len(row) > 7 and row[6] in inodes})


def pid_in_own_namespace(pid):
    """The PID the process has in its own (innermost) PID namespace."""
    nspid = status_field(pid, "NSpid")
    return int(nspid.split()[-1]) if nspid else None


def namespace_inode(pid):
    try:
        return os.stat(f"/proc/{pid}/ns/pid").st_ino
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None


def processes_in_namespace(inode):
    """[(pid, state)] of every process whose PID namespace has this inode."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and namespace_inode(entry) == inode:
            letter = state(entry)
            if letter is not None:
                found.append((int(entry), letter))
    return found


def zombies(processes):
    return sum(1 for _, letter in processes if letter == "Z")


def runs_binary(pid, path):
    """Whether the process has exec'd exactly the bytes of the file at path."""
    try:
        with open(f"/proc/{pid}/exe", "rb") as running, open(path, "rb") as wanted:
            return running.read() == wanted.read()
    except OSError:
        return False


def is_static(path):
    """Whether the ELF executable at path asks for no program interpreter (PT_INTERP)."""
    with open(path, "rb") as f:
        header = f.read(64)
        if header[:4] != b"\x7fELF" or header[4] != 2:  # 64-bit ELF only
            return False
        (program_headers,) = struct.unpack_from("<Q", header, 0x20)  # e_phoff
        entry_size, count = struct.unpack_from("<HH", header, 0x36)  # e_phentsize, e_phnum
        for i in range(count):
            f.seek(program_headers + i * entry_size)
            if struct.unpack("<I", f.read(4))[0] == 3:  # PT_INTERP
                return False
    return True


class Pinned:
    """A process held by a pidfd: its PID cannot be mistaken for a later one's."""

    def __init__(self, pid):
        self.pid = pid
        self._fd = os.pidfd_open(pid)

    def ended(self):
        return bool(select.select([self._fd], [], [], 0)[0])

    def kill(self, number):
        signal.pidfd_send_signal(self._fd, number)

    def close(self):
        os.close(self._fd)


class Namespace:
    """A PID namespace held open by a descriptor, so that its inode is not given to
    another namespace while the test still asks which processes are in it."""

    def __init__(self, pid):
        self._fd = os.open(f"/proc/{pid}/ns/pid", os.O_RDONLY)
        self.inode = os.fstat(self._fd).st_ino

    def processes(self):
        return processes_in_namespace(self.inode)

    def close(self):
        os.close(self._fd)


def remove_cgroup(relative):
    """Removes a cgroup directory tree that its processes have left, in every hierarchy,
    deepest first (a cgroup still in use stays)."""
    if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        roots = ["/sys/fs/cgroup"]  # cgroup v2 alone
    else:
        roots = glob.glob("/sys/fs/cgroup/*/")
    for root in roots:
        for directory, _, _ in os.walk(os.path.join(root, relative.lstrip("/")), topdown=False):
            try:
                os.rmdir(directory)
            except OSError:
                pass
