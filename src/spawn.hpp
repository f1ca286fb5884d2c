// Starting the command: fork, set the child up as if reaper were not there, exec.
// A failure in the child comes back to reaper over a close-on-exec pipe.
#pragma once

#include <sys/types.h>

#include "accounts.hpp"
#include "signals.hpp"

namespace spawn {

struct Request {
    char* const* command;                // argv of the command, null-terminated
    signals::Set mask;                   // the mask reaper was started with
    bool sigchld_was_ignored;            // reaper's caller ignored SIGCHLD: so does the child
    bool take_terminal;                  // make the child's group the terminal's foreground
    const accounts::Identity* identity;  // who the child becomes; null: who reaper is
    bool no_new_privs;                   // PR_SET_NO_NEW_PRIVS before exec
    char* home_entry;                    // "HOME=..." to add to the child's environment, or null
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
    pid_t pid = -1;  // the child, once it has passed exec
    Step failed_step = Step::none;
    int error = 0;
    [[nodiscard]] bool ok() const { return failed_step == Step::none; }
};

[[nodiscard]] Started start(const Request& request);

[[nodiscard]] const char* step_name(Step step);

}  // namespace spawn
