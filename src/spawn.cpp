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
#include "sigmask.hpp"
#include "status.hpp"
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

// execvp, except in what it reports: EACCES only when a file of that name exists but
// cannot be run, not when a PATH directory cannot be searched -- so that reaper tells
// "not found" (127) from "cannot run" (126) as a shell does.
void exec_along_path(char* const* argv)
{
    if (!command_path::is_searched(argv[0])) {
        execv(argv[0], argv);
        return;
    }
    const char* path = getenv("PATH");
    command_path::Search search(path != nullptr ? path : command_path::default_path, argv[0]);
    std::array<char, PATH_MAX> candidate{};
    int found_but_failed = 0;
    while (search.next(candidate)) {
        execv(candidate.data(), argv);
        bool absent = errno == ENOENT || errno == ENOTDIR || (errno == EACCES && access(candidate.data(), F_OK) != 0);
        if (!absent && found_but_failed == 0) {
            found_but_failed = errno;
        }
    }
    errno = found_but_failed != 0 ? found_but_failed : ENOENT;
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

[[noreturn]] void become_command(const Request& request, int report_fd)
{
    if (setpgid(0, 0) != 0) {
        fail_in_child(report_fd, Step::setpgid);
    }
    if (request.take_terminal) {
        // Best effort: the parent makes the same call and reports its failure.
        [[maybe_unused]] int ignored = tcsetpgrp(STDIN_FILENO, getpid());
    }
    if (request.sigchld_was_ignored && !sigmask::set_ignored(SIGCHLD, true)) {
        fail_in_child(report_fd, Step::sigaction);
    }
    if (request.identity != nullptr) {
        change_identity(*request.identity, report_fd);
    }
    if (request.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0) {
        fail_in_child(report_fd, Step::no_new_privs);
    }
    if (request.home_entry != nullptr) {
        // The environment plus HOME, on this frame's stack (no heap here), which lives
        // until exec since this function never returns.
        std::size_t count = 0;
        while (environ[count] != nullptr) {
            ++count;
        }
        auto** with_home = static_cast<char**>(__builtin_alloca((count + 2) * sizeof(char*)));
        for (std::size_t i = 0; i < count; ++i) {
            with_home[i] = environ[i];
        }
        with_home[count] = request.home_entry;
        with_home[count + 1] = nullptr;
        environ = with_home;
    }
    if (!sigmask::replace(request.mask)) {
        fail_in_child(report_fd, Step::sigprocmask);
    }
    exec_along_path(request.command);
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
    if (pipe2(ends, O_CLOEXEC) != 0) {
        started.failed_step = Step::pipe;
        started.error = errno;
        return started;
    }
    UniqueFd report_reader(ends[0]);
    UniqueFd report_writer(ends[1]);

    pid_t pid = _Fork();  // no atfork handlers or locks to honour: reaper has neither
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
    [[maybe_unused]] int ignored = setpgid(pid, pid);

    Report report = await_exec(report_reader.get());
    if (report.step != Step::none) {
        int child_status = 0;
        while (waitpid(pid, &child_status, 0) < 0 && errno == EINTR) {
        }
        started.failed_step = report.step;
        started.error = report.error;
        return started;
    }
    started.pid = pid;
    return started;
}

const char* step_name(Step step)
{
    switch (step) {
    case Step::none:
        return "none";
    case Step::fork:
        return "fork";
    case Step::pipe:
        return "pipe2";
    case Step::setpgid:
        return "setpgid";
    case Step::sigaction:
        return "sigaction";
    case Step::sigprocmask:
        return "rt_sigprocmask";
    case Step::setgroups:
        return "setgroups";
    case Step::setgid:
        return "setgid";
    case Step::setuid:
        return "setuid";
    case Step::no_new_privs:
        return "prctl PR_SET_NO_NEW_PRIVS";
    case Step::exec:
        return "exec";
    }
    return "?";
}

}  // namespace spawn
