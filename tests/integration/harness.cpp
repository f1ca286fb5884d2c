#include "harness.hpp"

#include "proc_stat.hpp"
#include "status.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <sched.h>
#include <sstream>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace harness {
namespace {

std::string required_env(const char* name)
{
    const char* value = std::getenv(name);
    return value != nullptr ? value : "";
}

// Everything the child needs is prepared before fork/clone: after it, only
// async-signal-safe calls.
struct Prepared {
    std::vector<std::string> argv_storage;
    std::vector<std::string> env_storage;
    std::vector<char*> argv;
    std::vector<char*> envp;
    sigset_t mask{};
};

Prepared prepare(const Options& options)
{
    Prepared prepared;
    if (options.program.empty()) {
        // REAPER_UNDER="valgrind --flags...": reaper runs under it, in the same process.
        std::istringstream wrapper(required_env("REAPER_UNDER"));
        for (std::string word; wrapper >> word;) {
            prepared.argv_storage.push_back(word);
        }
        // Every run its own name (as PID 1, all would be pid 1): valgrind's %q{REAPER_RUN_ID}.
        static int runs = 0;
        prepared.env_storage.push_back("REAPER_RUN_ID=" + std::to_string(getpid()) + "-" + std::to_string(++runs));
    }
    prepared.argv_storage.push_back(options.program.empty() ? reaper_binary() : options.program);
    for (const std::string& arg : options.reaper_args) {
        prepared.argv_storage.push_back(arg);
    }
    auto overridden = [&](std::string_view entry) {
        std::string_view name = entry.substr(0, entry.find('=') + 1);
        return std::any_of(options.extra_env.begin(), options.extra_env.end(),
                           [&](const std::string& extra) { return extra.rfind(name, 0) == 0; });
    };
    for (char** entry = environ; *entry != nullptr; ++entry) {
        if (!overridden(*entry)) {
            prepared.env_storage.emplace_back(*entry);
        }
    }
    for (const std::string& entry : options.extra_env) {
        prepared.env_storage.push_back(entry);
    }
    for (std::string& arg : prepared.argv_storage) {
        prepared.argv.push_back(arg.data());
    }
    prepared.argv.push_back(nullptr);
    for (std::string& entry : prepared.env_storage) {
        prepared.envp.push_back(entry.data());
    }
    prepared.envp.push_back(nullptr);
    sigemptyset(&prepared.mask);
    for (int signal : options.blocked_at_start) {
        sigaddset(&prepared.mask, signal);
    }
    return prepared;
}

struct Pipes {
    int in[2] = {-1, -1};
    int out[2] = {-1, -1};
    int err[2] = {-1, -1};
};

[[noreturn]] void exec_reaper(const Options& options, const Prepared& prepared, const Pipes& pipes)
{
    if (dup2(pipes.in[0], STDIN_FILENO) < 0 || dup2(pipes.out[1], STDOUT_FILENO) < 0 ||
        dup2(pipes.err[1], STDERR_FILENO) < 0) {
        _exit(120);
    }
    if (options.extra_fd >= 0 && dup2(options.extra_fd_source, options.extra_fd) < 0) {
        _exit(121);
    }
    // Hermetic: reaper gets 0-2 and the extra descriptor, nothing the test runner leaked.
    if (options.extra_fd > 3) {
        syscall(SYS_close_range, 3U, static_cast<unsigned>(options.extra_fd) - 1, 0U);
    }
    syscall(SYS_close_range, static_cast<unsigned>(std::max(options.extra_fd, 2)) + 1, ~0U, 0U);
    if (!options.working_directory.empty() && chdir(options.working_directory.c_str()) != 0) {
        _exit(122);
    }
    for (int signal : options.ignored_at_start) {
        ::signal(signal, SIG_IGN);
    }
    sigprocmask(SIG_SETMASK, &prepared.mask, nullptr);
    execvpe(prepared.argv[0], prepared.argv.data(), prepared.envp.data());
    _exit(123);
}

// fork, or a fork-like clone into a new PID namespace (and a user namespace when not root).
pid_t fork_maybe_into_namespace(bool new_pid_namespace)
{
    if (!new_pid_namespace) {
        return fork();
    }
    unsigned long flags = CLONE_NEWPID | SIGCHLD;
    if (geteuid() != 0) {
        flags |= CLONE_NEWUSER;
    }
#if defined(__s390__)
    // s390's clone takes the new stack first and the flags second.
    return static_cast<pid_t>(syscall(SYS_clone, nullptr, flags, nullptr, nullptr, nullptr));
#else
    return static_cast<pid_t>(syscall(SYS_clone, flags, nullptr, nullptr, nullptr, nullptr));
#endif
}

void close_fd(int& fd)
{
    if (fd >= 0) {
        close(fd);
        fd = -1;
    }
}

// As a shell shows it, by reaper's own rule: the code, or 128+N for death by signal N.
int decode(int wait_status)
{
    bool ended = WIFEXITED(wait_status) || WIFSIGNALED(wait_status);
    return ended ? status::exit_code(wait_status, status::CodeSet()) : -1;
}

bool wait_readable(int fd, const Deadline& deadline)
{
    pollfd entry{fd, POLLIN, 0};
    for (;;) {
        int ready = poll(&entry, 1, deadline.remaining_ms());
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        return ready > 0;
    }
}

void collect_descendants(pid_t root, std::vector<pid_t>& into)
{
    for (pid_t child : children_of(root)) {
        into.push_back(child);
        collect_descendants(child, into);
    }
}

}  // namespace

std::string read_file(const std::string& path)
{
    std::ifstream file(path, std::ios::binary);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

std::string reaper_binary() { return required_env("REAPER_BINARY"); }
std::string probe_binary() { return required_env("REAPER_PROBE"); }

Deadline::Deadline(double seconds)
    : end_(std::chrono::steady_clock::now() +
           std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds)))
{
}

int Deadline::remaining_ms() const
{
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end_ - std::chrono::steady_clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

bool eventually(const Deadline& deadline, const std::function<bool()>& condition)
{
    for (;;) {
        if (condition()) {
            return true;
        }
        if (deadline.passed()) {
            return false;
        }
        poll(nullptr, 0, 5);
    }
}

std::optional<Reaper> Reaper::start(const Options& options, std::string& why)
{
    if (reaper_binary().empty() || probe_binary().empty()) {
        why = "REAPER_BINARY and REAPER_PROBE must be set (run through meson test)";
        return std::nullopt;
    }
    // Whatever reaper leaves behind when it dies comes back to this test, to be reaped.
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    Prepared prepared = prepare(options);
    Pipes pipes;
    int report[2] = {-1, -1};
    if (pipe2(pipes.in, O_CLOEXEC) != 0 || pipe2(pipes.out, O_CLOEXEC) != 0 || pipe2(pipes.err, O_CLOEXEC) != 0 ||
        pipe2(report, O_CLOEXEC) != 0) {
        why = std::string("pipe2: ") + std::strerror(errno);
        return std::nullopt;
    }

    // Blocked here first, so that signals the test sends the moment start() returns
    // are queued on reaper rather than lost before it has blocked them itself.
    sigset_t previous;
    sigprocmask(SIG_BLOCK, &prepared.mask, &previous);
    pid_t pid = -1;
    pid_t intermediate = -1;
    int clone_errno = 0;
    if (options.parent_is_intermediate) {
        intermediate = fork();
        if (intermediate == 0) {
            pid_t reaper = fork_maybe_into_namespace(options.new_pid_namespace);
            if (reaper == 0) {
                exec_reaper(options, prepared, pipes);
            }
            // The intermediate must not hold reaper's pipes open: the test waits for EOF.
            for (int fd : {pipes.in[0], pipes.in[1], pipes.out[0], pipes.out[1], pipes.err[0], pipes.err[1]}) {
                close(fd);
            }
            if (write(report[1], &reaper, sizeof reaper) != sizeof reaper || reaper < 0) {
                _exit(124);
            }
            int status = 0;
            waitpid(reaper, &status, 0);
            _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 125);
        }
        close_fd(report[1]);
        if (intermediate < 0 || read(report[0], &pid, sizeof pid) != sizeof pid) {
            pid = -1;
            clone_errno = EPERM;
        }
    } else {
        pid = fork_maybe_into_namespace(options.new_pid_namespace);
        clone_errno = errno;
        if (pid == 0) {
            exec_reaper(options, prepared, pipes);
        }
    }
    sigprocmask(SIG_SETMASK, &previous, nullptr);
    close_fd(report[0]);
    close_fd(report[1]);
    close_fd(pipes.in[0]);
    close_fd(pipes.out[1]);
    close_fd(pipes.err[1]);
    if (pid < 0) {
        why = std::string("cannot start reaper in a new PID namespace: ") + std::strerror(clone_errno);
        close_fd(pipes.in[1]);
        close_fd(pipes.out[0]);
        close_fd(pipes.err[0]);
        if (intermediate > 0) {
            kill(intermediate, SIGKILL);
            waitpid(intermediate, nullptr, 0);
        }
        return std::nullopt;
    }
    Reaper reaper;
    reaper.pid_ = pid;
    reaper.intermediate_ = intermediate;
    reaper.pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    reaper.stdin_ = pipes.in[1];
    reaper.stdout_ = pipes.out[0];
    reaper.stderr_ = pipes.err[0];
    return std::optional<Reaper>(std::move(reaper));
}

Reaper::Reaper(Reaper&& other) noexcept
    : pid_(other.pid_), intermediate_(other.intermediate_), pidfd_(other.pidfd_), stdin_(other.stdin_),
      stdout_(other.stdout_), stderr_(other.stderr_), reaped_(other.reaped_), buffered_(std::move(other.buffered_))
{
    other.pid_ = -1;
    other.intermediate_ = -1;
    other.pidfd_ = other.stdin_ = other.stdout_ = other.stderr_ = -1;
}

Reaper::~Reaper()
{
    if (pid_ > 0 && !reaped_) {
        // Kill, by PID, only what this test started: reaper's descendants, then reaper.
        std::vector<pid_t> descendants;
        collect_descendants(pid_, descendants);
        for (pid_t descendant : descendants) {
            kill(descendant, SIGKILL);
        }
        kill(pid_, SIGKILL);
        wait_exit(Deadline(10));
        for (pid_t descendant : descendants) {
            eventually(Deadline(2), [&] {
                return waitpid(descendant, nullptr, WNOHANG) != 0 || !process_info(descendant).has_value();
            });
        }
    }
    if (intermediate_ > 0) {
        kill(intermediate_, SIGKILL);
        waitpid(intermediate_, nullptr, 0);
    }
    close_fd(pidfd_);
    close_fd(stdin_);
    close_fd(stdout_);
    close_fd(stderr_);
}

std::optional<std::string> read_line(int fd, std::string& buffered, const Deadline& deadline)
{
    for (;;) {
        std::size_t newline = buffered.find('\n');
        if (newline != std::string::npos) {
            std::string line = buffered.substr(0, newline);
            buffered.erase(0, newline + 1);
            return line;
        }
        if (!wait_readable(fd, deadline)) {
            return std::nullopt;
        }
        char chunk[4096];
        ssize_t got = read(fd, chunk, sizeof chunk);
        if (got <= 0) {
            return std::nullopt;
        }
        buffered.append(chunk, static_cast<std::size_t>(got));
    }
}

std::optional<std::string> Reaper::read_line(const Deadline& deadline)
{
    return harness::read_line(stdout_, buffered_, deadline);
}

bool Reaper::read_until(const std::string& wanted, const Deadline& deadline, std::vector<std::string>* seen)
{
    while (std::optional<std::string> line = read_line(deadline)) {
        if (*line == wanted) {
            return true;
        }
        if (seen != nullptr) {
            seen->push_back(*line);
        }
    }
    return false;
}

std::string Reaper::stderr_text(const Deadline& deadline)
{
    std::string text;
    char chunk[4096];
    while (wait_readable(stderr_, deadline)) {
        ssize_t got = read(stderr_, chunk, sizeof chunk);
        if (got <= 0) {
            break;
        }
        text.append(chunk, static_cast<std::size_t>(got));
    }
    return text;
}

bool Reaper::write_stdin(const std::string& text)
{
    return write(stdin_, text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

void Reaper::close_stdin() { close_fd(stdin_); }

std::optional<int> Reaper::wait_exit(const Deadline& deadline)
{
    if (pidfd_ >= 0 && !wait_readable(pidfd_, deadline)) {
        return std::nullopt;
    }
    int status = 0;
    pid_t got = -1;
    do {
        got = waitpid(pid_, &status, pidfd_ >= 0 ? WNOHANG : 0);
    } while (got < 0 && errno == EINTR);
    if (got == pid_) {
        reaped_ = true;
        return decode(status);
    }
    if (got < 0 && errno == ECHILD && intermediate_ > 0) {
        // reaper is still the intermediate's child: it exits with reaper's code.
        reaped_ = true;
        while (waitpid(intermediate_, &status, 0) < 0 && errno == EINTR) {
        }
        intermediate_ = -1;
        return decode(status);
    }
    return std::nullopt;
}

std::optional<Finished> run_to_end(const Options& options, std::string& why, double seconds)
{
    std::optional<Reaper> reaper = Reaper::start(options, why);
    if (!reaper) {
        return std::nullopt;
    }
    reaper->close_stdin();
    Deadline deadline(seconds);
    Finished finished;
    while (std::optional<std::string> line = reaper->read_line(deadline)) {
        finished.stdout_text += *line + "\n";
    }
    finished.stdout_text += reaper->unterminated_rest();
    finished.stderr_text = reaper->stderr_text(deadline);
    finished.exit_code = reaper->wait_exit(deadline).value_or(-1);  // -1: still running at the deadline
    return finished;
}

std::optional<Finished> run_program(const std::vector<std::string>& argv, double seconds,
                                    const std::vector<std::string>& env)
{
    Options options;
    options.program = argv.at(0);
    options.reaper_args.assign(argv.begin() + 1, argv.end());
    options.new_pid_namespace = false;
    options.extra_env = env;
    std::string why;
    return run_to_end(options, why, seconds);
}

std::optional<ProcessInfo> process_info(pid_t pid)
{
    std::optional<proc_stat::Fields> fields = proc_stat::parse(read_file("/proc/" + std::to_string(pid) + "/stat"));
    return fields ? std::optional<ProcessInfo>(ProcessInfo{pid, fields->parent, fields->state}) : std::nullopt;
}

std::vector<ProcessInfo> processes_in_namespace_of(pid_t member)
{
    std::vector<ProcessInfo> found;
    std::string namespace_link = proc_link(member, "ns/pid");
    if (namespace_link.empty()) {
        return found;
    }
    if (DIR* proc = opendir("/proc")) {
        while (dirent* entry = readdir(proc)) {
            pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
            if (pid > 0 && proc_link(pid, "ns/pid") == namespace_link) {
                if (std::optional<ProcessInfo> info = process_info(pid)) {
                    found.push_back(*info);
                }
            }
        }
        closedir(proc);
    }
    return found;
}

int zombies_among(const std::vector<ProcessInfo>& processes)
{
    return static_cast<int>(std::count_if(processes.begin(), processes.end(),
                                          [](const ProcessInfo& process) { return process.state == 'Z'; }));
}

std::vector<pid_t> children_of(pid_t parent)
{
    std::vector<pid_t> children;
    if (DIR* proc = opendir("/proc")) {
        while (dirent* entry = readdir(proc)) {
            pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
            if (pid <= 0) {
                continue;
            }
            std::optional<ProcessInfo> info = process_info(pid);
            if (info && info->parent == parent) {
                children.push_back(pid);
            }
        }
        closedir(proc);
    }
    return children;
}

std::string proc_status_field(pid_t pid, const std::string& field)
{
    std::istringstream status(read_file("/proc/" + std::to_string(pid) + "/status"));
    std::string line;
    while (std::getline(status, line)) {
        if (line.compare(0, field.size() + 1, field + ":") == 0) {
            std::size_t start = line.find_first_not_of(" \t", field.size() + 1);
            return start == std::string::npos ? "" : line.substr(start);
        }
    }
    return "";
}

std::vector<int> open_fds(pid_t pid)
{
    std::vector<int> fds;
    if (DIR* dir = opendir(("/proc/" + std::to_string(pid) + "/fd").c_str())) {
        while (dirent* entry = readdir(dir)) {
            if (entry->d_name[0] != '.') {
                fds.push_back(std::atoi(entry->d_name));
            }
        }
        closedir(dir);
    }
    return fds;
}

std::string proc_link(pid_t pid, const std::string& name)
{
    char target[4096];
    ssize_t length = readlink(("/proc/" + std::to_string(pid) + "/" + name).c_str(), target, sizeof target - 1);
    return length > 0 ? std::string(target, static_cast<std::size_t>(length)) : "";
}

bool in_event_wait(pid_t pid)
{
    std::istringstream syscall_line(read_file("/proc/" + std::to_string(pid) + "/syscall"));
    std::string number;
    std::string first_argument;
    syscall_line >> number >> first_argument;
    // With nothing watched and no deadline: rt_sigtimedwait, or the signalfd's read.
    if (number == std::to_string(SYS_rt_sigtimedwait)) {
        return true;
    }
    if (number == std::to_string(SYS_read)) {
        long fd = std::strtol(first_argument.c_str(), nullptr, 16);
        return proc_link(pid, "fd/" + std::to_string(fd)) == "anon_inode:[signalfd]";
    }
    // With a deadline or watched processes: poll, or ppoll on architectures without poll.
#ifdef SYS_poll
    if (number == std::to_string(SYS_poll)) {
        return true;
    }
#endif
    return number == std::to_string(SYS_ppoll);
}

bool idle_in_wait(pid_t pid)
{
    std::istringstream syscall_line(read_file("/proc/" + std::to_string(pid) + "/syscall"));
    std::string number;
    syscall_line >> number;
    return in_event_wait(pid) || number == std::to_string(SYS_read);  // the helpers wait in read
}

}  // namespace harness
