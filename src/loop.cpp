#include "loop.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.hpp"
#include "reap.hpp"

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
    diag::write(diag::Level::debug, Message() << "forwarded SIG" << signals::name(received).view() << " as SIG"
                                              << signals::name(sent).view() << " to " << target);
}

// Without its signalfd reaper can still do half of its job: reap until the child is gone.
int reap_blocking(reap::MainChild& child)
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
    return child.wait_status;
}

}  // namespace

int supervise(int signal_fd, pid_t child_pid, const Forwarding& forwarding)
{
    reap::MainChild child{child_pid};
    std::array<signalfd_siginfo, 16> batch{};
    while (!child.exited) {
        ssize_t got = read(signal_fd, batch.data(), sizeof batch);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            diag::failed(diag::Level::error, "read signalfd", errno);
            return reap_blocking(child);
        }
        std::size_t count = static_cast<std::size_t>(got) / sizeof(signalfd_siginfo);
        for (std::size_t i = 0; i < count; ++i) {
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
    return child.wait_status;
}

}  // namespace loop
