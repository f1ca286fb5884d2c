#include "loop.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.hpp"
#include "reap.hpp"
#include "signal_source.hpp"

namespace loop {
namespace {

void forward(int received, pid_t child, const Forwarding& forwarding)
{
    int sent = forwarding.rewrite.apply(received);
    if (sent == 0) {
        diag::write(diag::Level::debug, Message() << "dropped SIG" << signals::name(received).view());
        return;
    }
    pid_t target = forwarding.group ? -child : child;
    if (kill(target, sent) != 0) {
        diag::write(diag::Level::info, Message() << "forward SIG" << signals::name(sent).view() << " to " << target
                                                 << ": " << strerror(errno));
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

void supervise(int signal_fd, reap::MainChild& child, const Forwarding& forwarding)
{
    signal_source::Batch batch{};
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
            } else if (!child.exited) {
                // The child's PID cannot have been reused here: only reaper reaps it, and
                // once it has, child.exited stops every further forward.
                forward(signal, child.pid, forwarding);
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
                diag::write(diag::Level::info, Message() << "pause: SIG" << signals::name(signal).view() << ", exiting");
                return;
            } else {
                diag::write(diag::Level::debug, Message() << "pause: ignored SIG" << signals::name(signal).view());
            }
        }
    }
}

}  // namespace loop
