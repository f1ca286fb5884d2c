// Makes the kernel say no to one program -- reaper -- on purpose, and to nobody else.
//
//   faultinject [--pid1] [--fail CALL:ERRNO:WHEN]... [--log CALL]... [--report-fd N] -- PROGRAM ARG...
//
// The child installs a seccomp filter that hands every watched system call to this process
// (SECCOMP_RET_USER_NOTIF), then execs PROGRAM. The filter is inherited by everything
// PROGRAM starts, so each decision is taken here, per call: a call whose PID is PROGRAM's
// own may be failed; every other one continues untouched (SECCOMP_USER_NOTIF_FLAG_CONTINUE).
// Calls before the exec (this helper's own) are never counted.
//
//   --pid1          PROGRAM is PID 1 of a new PID namespace (unshare; with a user namespace
//                   when not root). Otherwise it is this process's child, and this process
//                   is a child subreaper: whatever PROGRAM leaves behind comes back here.
//   --fail CALL:ERRNO:WHEN
//                   CALL by name (read, wait4, ...) or number; ERRNO by name (EINTR) or
//                   number, 0 for a call that returns 0 having done nothing (what a seccomp
//                   rule's ERRNO(0) makes of it); WHEN is N (only the Nth call), N+ (the
//                   Nth and every later one), counted from the exec -- or, with a leading @, from the arming: SIGUSR1
//                   sent to this process arms it. For execve, the calls counted are those of
//                   PROGRAM's children (the command reaper starts), since PROGRAM never
//                   execs after its own start.
//   --log CALL      report every call of PROGRAM to CALL, with its first three arguments.
//   --report-fd N   where the report goes (default: stderr), one line per event:
//                     pid P supervisor S          PROGRAM's PID, as this process's namespace numbers
//                                                 it, and this process's own (which SIGUSR1 arms)
//                     armed
//                     inject CALL ERRNO #N a0 a1 a2
//                     log CALL #N a0 a1 a2
//                     count CALL N                calls of PROGRAM to CALL (at the end)
//                     exit N | signal N [core]    how PROGRAM ended
//                     escaped PID                 a process that came to this subreaper while
//                                                 PROGRAM ran (its orphan, when PROGRAM is no
//                                                 subreaper), and ended here
//                     left PID STATE COMM         a process PROGRAM left behind (then killed)
//
// The notification carries the caller's PID as this process's PID namespace numbers it,
// which is also what fork returned here -- PROGRAM's PID 1 of its own namespace is not 1.
// Exits with PROGRAM's exit code, or 128+N if a signal killed it. SIGTERM, SIGINT and SIGHUP
// sent here are passed on to PROGRAM.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

#if defined(__x86_64__)
constexpr unsigned native_arch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr unsigned native_arch = AUDIT_ARCH_AARCH64;
#else
#error "faultinject: add this architecture's AUDIT_ARCH_ value"
#endif

struct Named {
    const char* name;
    long number;
};

#define CALL(name)                                                                                                     \
    {                                                                                                                  \
#name, SYS_##name                                                                                              \
    }
constexpr Named calls[] = {
    CALL(read),
    CALL(write),
    CALL(close),
    CALL(openat),
    CALL(fcntl),
    CALL(pipe2),
    CALL(clone),
    CALL(wait4),
    CALL(waitid),
    CALL(kill),
    CALL(tgkill),
    CALL(rt_sigprocmask),
    CALL(rt_sigaction),
    CALL(signalfd4),
    CALL(rt_sigtimedwait),
    CALL(prctl),
    CALL(setpgid),
    CALL(ioctl),
    CALL(close_range),
    CALL(chdir),
    CALL(timerfd_create),
    CALL(timerfd_settime),
    CALL(ppoll),
    CALL(readlinkat),
    CALL(getdents64),
    CALL(pidfd_open),
    CALL(pidfd_send_signal),
    CALL(prlimit64),
    CALL(dup3),
    CALL(execve),
    CALL(setgroups),
    CALL(setgid),
    CALL(setuid),
    CALL(faccessat),
    CALL(getppid),
    CALL(getpid),
#ifdef SYS_open
    CALL(open),
    CALL(poll),
    CALL(fork),
    CALL(readlink),
    CALL(dup2),
    CALL(access),
    CALL(pipe),
#endif
};
#undef CALL

#define ERROR(name)                                                                                                    \
    {                                                                                                                  \
#name, name                                                                                                    \
    }
constexpr Named errors[] = {
    ERROR(EPERM),  ERROR(ENOENT), ERROR(ESRCH),   ERROR(EINTR),  ERROR(EIO),       ERROR(E2BIG),  ERROR(EBADF),
    ERROR(ECHILD), ERROR(EAGAIN), ERROR(ENOMEM),  ERROR(EACCES), ERROR(EFAULT),    ERROR(EBUSY),  ERROR(EEXIST),
    ERROR(ENODEV), ERROR(EINVAL), ERROR(ENFILE),  ERROR(EMFILE), ERROR(ENOTTY),    ERROR(ENOSPC), ERROR(EPIPE),
    ERROR(ENOSYS), ERROR(ELOOP),  ERROR(ENOTDIR), ERROR(EROFS),  ERROR(ETIMEDOUT),
};
#undef ERROR

template <std::size_t N>
long lookup(const Named (&table)[N], const std::string& text)
{
    for (const Named& entry : table) {
        if (text == entry.name) {
            return entry.number;
        }
    }
    char* end = nullptr;
    long number = std::strtol(text.c_str(), &end, 10);
    return !text.empty() && *end == '\0' && number >= 0 ? number : -1;
}

template <std::size_t N>
std::string name_of(const Named (&table)[N], long number)
{
    for (const Named& entry : table) {
        if (entry.number == number) {
            return entry.name;
        }
    }
    return std::to_string(number);
}

struct Rule {
    long call = -1;
    int error = 0;  // 0: only log
    long nth = 0;
    bool onward = false;
    bool from_arming = false;
    long calls = 0;
    long calls_armed = 0;
};

[[noreturn]] void usage(const char* why)
{
    std::fprintf(stderr,
                 "faultinject: %s\nusage: faultinject [--pid1] [--fail CALL:ERRNO:[@]N[+]]... "
                 "[--log CALL]... [--report-fd N] -- PROGRAM ARG...\n",
                 why);
    std::exit(2);
}

[[noreturn]] void fatal(const char* what)
{
    std::fprintf(stderr, "faultinject: %s: %s\n", what, std::strerror(errno));
    std::exit(1);
}

Rule parse_fail(const std::string& spec)
{
    std::size_t first = spec.find(':');
    std::size_t second = first == std::string::npos ? first : spec.find(':', first + 1);
    if (second == std::string::npos) {
        usage("--fail wants CALL:ERRNO:WHEN");
    }
    Rule rule;
    rule.call = lookup(calls, spec.substr(0, first));
    long error = lookup(errors, spec.substr(first + 1, second - first - 1));
    std::string when = spec.substr(second + 1);
    if (rule.call < 0 || error < 0 || when.empty()) {
        usage(("bad --fail " + spec).c_str());
    }
    rule.error = static_cast<int>(error);
    rule.from_arming = when[0] == '@';
    if (rule.from_arming) {
        when.erase(0, 1);
    }
    rule.onward = !when.empty() && when.back() == '+';
    if (rule.onward) {
        when.pop_back();
    }
    rule.nth = !when.empty() && when.find_first_not_of("0123456789") == std::string::npos
                   ? std::strtol(when.c_str(), nullptr, 10)
                   : -1;
    if (rule.nth <= 0) {
        usage(("bad WHEN in --fail " + spec).c_str());
    }
    return rule;
}

// Watched calls go to the supervisor; all else is allowed. execve is always watched: its
// notification from the child marks the moment PROGRAM starts, from which calls count.
std::vector<sock_filter> make_filter(const std::vector<long>& watched)
{
    std::vector<sock_filter> program = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, native_arch, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
    };
    for (long call : watched) {
        program.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(call), 0, 1));
        program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF));
    }
    program.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    return program;
}

void send_fd(int socket, int fd)
{
    char byte = 'f';
    iovec data{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr message{};
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    cmsghdr* header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(header), &fd, sizeof fd);
    if (sendmsg(socket, &message, 0) != 1) {
        _exit(126);
    }
}

int receive_fd(int socket)
{
    char byte = 0;
    iovec data{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr message{};
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    if (recvmsg(socket, &message, MSG_CMSG_CLOEXEC) != 1) {
        return -1;
    }
    cmsghdr* header = CMSG_FIRSTHDR(&message);
    if (header == nullptr || header->cmsg_type != SCM_RIGHTS) {
        return -1;
    }
    int fd = -1;
    std::memcpy(&fd, CMSG_DATA(header), sizeof fd);
    return fd;
}

// Without root, a user namespace in which this process is root makes the PID namespace.
void enter_new_pid_namespace()
{
    if (geteuid() == 0) {
        if (unshare(CLONE_NEWPID) != 0) {
            fatal("unshare CLONE_NEWPID");
        }
        return;
    }
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWPID) != 0) {
        fatal("unshare CLONE_NEWUSER|CLONE_NEWPID");
    }
    auto write_file = [](const char* path, const std::string& text) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
            fatal(path);
        }
        close(fd);
    };
    write_file("/proc/self/setgroups", "deny");
    write_file("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1");
    write_file("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1");
}

// execv, not execvp: one execve notification, so "PROGRAM has started" is exact.
std::string resolve(const std::string& program)
{
    if (program.find('/') != std::string::npos) {
        return program;
    }
    const char* path = std::getenv("PATH");
    std::string directories = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
    for (std::size_t start = 0; start <= directories.size();) {
        std::size_t end = directories.find(':', start);
        end = end == std::string::npos ? directories.size() : end;
        std::string candidate = directories.substr(start, end - start) + "/" + program;
        if (access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
        start = end + 1;
    }
    return program;
}

pid_t parent_of(pid_t pid, char& state, std::string& comm)
{
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    char text[1024];
    ssize_t got = read(fd, text, sizeof text - 1);
    close(fd);
    if (got <= 0) {
        return -1;
    }
    text[got] = '\0';
    char* open_paren = std::strchr(text, '(');
    char* close_paren = std::strrchr(text, ')');
    if (open_paren == nullptr || close_paren == nullptr) {
        return -1;
    }
    comm.assign(open_paren + 1, close_paren);
    int parent = -1;
    if (std::sscanf(close_paren + 2, "%c %d", &state, &parent) != 2) {
        return -1;
    }
    return parent;
}

std::vector<pid_t> own_children()
{
    std::vector<pid_t> found;
    pid_t self = getpid();
    if (DIR* proc = opendir("/proc")) {
        while (dirent* entry = readdir(proc)) {
            pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
            char state = 0;
            std::string comm;
            if (pid > 0 && parent_of(pid, state, comm) == self) {
                found.push_back(pid);
            }
        }
        closedir(proc);
    }
    return found;
}

class Supervisor {
public:
    Supervisor(std::vector<Rule> rules, std::vector<long> logged, int report_fd, pid_t program)
        : rules_(std::move(rules)), logged_(std::move(logged)), report_fd_(report_fd), program_(program)
    {
    }

    void arm()
    {
        armed_ = true;
        report("armed");
    }

    // One notification: received, decided, answered.
    void handle(int listener)
    {
        seccomp_notif request{};
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &request) != 0) {
            return;  // the caller was killed meanwhile (ENOENT), or interrupted
        }
        seccomp_notif_resp response{};
        response.id = request.id;
        response.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        if (static_cast<pid_t>(request.pid) == program_) {
            decide(request, response);
        } else if (started_ && request.data.nr == SYS_execve && parent_of_caller(request) == program_) {
            decide(request, response);  // PROGRAM's child execs: a --fail execve rule is about that
        }
        // ENOENT: the caller went away (killed, or its call interrupted) while we decided.
        ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &response);
    }

    void report_counts()
    {
        std::vector<long> done;
        for (const Rule& rule : rules_) {
            if (std::find(done.begin(), done.end(), rule.call) == done.end()) {
                done.push_back(rule.call);
                report("count " + name_of(calls, rule.call) + " " + std::to_string(rule.calls));
            }
        }
    }

    void report(const std::string& line)
    {
        std::string text = line + "\n";
        [[maybe_unused]] ssize_t written = write(report_fd_, text.data(), text.size());
    }

private:
    static pid_t parent_of_caller(const seccomp_notif& request)
    {
        char state = 0;
        std::string comm;
        return parent_of(static_cast<pid_t>(request.pid), state, comm);
    }

    void decide(const seccomp_notif& request, seccomp_notif_resp& response)
    {
        long call = request.data.nr;
        if (!started_) {
            started_ = call == SYS_execve;  // this helper's own exec of PROGRAM
            return;
        }
        if (call == SYS_execve && static_cast<pid_t>(request.pid) == program_) {
            return;  // PROGRAM execs something itself: not what an execve rule counts
        }
        const auto* args = request.data.args;
        std::string shown = std::to_string(static_cast<long long>(args[0])) + " " +
                            std::to_string(static_cast<long long>(args[1])) + " " +
                            std::to_string(static_cast<long long>(args[2]));
        bool counted = false;
        for (Rule& rule : rules_) {
            if (rule.call != call) {
                continue;
            }
            // Several rules may watch one call; the call is counted once for all.
            if (!counted) {
                for (Rule& same : rules_) {
                    if (same.call == call) {
                        ++same.calls;
                        same.calls_armed += armed_ ? 1 : 0;
                    }
                }
                counted = true;
            }
            if (!rule.from_arming || armed_) {
                long n = rule.from_arming ? rule.calls_armed : rule.calls;
                if (rule.onward ? n >= rule.nth : n == rule.nth) {
                    response.flags = 0;
                    response.error = -rule.error;
                    response.val = 0;
                    report("inject " + name_of(calls, call) + " " + name_of(errors, rule.error) + " #" +
                           std::to_string(rule.calls) + " " + shown);
                    return;
                }
            }
        }
        if (std::find(logged_.begin(), logged_.end(), call) != logged_.end()) {
            long n = 0;
            for (const Rule& rule : rules_) {
                n = rule.call == call ? rule.calls : n;
            }
            report("log " + name_of(calls, call) + (n > 0 ? " #" + std::to_string(n) : "") + " " + shown);
        }
    }

    std::vector<Rule> rules_;
    std::vector<long> logged_;
    int report_fd_;
    pid_t program_;
    bool started_ = false;
    bool armed_ = false;
};

// What PROGRAM left behind came back to this subreaper: report it, kill it, reap it --
// and what those leave behind in turn -- until nothing is left (bounded).
void collect_leftovers(Supervisor& supervisor)
{
    for (int round = 0; round < 100; ++round) {
        std::vector<pid_t> children = own_children();
        if (children.empty()) {
            return;
        }
        for (pid_t pid : children) {
            char state = '?';
            std::string comm;
            parent_of(pid, state, comm);
            supervisor.report("left " + std::to_string(pid) + " " + state + " " + comm);
            kill(pid, SIGKILL);
        }
        for (pid_t pid : children) {
            waitpid(pid, nullptr, __WALL);
        }
    }
}

}  // namespace

int main(int argc, char** argv)
{
    bool pid1 = false;
    int report_fd = STDERR_FILENO;
    std::vector<Rule> rules;
    std::vector<long> logged;
    int index = 1;
    for (; index < argc; ++index) {
        std::string arg = argv[index];
        if (arg == "--") {
            ++index;
            break;
        }
        if (arg == "--pid1") {
            pid1 = true;
        } else if (arg == "--fail" && index + 1 < argc) {
            rules.push_back(parse_fail(argv[++index]));
        } else if (arg == "--log" && index + 1 < argc) {
            long call = lookup(calls, argv[++index]);
            if (call < 0) {
                usage("bad --log CALL");
            }
            logged.push_back(call);
        } else if (arg == "--report-fd" && index + 1 < argc) {
            report_fd = std::atoi(argv[++index]);
        } else {
            usage(("unknown argument " + arg).c_str());
        }
    }
    if (index >= argc) {
        usage("no PROGRAM");
    }
    std::vector<long> watched = {SYS_execve};
    for (const Rule& rule : rules) {
        watched.push_back(rule.call);
    }
    for (long call : logged) {
        watched.push_back(call);
        // A logged call is counted like a failed one: a rule that never fires.
        Rule counter;
        counter.call = call;
        counter.nth = -1;
        rules.push_back(counter);
    }
    std::sort(watched.begin(), watched.end());
    watched.erase(std::unique(watched.begin(), watched.end()), watched.end());
    if (std::count(watched.begin(), watched.end(), SYS_sendmsg) != 0) {
        usage("sendmsg cannot be watched: the filter's descriptor travels by it");
    }
    if (report_fd != STDERR_FILENO) {
        fcntl(report_fd, F_SETFD, FD_CLOEXEC);  // PROGRAM must not hold the report open
    }
    std::string program = resolve(argv[index]);
    std::vector<sock_filter> filter = make_filter(watched);
    sock_fprog filter_program{static_cast<unsigned short>(filter.size()), filter.data()};

    sigset_t handled;
    sigset_t original;
    sigemptyset(&handled);
    for (int signal : {SIGCHLD, SIGUSR1, SIGTERM, SIGINT, SIGHUP}) {
        sigaddset(&handled, signal);
    }
    sigprocmask(SIG_BLOCK, &handled, &original);
    // Started with SIGCHLD ignored, this process would never see PROGRAM's status: take the
    // default here, and give PROGRAM the ignored SIGCHLD it was meant to start with.
    struct sigaction chld_action {};
    sigaction(SIGCHLD, nullptr, &chld_action);
    bool chld_ignored = chld_action.sa_handler == SIG_IGN;
    if (chld_ignored) {
        signal(SIGCHLD, SIG_DFL);
    }
    int signal_fd = signalfd(-1, &handled, SFD_CLOEXEC);
    if (signal_fd < 0) {
        fatal("signalfd");
    }
    if (prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L) != 0) {
        fatal("prctl PR_SET_CHILD_SUBREAPER");
    }
    int sockets[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sockets) != 0) {
        fatal("socketpair");
    }
    if (pid1) {
        enter_new_pid_namespace();
    }
    pid_t child = fork();
    if (child < 0) {
        fatal("fork");
    }
    if (child == 0) {
        if (chld_ignored) {
            signal(SIGCHLD, SIG_IGN);
        }
        sigprocmask(SIG_SETMASK, &original, nullptr);
        // Unprivileged seccomp needs no_new_privs; root does not, and --user needs it unset.
        if (geteuid() != 0 && prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0) {
            _exit(125);
        }
        int listener = static_cast<int>(
            syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &filter_program));
        if (listener < 0) {
            std::fprintf(stderr, "faultinject: seccomp: %s\n", std::strerror(errno));
            _exit(125);
        }
        send_fd(sockets[1], listener);
        execv(program.c_str(), argv + index);
        _exit(127);
    }
    close(sockets[1]);
    int listener = receive_fd(sockets[0]);
    close(sockets[0]);
    if (listener < 0) {
        kill(child, SIGKILL);
        waitpid(child, nullptr, 0);
        std::fprintf(stderr, "faultinject: no seccomp listener from the child\n");
        return 1;
    }
    int program_fd = static_cast<int>(syscall(SYS_pidfd_open, child, 0));
    if (program_fd < 0) {
        fatal("pidfd_open");
    }
    Supervisor supervisor(rules, logged, report_fd, child);
    supervisor.report("pid " + std::to_string(child) + " supervisor " + std::to_string(getpid()));

    int status = 0;
    bool ended = false;
    while (!ended) {
        pollfd watched_fds[3] = {{listener, POLLIN, 0}, {signal_fd, POLLIN, 0}, {program_fd, POLLIN, 0}};
        if (poll(watched_fds, 3, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            fatal("poll");
        }
        if (watched_fds[0].revents & POLLIN) {
            supervisor.handle(listener);
        }
        if (watched_fds[1].revents & POLLIN) {
            signalfd_siginfo info{};
            if (read(signal_fd, &info, sizeof info) == sizeof info) {
                if (info.ssi_signo == SIGUSR1) {
                    supervisor.arm();
                } else if (info.ssi_signo != SIGCHLD) {
                    kill(child, static_cast<int>(info.ssi_signo));
                }
            }
        }
        // A process that ends here while PROGRAM runs escaped it: PROGRAM was not (or no
        // longer) the subreaper its orphans went to. Once PROGRAM has ended, only PROGRAM is
        // waited for here: what it left behind is counted below.
        if (watched_fds[2].revents & POLLIN) {
            ended = waitpid(child, &status, WNOHANG) == child;
        } else {
            for (pid_t pid; (pid = waitpid(-1, &status, WNOHANG | __WALL)) > 0;) {
                if (pid == child) {
                    ended = true;
                    break;
                }
                supervisor.report("escaped " + std::to_string(pid));
            }
        }
    }
    supervisor.report_counts();
    if (WIFSIGNALED(status)) {
        supervisor.report("signal " + std::to_string(WTERMSIG(status)) + (WCOREDUMP(status) ? " core" : ""));
    } else {
        supervisor.report("exit " + std::to_string(WEXITSTATUS(status)));
    }
    close(listener);  // what is left and still filtered now gets ENOSYS: it is killed next
    collect_leftovers(supervisor);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
