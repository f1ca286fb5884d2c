// Wiring only: parse, block signals, start the command, supervise it, exit with its status.
#include <cerrno>
#include <csignal>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli.hpp"
#include "diag.hpp"
#include "loop.hpp"
#include "reap.hpp"
#include "shutdown.hpp"
#include "sigmask.hpp"
#include "spawn.hpp"
#include "status.hpp"
#include "terminal.hpp"
#include "unique_fd.hpp"
#include "user.hpp"

namespace {

void print(int fd, std::string_view text) { [[maybe_unused]] ssize_t written = write(fd, text.data(), text.size()); }

// reaper needs its children to become zombies so it can read their status; a caller's
// SIG_IGN for SIGCHLD would have the kernel discard them. Returns whether it was ignored.
bool take_default_sigchld()
{
    if (!sigmask::is_ignored(SIGCHLD)) {
        return false;
    }
    if (!sigmask::set_ignored(SIGCHLD, false)) {
        diag::failed(diag::Level::warning, "sigaction SIGCHLD", errno);
    }
    return true;
}

// Outside PID 1, orphans of the command would go to the host's init, never to be seen.
// prctl is variadic and reads five arguments: the unused ones are passed as 0, not left as
// whatever the registers held (valgrind flags that; some options require the zeros).
void become_subreaper_unless_pid1()
{
    if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L) != 0) {
        diag::failed(diag::Level::warning, "prctl PR_SET_CHILD_SUBREAPER", errno);
    }
}

void arm_parent_death_signal(int signal)
{
    if (signal == 0) {
        return;
    }
    pid_t parent = getppid();
    if (prctl(PR_SET_PDEATHSIG, static_cast<long>(signal), 0L, 0L, 0L) != 0) {
        diag::failed(diag::Level::warning, "prctl PR_SET_PDEATHSIG", errno);
        return;
    }
    if (getppid() != parent) {
        // The parent died before the request took effect: the kernel will not send it now.
        kill(getpid(), signal);
    }
}

void close_range_or_loop(unsigned first, unsigned last)
{
    if (first > last || syscall(SYS_close_range, first, last, 0) == 0) {
        return;
    }
    rlimit limit{};
    unsigned highest = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 65536 ? limit.rlim_cur : 65536;
    for (unsigned fd = first; fd <= last && fd < highest; ++fd) {
        close(static_cast<int>(fd));
    }
}

// reaper must hold no inherited pipe open and pin no mount: the child has its own copies.
void let_go_of_inherited(int kept_fd)
{
    auto kept = static_cast<unsigned>(kept_fd);
    close_range_or_loop(3, kept - 1);
    close_range_or_loop(kept + 1, ~0U);
    if (chdir("/") != 0) {
        diag::failed(diag::Level::warning, "chdir /", errno);
    }
}

int report_start_failure(const spawn::Started& started, const char* command)
{
    Message what;
    if (started.failed_step == spawn::Step::exec) {
        what << "exec \"" << command << "\"";
    } else {
        what << spawn::step_name(started.failed_step);
    }
    diag::failed(diag::Level::error, what, started.error);
    if (started.failed_step == spawn::Step::fork || started.failed_step == spawn::Step::pipe) {
        return status::own_failure;
    }
    return status::start_failure_code(started.error, started.failed_step == spawn::Step::exec);
}

int run(const cli::Config& config)
{
    signals::Set original_mask;
    if (!sigmask::block(signals::handled(), original_mask)) {
        diag::failed(diag::Level::error, "rt_sigprocmask", errno);
        return status::own_failure;
    }
    bool sigchld_was_ignored = take_default_sigchld();
    UniqueFd signal_fd(sigmask::open_signalfd(signals::handled()));
    if (!signal_fd.valid()) {
        diag::failed(diag::Level::error, "signalfd", errno);
        return status::own_failure;
    }
    become_subreaper_unless_pid1();
    // Children that ended before SIGCHLD was blocked -- re-parented to a PID 1 that was
    // still starting, or inherited across exec -- had their SIGCHLD discarded, and none
    // may ever come again (--pause): collect them now.
    reap::MainChild nobody{0};  // no process has PID 0
    reap::all_exited(nobody, config.warn_on_reap);
    arm_parent_death_signal(config.parent_death_signal);
    shutdown::Grace grace{config.grace_ms, config.grace_signal, config.warn_on_reap};
    if (config.pause) {
        let_go_of_inherited(signal_fd.get());
        loop::pause(signal_fd.get(), config.warn_on_reap);
        reap::MainChild none{0, true, 0};
        shutdown::grace(signal_fd.get(), grace, none);
        return 0;
    }

    user::Prepared identity;
    if (!config.user.empty() && !user::prepare(config.user, identity)) {
        diag::write(diag::Level::error, identity.resolved.error);
        return status::usage_error;
    }
    terminal::Foreground foreground;
    bool take_terminal = terminal::claim(foreground);
    spawn::Started started = spawn::start({config.command, original_mask, sigchld_was_ignored, take_terminal,
                                           identity.change ? &identity.resolved.identity : nullptr, config.no_new_privs,
                                           identity.home_entry});
    if (!started.ok()) {
        return report_start_failure(started, config.command[0]);
    }
    if (take_terminal) {
        terminal::hand_to(started.pid);
    }
    diag::write(diag::Level::debug, Message() << "started \"" << config.command[0] << "\" as " << started.pid);
    let_go_of_inherited(signal_fd.get());

    reap::MainChild child{started.pid};
    bool stop_with_child = getpid() != 1;
    loop::supervise(signal_fd.get(), child, {config.group, config.rewrite, config.warn_on_reap, stop_with_child},
                    foreground);
    terminal::give_back(foreground, started.pid);
    shutdown::grace(signal_fd.get(), grace, child);
    return status::exit_code(child.wait_status, config.remap_exit);
}

}  // namespace

int main(int /*argc*/, char** argv, char** envp)
{
    cli::Parsed parsed = cli::parse(argv, envp);
    if (!parsed.ok()) {
        diag::write(diag::Level::error, parsed.error);
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
