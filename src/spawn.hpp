// Starting the command: fork, set the child up as if reaper were not there, exec (a
// script without "#!" with /bin/sh, as execvp does). A failure in the child comes back
// to reaper over a close-on-exec pipe.
#pragma once

#include <sys/types.h>

#include "accounts.hpp"
#include "signals.hpp"

namespace spawn {

struct Request {
    char* const* command;                // argv of the command, null-terminated
    signals::Set mask;                   // the mask reaper was started with
    bool sigchld_was_ignored;            // reaper's caller ignored SIGCHLD: so does the child
    bool own_group;                      // a process group of the child's own (else reaper's)
    int terminal_fd;                     // make the child's group this terminal's foreground; -1: no
    const accounts::Identity* identity;  // who the child becomes; null: who reaper is
    bool no_new_privs;                   // PR_SET_NO_NEW_PRIVS before exec
    char* home_entry;                    // "HOME=..." replacing HOME in the child's environment, or null
};

enum class Step : int {
    none,
    fork,
    pipe,
    setpgid,
    sigaction,
    sigprocmask,
    setgroups,
    setgid,
    setuid,
    no_new_privs,
    exec
};

struct Started {
    pid_t pid = -1;         // the child, once it has passed exec
    pid_t failed_pid = -1;  // the child that could not exec (already reaped)
    Step failed_step = Step::none;
    int error = 0;
    [[nodiscard]] bool ok() const { return failed_step == Step::none; }
};

[[nodiscard]] Started start(const Request& request);

// Says on stderr why the command could not be started; returns the exit code for it.
[[nodiscard]] int report_failure(const Started& started, const char* command);

}  // namespace spawn
