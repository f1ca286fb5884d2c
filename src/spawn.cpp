#include "spawn.hpp"

#include <array>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "command_path.hpp"
#include "diag.hpp"
#include "sigmask.hpp"
#include "status.hpp"
#include "sys.hpp"
#include "unique_fd.hpp"

namespace spawn {
namespace {

struct Report {
    Step step;
    int error;
};

// Between fork and exec: async-signal-safe calls only, no allocation, no stdio.
[[noreturn]] void fail_in_child(int report_fd, Step step)
{
    Report report{step, errno};
    [[maybe_unused]] ssize_t written = write(report_fd, &report, sizeof report);
    _exit(status::start_failure_code(report.error, step == Step::exec));
}

// execv, and for a file the kernel cannot run (ENOEXEC: no "#!", not a binary) /bin/sh
// with the file as its script, as execvp, the shells, tini, dumb-init and catatonit do.
// `shell_argv` has room for argv plus one. errno stays the file's own error.
void exec_file(const char* path, char* const* argv, char** shell_argv)
{
    execv(path, argv);
    if (errno != ENOEXEC) {
        return;
    }
    shell_argv[0] = const_cast<char*>("sh");
    shell_argv[1] = const_cast<char*>(path);
    std::size_t i = 1;
    for (; argv[i] != nullptr; ++i) {
        shell_argv[i + 1] = argv[i];
    }
    shell_argv[i + 1] = nullptr;
    execv("/bin/sh", shell_argv);
    errno = ENOEXEC;
}

// execvp, except in what it reports: EACCES only when a file of that name exists but
// cannot be run, not when a PATH directory cannot be searched -- so that reaper tells
// "not found" (127) from "cannot run" (126) as a shell does. Like execvp it goes on along
// PATH only past files that are absent or not executable: any other failure (a file being
// written, E2BIG, ENOMEM) is the answer, not a reason to run a later namesake.
void exec_along_path(char* const* argv, char** shell_argv)
{
    if (!command_path::is_searched(argv[0])) {
        exec_file(argv[0], argv, shell_argv);
        return;
    }
    const char* path = getenv("PATH");
    command_path::Search search(path != nullptr ? path : command_path::default_path, argv[0]);
    std::array<char, PATH_MAX> candidate{};
    int found_but_failed = 0;
    while (search.next(candidate)) {
        exec_file(candidate.data(), argv, shell_argv);
        int error = errno;
        bool absent = error == ENOENT || error == ENOTDIR || (error == EACCES && access(candidate.data(), F_OK) != 0);
        if (absent) {
            continue;
        }
        if (error != EACCES) {
            errno = error;
            return;
        }
        found_but_failed = found_but_failed != 0 ? found_but_failed : error;
    }
    errno = found_but_failed != 0 ? found_but_failed : ENOENT;
}

std::size_t count(char* const* list)
{
    std::size_t n = 0;
    while (list[n] != nullptr) {
        ++n;
    }
    return n;
}

// Replaces HOME (or adds it), as gosu and su do: the identity's home, not the caller's.
// The new list goes in `room`, which has space for the environment plus one entry.
void set_home(char* home_entry, char** room)
{
    std::size_t kept = 0;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        if (std::string_view(*entry).substr(0, 5) != "HOME=") {
            room[kept++] = *entry;
        }
    }
    room[kept++] = home_entry;
    room[kept] = nullptr;
    environ = room;
}

// setgroups, then setgid, then setuid: each needs the privilege the next one drops. Raw
// system calls: the child has one thread, so libc's all-threads machinery is not needed.
// On i386 and 32-bit ARM the plain numbers are the old calls with 16-bit ids (uid 70000
// would become 4464): there the 32-bit ones are the *32 calls.
void change_identity(const accounts::Identity& identity, int report_fd)
{
#ifdef SYS_setgroups32
    constexpr long setgroups_call = SYS_setgroups32;
    constexpr long setgid_call = SYS_setgid32;
    constexpr long setuid_call = SYS_setuid32;
#else
    constexpr long setgroups_call = SYS_setgroups;
    constexpr long setgid_call = SYS_setgid;
    constexpr long setuid_call = SYS_setuid;
#endif
    if (syscall(setgroups_call, identity.group_count, identity.groups) != 0) {
        fail_in_child(report_fd, Step::setgroups);
    }
    if (syscall(setgid_call, identity.gid) != 0) {
        fail_in_child(report_fd, Step::setgid);
    }
    if (syscall(setuid_call, identity.uid) != 0) {
        fail_in_child(report_fd, Step::setuid);
    }
}

// Both lists below go on this frame's stack (no heap here), which lives until exec since
// this function never returns.
[[noreturn]] void become_command(const Request& request, int report_fd)
{
    if (request.own_group && setpgid(0, 0) != 0) {
        fail_in_child(report_fd, Step::setpgid);
    }
    if (request.terminal_fd >= 0) {
        // Best effort: the parent makes the same call and reports its failure.
        [[maybe_unused]] int ignored = tcsetpgrp(request.terminal_fd, getpid());
    }
    if (request.sigchld_was_ignored && !sigmask::set_ignored(SIGCHLD, true)) {
        fail_in_child(report_fd, Step::sigaction);
    }
    if (request.identity != nullptr) {
        change_identity(*request.identity, report_fd);
    }
    if (request.no_new_privs && sys::prctl(PR_SET_NO_NEW_PRIVS, 1) != 0) {
        fail_in_child(report_fd, Step::no_new_privs);
    }
    if (request.home_entry != nullptr) {
        set_home(request.home_entry, static_cast<char**>(__builtin_alloca((count(environ) + 2) * sizeof(char*))));
    }
    auto** shell_argv = static_cast<char**>(__builtin_alloca((count(request.command) + 2) * sizeof(char*)));
    if (!sigmask::replace(request.mask)) {
        fail_in_child(report_fd, Step::sigprocmask);
    }
    exec_along_path(request.command, shell_argv);
    fail_in_child(report_fd, Step::exec);
}

// Blocks until the child has exec'd (EOF) or reported why it could not.
Report await_exec(int report_fd)
{
    Report report{Step::none, 0};
    ssize_t got = 0;
    do {
        got = read(report_fd, &report, sizeof report);
    } while (got < 0 && errno == EINTR);
    return got == static_cast<ssize_t>(sizeof report) ? report : Report{Step::none, 0};
}

}  // namespace

Started start(const Request& request)
{
    Started started;
    int ends[2];
    if (sys::pipe_cloexec(ends) != 0) {
        started.failed_step = Step::pipe;
        started.error = errno;
        return started;
    }
    UniqueFd report_reader(ends[0]);
    UniqueFd report_writer(ends[1]);

    pid_t pid = sys::fork();
    if (pid < 0) {
        started.failed_step = Step::fork;
        started.error = errno;
        return started;
    }
    if (pid == 0) {
        become_command(request, report_writer.get());
    }
    report_writer.reset();
    // Both sides set the group, so that it exists before reaper forwards to it.
    // EACCES means the child has exec'd, having set it itself.
    if (request.own_group) {
        [[maybe_unused]] int ignored = setpgid(pid, pid);
    }

    Report report = await_exec(report_reader.get());
    if (report.step != Step::none) {
        int child_status = 0;
        while (waitpid(pid, &child_status, 0) < 0 && errno == EINTR) {
        }
        started.failed_step = report.step;
        started.error = report.error;
        started.failed_pid = pid;
        return started;
    }
    started.pid = pid;
    return started;
}

namespace {

// Named by the call that failed, in the order of spawn::Step.
constexpr const char* step_names[] = {"none",      "fork",
                                      "pipe2",     "setpgid",
                                      "sigaction", "rt_sigprocmask",
                                      "setgroups", "setgid",
                                      "setuid",    "prctl PR_SET_NO_NEW_PRIVS",
                                      "exec"};
static_assert(sizeof step_names / sizeof step_names[0] == static_cast<int>(Step::exec) + 1);

}  // namespace

int report_failure(const Started& started, const char* command)
{
    Message what;
    if (started.failed_step == Step::exec) {
        what << "exec \"" << command << "\"";
    } else {
        what << step_names[static_cast<int>(started.failed_step)];
    }
    diag::failed(diag::Level::error, what, started.error);
    if (started.failed_step == Step::fork || started.failed_step == Step::pipe) {
        return status::own_failure;
    }
    return status::start_failure_code(started.error, started.failed_step == Step::exec);
}

}  // namespace spawn
