// Wiring only: parse, set up, start the command, supervise it, shut down, exit with its status.
#include <cerrno>
#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.hpp"
#include "descendants.hpp"
#include "diag.hpp"
#include "events.hpp"
#include "reap.hpp"
#include "sandbox.hpp"
#include "setup.hpp"
#include "shutdown.hpp"
#include "sigmask.hpp"
#include "spawn.hpp"
#include "status.hpp"
#include "supervise.hpp"
#include "terminal.hpp"
#include "unique_fd.hpp"
#include "user.hpp"

namespace {

void print(int fd, std::string_view text) { [[maybe_unused]] ssize_t written = write(fd, text.data(), text.size()); }

// A shell running reaper in a loop stops the loop when its command died of SIGINT (or
// SIGQUIT), and goes on when it exited 130: reaper then ends the same way as the child.
// As PID 1 there is no such shell, and the kernel would drop the signal anyway.
bool should_die_like_child(int wait_status, int exit_code)
{
    if (getpid() == 1 || !WIFSIGNALED(wait_status)) {
        return false;
    }
    int signal = WTERMSIG(wait_status);
    return (signal == SIGINT || signal == SIGQUIT) && exit_code == 128 + signal;
}

int run(const cli::Config& config)
{
    signals::Set original_mask;
    if (!sigmask::block(signals::handled(), original_mask)) {
        diag::failed(diag::Level::error, "rt_sigprocmask", errno);
        return status::own_failure;
    }
    bool sigchld_was_ignored = setup::take_default_sigchld();
    UniqueFd signal_fd(sigmask::open_signalfd(signals::handled()));
    if (!signal_fd.valid()) {
        diag::failed(diag::Level::error, "signalfd", errno);
        return status::own_failure;
    }
    events::Loop loop(std::move(signal_fd), signals::handled());
    setup::become_subreaper_unless_pid1();
    // Children that ended before SIGCHLD was blocked -- re-parented to a PID 1 that was
    // still starting, or inherited across exec -- had their SIGCHLD discarded, and none
    // may ever come again (--pause): collect them now.
    reap::MainChild nobody{0};  // no process has PID 0
    reap::collect(nobody, config.warn_on_reap);
    setup::arm_parent_death_signal(config.parent_death_signal);
    shutdown::Grace grace{config.grace_ms, config.grace_signal, config.warn_on_reap};
    if (config.pause) {
        setup::let_go_of_inherited(loop.signal_fd(), -1);
        sandbox::hold_until_stopped(loop, config.warn_on_reap);
        // Orphans of the processes that joined come to reaper without a SIGCHLD: the start-up
        // pass's "no child" says nothing about what is here now.
        nobody.childless = false;
        shutdown::grace(loop, grace, nobody);
        return 0;
    }

    const user::Prepared* identity = config.user.empty() ? nullptr : &user::prepare(config.user);
    if (identity != nullptr && !identity->error.empty()) {
        diag::say(diag::Level::error, identity->error);
        return status::usage_error;
    }
    terminal::Foreground foreground;
    terminal::open_controlling(foreground);
    bool in_front = terminal::claim(foreground);
    // Under a shell without job control (a script, `sh -c`) reaper shares the shell's
    // process group, and ^C must reach the shell too, as it does without reaper: the
    // child then stays in that group, and the terminal where it is. Otherwise the child
    // gets a group of its own and, when reaper's group had it, the terminal.
    bool share_group = in_front && !config.group && getpid() != 1 && getpgrp() != getpid();
    spawn::Started started =
        spawn::start({config.command, original_mask, sigchld_was_ignored, !share_group,
                      in_front && !share_group ? foreground.fd : -1,
                      identity != nullptr && identity->change ? &identity->resolved->identity : nullptr,
                      config.no_new_privs, identity != nullptr ? identity->home_entry : nullptr});
    pid_t child_group = share_group ? getpgrp() : started.failed_pid > 0 ? started.failed_pid : started.pid;
    if (!started.ok()) {
        terminal::give_back(foreground, child_group);
        return spawn::report_failure(started, config.command[0]);
    }
    if (in_front && !share_group) {
        terminal::hand_to(foreground, started.pid);
    }
    diag::say(diag::Level::debug, Message() << "started \"" << config.command[0] << "\" as " << started.pid);
    setup::let_go_of_inherited(loop.signal_fd(), foreground.fd);
    if (getpid() == 1) {
        descendants::open_last_pid();
    }

    reap::MainChild child{started.pid};
    bool stop_with_child = getpid() != 1;
    supervise::run(loop, child,
                   {child_group, config.group, share_group, config.rewrite, config.warn_on_reap, stop_with_child},
                   foreground);
    terminal::give_back(foreground, child_group);
    shutdown::grace(loop, grace, child);
    int code = status::exit_code(child.wait_status, config.remap_exit);
    if (should_die_like_child(child.wait_status, code)) {
        setup::die_like_child(WTERMSIG(child.wait_status));
    }
    return code;
}

}  // namespace

int main(int /*argc*/, char** argv, char** envp)
{
    cli::Parsed parsed = cli::parse(argv, envp);
    if (!parsed.ok()) {
        diag::say(diag::Level::error, parsed.error);
        return status::usage_error;
    }
    switch (parsed.config.action) {
    case cli::Action::help:
        print(STDOUT_FILENO, cli::usage());
        return 0;
    case cli::Action::version:
        print(STDOUT_FILENO, cli::version());
        print(STDOUT_FILENO, "\n");
        return 0;
    case cli::Action::run:
        break;
    }
    diag::set_verbosity(parsed.config.verbosity);
    return run(parsed.config);
}
