#include "loop.hpp"

#include <cerrno>
#include <csignal>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

#include "diag.hpp"
#include "reap.hpp"
#include "signal_source.hpp"

namespace loop {
namespace {

// `whole_group`: as well as when asked, a SIGCONT for a stopped child goes to its whole
// group, which the terminal's Ctrl-Z stopped as a whole.
void forward(int received, pid_t child, const Forwarding& forwarding, bool whole_group)
{
    int sent = forwarding.rewrite.apply(received);
    if (sent == 0) {
        diag::write(diag::Level::debug, Message() << "dropped SIG" << signals::name(received).view());
        return;
    }
    pid_t target = forwarding.group || whole_group ? -child : child;
    if (kill(target, sent) != 0) {
        Message what;
        what << "forward SIG" << signals::name(sent).view() << " to " << target;
        diag::failed(diag::Level::info, what, errno);
        return;
    }
    if (diag::enabled(diag::Level::debug)) {  // the hot path: build no message for nothing
        diag::write(diag::Level::debug, Message() << "forwarded SIG" << signals::name(received).view() << " as SIG"
                                                  << signals::name(sent).view() << " to " << target);
    }
}

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

void supervise(int signal_fd, reap::MainChild& child, const Forwarding& forwarding, terminal::Foreground& foreground)
{
    signal_source::Batch batch{};
    bool child_stopped = false;
    while (!child.exited) {
        signal_source::Read read = signal_source::next(signal_fd, batch);
        if (read.result != signal_source::Result::signals) {
            diag::failed(diag::Level::error, "read signalfd", errno);
            reap_blocking(child);
            return;
        }
        for (std::size_t i = 0; i < read.count; ++i) {
            int signal = static_cast<int>(batch[i].ssi_signo);
            if (signal == SIGCHLD) {
                reap::all_exited(child, forwarding.warn_on_reap);
                int stop_signal = std::exchange(child.stop_signal, 0);
                child_stopped = child_stopped || stop_signal != 0;
                if (forwarding.stop_with_child && signals::is_job_control_stop(stop_signal)) {
                    terminal::stop_self(stop_signal);
                }
            } else if (!child.exited) {
                // The child's PID cannot have been reused here: only reaper reaps it, and
                // once it has, child.exited stops every further forward.
                bool resume = signal == SIGCONT;
                if (resume && terminal::claim(foreground)) {
                    terminal::hand_to(child.pid);  // the shell's `fg` brought reaper back
                }
                forward(signal, child.pid, forwarding, resume && child_stopped);
                child_stopped = child_stopped && !resume;
            }
        }
    }
}

void pause(int signal_fd, bool warn_on_reap)
{
    reap::MainChild nobody{0};  // no process has PID 0: every reaped one is an adopted orphan
    signal_source::Batch batch{};
    for (;;) {
        signal_source::Read read = signal_source::next(signal_fd, batch);
        if (read.result != signal_source::Result::signals) {
            diag::failed(diag::Level::error, "read signalfd", errno);
            return;
        }
        for (std::size_t i = 0; i < read.count; ++i) {
            int signal = static_cast<int>(batch[i].ssi_signo);
            if (signal == SIGCHLD) {
                reap::all_exited(nobody, warn_on_reap);
            } else if (signal == SIGTERM || signal == SIGINT) {
                diag::write(diag::Level::info, Message()
                                                   << "pause: SIG" << signals::name(signal).view() << ", exiting");
                return;
            } else {
                diag::write(diag::Level::debug, Message() << "pause: ignored SIG" << signals::name(signal).view());
            }
        }
    }
}

}  // namespace loop
