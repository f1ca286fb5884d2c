#include "supervise.hpp"

#include <cerrno>
#include <csignal>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

#include "diag.hpp"

namespace supervise {
namespace {

class Supervisor {
public:
    Supervisor(reap::MainChild& child, const Forwarding& forwarding, terminal::Foreground& foreground)
        : child_(child), forwarding_(forwarding), foreground_(foreground)
    {
    }

    events::Next signal(const signalfd_siginfo& info)
    {
        auto signal = static_cast<int>(info.ssi_signo);
        if (signal == SIGCHLD) {
            return reap_and_follow_stops();
        }
        // A signal reaper raised on itself -- SIGPIPE from a diagnostic written to a
        // closed pipe -- is reaper's own business, never the child's. What the terminal
        // sent its foreground group (^C, ^\\, ^Z, a resize) reached a child in that group too.
        bool own = info.ssi_code == SI_USER && static_cast<pid_t>(info.ssi_pid) == self_;
        bool from_terminal = info.ssi_code == SI_KERNEL && forwarding_.shared_group;
        if (child_.exited || own || from_terminal) {
            return events::Next::wait;
        }
        // The child's PID cannot have been reused here: only reaper reaps it, and once it
        // has, child_.exited stops every further forward.
        bool resume = signal == SIGCONT;
        if (resume && !forwarding_.shared_group && terminal::claim(foreground_)) {
            terminal::hand_to(foreground_, child_.pid);  // the shell's `fg` brought reaper back
        }
        forward(info, resume && child_stopped_);
        child_stopped_ = child_stopped_ && !resume;
        return events::Next::wait;
    }

    static events::Next process_gone() { return events::Next::wait; }
    static events::Next deadline() { return events::Next::wait; }

private:
    events::Next reap_and_follow_stops()
    {
        reap::collect(child_, forwarding_.warn_on_reap);
        int stop_signal = std::exchange(child_.stop_signal, 0);
        child_stopped_ = child_stopped_ || stop_signal != 0;
        if (stop_signal != 0 && forwarding_.stop_with_child &&
            terminal::is_job_stop(foreground_, forwarding_.child_group, stop_signal)) {
            terminal::stop_self(stop_signal);
        }
        return child_.exited ? events::Next::done : events::Next::wait;
    }

    // `whole_group`: as well as when asked, a SIGCONT for a stopped child goes to its
    // whole group, which the terminal's Ctrl-Z stopped as a whole.
    void forward(const signalfd_siginfo& info, bool whole_group)
    {
        auto received = static_cast<int>(info.ssi_signo);
        int sent = forwarding_.rewrite.apply(received);
        if (sent == 0) {
            diag::say(diag::Level::debug, Message() << "dropped SIG" << signals::name(received).view());
            return;
        }
        bool to_group = forwarding_.group || (whole_group && !forwarding_.shared_group);
        pid_t target = to_group ? -forwarding_.child_group : child_.pid;
        if (!send(target, sent, info)) {
            // Once per signal at the default verbosity: an orchestrator's stop that
            // cannot reach the command must not wait out its timeout in silence.
            bool first = !warned_.contains(sent);
            warned_.add(sent);
            diag::failed(first ? diag::Level::warning : diag::Level::info,
                         Message() << "forward SIG" << signals::name(sent).view() << " to " << target, errno);
            return;
        }
        if (diag::enabled(diag::Level::debug)) {  // the hot path: build no message for nothing
            diag::say(diag::Level::debug, Message() << "forwarded SIG" << signals::name(received).view() << " as SIG"
                                                    << signals::name(sent).view() << " to " << target);
        }
    }

    // A value sent with sigqueue (or a timer's, a message queue's: any negative si_code
    // but tkill's) goes on with the same code and value; anything else as kill(2) sends it.
    [[nodiscard]] bool send(pid_t target, int signal, const signalfd_siginfo& info) const
    {
        if (target < 0) {
            // The group is gone when the command moved to another one (setsid, setpgid):
            // the command itself still gets the signal.
            return kill(target, signal) == 0 || (errno == ESRCH && kill(child_.pid, signal) == 0);
        }
        if (info.ssi_code >= 0 || info.ssi_code == SI_TKILL) {
            return kill(target, signal) == 0;
        }
        siginfo_t payload{};
        payload.si_signo = signal;
        payload.si_code = info.ssi_code;
        payload.si_pid = self_;
        payload.si_uid = getuid();
        // The value's bits as they came, whichever member of the union the sender used.
        payload.si_value.sival_ptr =
            reinterpret_cast<void*>(static_cast<std::uintptr_t>(info.ssi_ptr));  // NOLINT(performance-no-int-to-ptr)
        return syscall(SYS_rt_sigqueueinfo, target, signal, &payload) == 0;
    }

    reap::MainChild& child_;
    const Forwarding& forwarding_;
    terminal::Foreground& foreground_;
    pid_t self_ = getpid();
    bool child_stopped_ = false;
    signals::Set warned_;
};

// Without its signalfd reaper can still do half of its job: reap until the child is gone.
void reap_blocking(reap::MainChild& child)
{
    while (!child.exited) {
        int wait_status = 0;
        pid_t pid = waitpid(-1, &wait_status, __WALL);
        if (pid == child.pid) {
            child.exited = true;
            child.wait_status = wait_status;
        } else if (pid < 0 && errno != EINTR) {
            diag::failed(diag::Level::error, "waitpid", errno);
            break;
        }
    }
}

}  // namespace

void run(events::Loop& loop, reap::MainChild& child, const Forwarding& forwarding, terminal::Foreground& foreground)
{
    Supervisor supervisor(child, forwarding, foreground);
    if (!loop.run(supervisor)) {
        diag::say(diag::Level::error, "signals cannot be read any more: reaping without forwarding");
        reap_blocking(child);
    }
}

}  // namespace supervise
