#include "shutdown.hpp"

#include <cerrno>
#include <csignal>

#include "descendants.hpp"
#include "diag.hpp"
#include "signal_source.hpp"
#include "signals.hpp"

namespace shutdown {
namespace {

// After SIGKILL, how long to wait for the dead to be reaped: a process stuck in an
// uninterruptible sleep must not keep reaper (and the container) up forever.
constexpr unsigned long after_kill_ms = 1000;

enum class Ended { all, deadline };

// Reaps and relays until nothing is left or the deadline passes.
Ended wait_for_none_left(int signal_fd, unsigned long milliseconds, reap::MainChild& child, bool warn_on_reap)
{
    UniqueFd deadline = signal_source::deadline_after(milliseconds);
    if (!deadline.valid()) {
        diag::failed(diag::Level::warning, "timerfd", errno);
        return Ended::deadline;  // without a timer, no wait: straight to SIGKILL
    }
    signal_source::Batch batch{};
    for (;;) {
        signal_source::Read read = signal_source::next(signal_fd, batch, deadline.get());
        if (read.result == signal_source::Result::deadline) {
            return Ended::deadline;
        }
        if (read.result == signal_source::Result::failed) {
            return reap::all_exited(child, warn_on_reap) ? Ended::deadline : Ended::all;
        }
        for (std::size_t i = 0; i < read.count; ++i) {
            int signal = static_cast<int>(batch[i].ssi_signo);
            if (signal == SIGCHLD) {
                if (!reap::all_exited(child, warn_on_reap)) {
                    return Ended::all;
                }
            } else if (signal == SIGTERM || signal == SIGINT) {
                // docker stop, or Ctrl-C, during the grace period: pass it on to all.
                descendants::signal_all(signal);
            } else {
                diag::write(diag::Level::debug, Message() << "grace: ignored SIG" << signals::name(signal).view());
            }
        }
    }
}

void report(int left, int killed, int grace_signal)
{
    Message line;
    line << "grace: " << left << " process(es) left by the child; ";
    if (left < 0 || killed < 0) {
        line << "/proc unreadable, counts unknown";
    } else {
        line << left - killed << " ended on SIG" << signals::name(grace_signal).view() << ", " << killed
             << " killed at the deadline";
    }
    diag::write(diag::Level::info, line);
}

}  // namespace

void grace(int signal_fd, const Grace& grace, reap::MainChild& child)
{
    // A leftover that has already exited is collected here; none left means no wait.
    if (grace.milliseconds == 0 || !reap::all_exited(child, grace.warn_on_reap)) {
        return;
    }
    // Counting walks /proc once more: only done when the -v line will be printed.
    bool counting = diag::enabled(diag::Level::info);
    int left = counting ? descendants::count() : -1;
    descendants::signal_all(grace.signal);
    if (wait_for_none_left(signal_fd, grace.milliseconds, child, grace.warn_on_reap) == Ended::all) {
        report(left, 0, grace.signal);
        return;
    }
    int killed = counting ? descendants::count() : -1;
    descendants::signal_all(SIGKILL);
    if (wait_for_none_left(signal_fd, after_kill_ms, child, grace.warn_on_reap) == Ended::deadline) {
        diag::write(diag::Level::warning, Message() << "grace: processes still there "
                                                    << static_cast<long>(after_kill_ms) << " ms after SIGKILL");
    }
    report(left, killed, grace.signal);
}

}  // namespace shutdown
