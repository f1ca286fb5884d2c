// Runs the real reaper binary the way users do -- as PID 1 of a new PID namespace, or
// directly as a child subreaper -- and observes it from outside. Every wait is bounded
// by a Deadline, and cleanup kills only processes this test started, by PID.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace harness {

std::string reaper_binary();
std::string probe_binary();

class Deadline {
public:
    explicit Deadline(double seconds);
    [[nodiscard]] int remaining_ms() const;
    [[nodiscard]] bool passed() const { return remaining_ms() == 0; }

private:
    std::chrono::steady_clock::time_point end_;
};

// Re-checks `condition` every few milliseconds until it holds or the deadline passes.
bool eventually(const Deadline& deadline, const std::function<bool()>& condition);

struct Options {
    std::string program;                   // empty: reaper; else run this, found along PATH
    std::vector<std::string> reaper_args;  // options, then the command: all after argv[0]
    bool new_pid_namespace = true;
    std::vector<std::string> extra_env;   // NAME=VALUE, replacing the test's own NAME
    std::vector<int> blocked_at_start;    // in the signal mask reaper starts with
    std::vector<int> ignored_at_start;    // SIG_IGN when reaper starts
    bool parent_is_intermediate = false;  // reaper's parent: a process the test can kill
    int extra_fd = -1;                    // passed to reaper as this descriptor number
    int extra_fd_source = -1;
    std::string working_directory;  // empty: the test's own
};

class Reaper {
public:
    // nullopt, with the reason in `why`, when the environment cannot start it here.
    static std::optional<Reaper> start(const Options& options, std::string& why);

    Reaper(Reaper&& other) noexcept;
    Reaper& operator=(Reaper&&) = delete;
    Reaper(const Reaper&) = delete;
    ~Reaper();

    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] pid_t intermediate() const { return intermediate_; }

    // One line of what reaper's child wrote on stdout; nullopt at EOF or deadline.
    std::optional<std::string> read_line(const Deadline& deadline);
    // Reads lines until one equals `wanted`; false at EOF or deadline.
    bool read_until(const std::string& wanted, const Deadline& deadline, std::vector<std::string>* seen = nullptr);
    std::string stderr_text(const Deadline& deadline);  // everything, until EOF
    // What stdout had after its last newline, once read_line has hit EOF.
    std::string unterminated_rest() { return std::exchange(buffered_, std::string()); }
    bool write_stdin(const std::string& text);
    void close_stdin();

    // reaper's exit code (or 128+N when a signal killed it); nullopt at the deadline.
    std::optional<int> wait_exit(const Deadline& deadline);

private:
    Reaper() = default;
    pid_t pid_ = -1;
    pid_t intermediate_ = -1;
    int pidfd_ = -1;
    int stdin_ = -1;
    int stdout_ = -1;
    int stderr_ = -1;
    bool reaped_ = false;
    std::string buffered_;
};

// One line from `fd`, without its newline, kept in `buffered` between calls; nullopt at
// EOF, on a read error or at the deadline.
std::optional<std::string> read_line(int fd, std::string& buffered, const Deadline& deadline);

// Runs reaper to completion with stdin closed; nullopt when it cannot be started here.
struct Finished {
    int exit_code = -1;  // -1: it did not exit before the deadline
    std::string stdout_text;
    std::string stderr_text;
};
std::optional<Finished> run_to_end(const Options& options, std::string& why, double seconds = 10);

// Runs any program (found along PATH) to completion, stdin closed; nullopt if it cannot start.
std::optional<Finished> run_program(const std::vector<std::string>& argv, double seconds,
                                    const std::vector<std::string>& env = {});

// A whole file, bytes as they are; empty if it cannot be read.
std::string read_file(const std::string& path);

// What /proc says about processes.
struct ProcessInfo {
    pid_t pid;
    pid_t parent;
    char state;
};
std::optional<ProcessInfo> process_info(pid_t pid);
std::vector<ProcessInfo> processes_in_namespace_of(pid_t member);
int zombies_among(const std::vector<ProcessInfo>& processes);
std::vector<pid_t> children_of(pid_t parent);
std::string proc_status_field(pid_t pid, const std::string& field);
std::vector<int> open_fds(pid_t pid);
std::string proc_link(pid_t pid, const std::string& name);

// True while `pid` is blocked in poll(2) or read(2) -- for reaper, in its one wait, i.e. ready.
bool idle_in_wait(pid_t pid);
// True while `pid` is blocked in poll(2), or in read(2) of its signalfd: reaper in its one
// wait, and nowhere else (it also blocks in read(2) once, of the pipe of the command's exec).
bool in_event_wait(pid_t pid);

}  // namespace harness
