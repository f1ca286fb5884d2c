#include "shutdown.hpp"

#include <cerrno>
#include <csignal>
#include <unistd.h>

#include "descendants.hpp"
#include "diag.hpp"
#include "signals.hpp"

namespace shutdown {
namespace {

// After SIGKILL, how long to wait for the dead to be reaped: a process stuck in an
// uninterruptible sleep must not keep reaper (and the container) up forever.
constexpr unsigned long after_kill_ms = 1000;

enum class Ended { all, deadline };

// Reaps, and passes on a second stop request, until nothing is left or the deadline.
class Waiting {
public:
    Waiting(events::Loop& loop, reap::MainChild& child, bool warn_on_reap)
        : loop_(loop), child_(child), warn_on_reap_(warn_on_reap)
    {
    }

    // While a sweep is on, every SIGCHLD sweeps again: a leftover may have forked on its
    // way out (in its SIGTERM handler), and what it forked must get the signal too.
    void follow(descendants::Sweep* sweep) { sweep_ = sweep; }

    // Without children, none can come back (orphans come only from descendants): the pass
    // that found that need not be repeated.
    [[nodiscard]] bool none_left()
    {
        return loop_.watched() == 0 &&
               (child_.childless || reap::collect(child_, warn_on_reap_) == reap::Children::none);
    }

    events::Next signal(const signalfd_siginfo& info)
    {
        auto signal = static_cast<int>(info.ssi_signo);
        if (signal == SIGCHLD) {
            if (sweep_ != nullptr) {
                sweep_->more();
            }
            return none_left() ? events::Next::done : events::Next::wait;
        }
        if (signal == SIGTERM || signal == SIGINT) {
            // docker stop, or Ctrl-C, during the grace period: pass it on to all.
            descendants::signal_all(signal);
        } else {
            diag::say(diag::Level::debug, Message() << "grace: ignored SIG" << signals::name(signal).view());
        }
        return events::Next::wait;
    }

    events::Next process_gone()
    {
        child_.childless = false;  // what the process that entered from outside left is reaper's now
        return none_left() ? events::Next::done : events::Next::wait;
    }

    events::Next deadline()
    {
        ended_ = Ended::deadline;
        return events::Next::done;
    }

    Ended wait_until(unsigned long milliseconds)
    {
        ended_ = Ended::all;
        loop_.set_deadline(milliseconds);
        if (!loop_.run(*this)) {
            ended_ = none_left() ? Ended::all : Ended::deadline;  // no signals: no waiting either
        }
        loop_.clear_deadline();
        return ended_;
    }

private:
    events::Loop& loop_;
    reap::MainChild& child_;
    bool warn_on_reap_;
    descendants::Sweep* sweep_ = nullptr;
    Ended ended_ = Ended::all;
};

void report(int left, int killed, int grace_signal)
{
    Message line;
    line << "grace: " << left << " process(es) left; ";
    if (left < 0 || killed < 0) {
        line << "/proc unreadable, counts unknown";
    } else {
        int ended = left > killed ? left - killed : 0;
        line << ended << " ended on SIG" << signals::name(grace_signal).view() << ", " << killed
             << " killed at the deadline";
    }
    diag::say(diag::Level::info, line);
}

// As PID 1, the common end: nothing else is left in the namespace. Cheapest when no
// process but the command was ever created in it; otherwise its own /proc lists just
// reaper (a look at the namespace alone); without it, kill(-1, 0) fails with ESRCH (one
// call, but the kernel looks through every process of the machine).
bool nothing_else_in_namespace(pid_t command)
{
    if (descendants::only_command_ever(command)) {
        return true;
    }
    if (descendants::own_proc()) {
        return descendants::count() == 0;
    }
    return kill(-1, 0) != 0 && errno == ESRCH;
}

}  // namespace

void grace(events::Loop& loop, const Grace& grace, reap::MainChild& child)
{
    if (getpid() == 1 && nothing_else_in_namespace(child.pid)) {
        return;
    }
    if (grace.milliseconds == 0) {
        // No grace, but what has already ended is still reaper's to reap: its parent's
        // parent must not inherit a zombie (as a subreaper; as PID 1 the kernel would).
        if (!child.childless) {
            reap::collect(child, grace.warn_on_reap);
        }
        return;
    }
    int joiners = descendants::watch_joiners(loop);
    Waiting waiting(loop, child, grace.warn_on_reap);
    // A leftover that has already exited is collected here; none left means no wait.
    if (waiting.none_left()) {
        return;
    }
    // As PID 1 kill(-1) counts nothing: then counting walks /proc once more, only done
    // when the -v line will be printed. A subreaper's sweeps count as they go.
    bool pid1 = getpid() == 1;
    bool counting = pid1 && diag::enabled(diag::Level::info);
    int left = counting ? descendants::count() : -1;
    descendants::Sweep first(grace.signal, true);
    if (first.more() < 0 && !pid1) {
        diag::say(diag::Level::warning, "grace: /proc cannot be read: the leftovers cannot be found or signalled");
    }
    if (joiners < 0 && pid1) {
        diag::say(diag::Level::info, "grace: no /proc of this namespace: processes that entered from outside are "
                                     "signalled but not waited for");
    }
    if (joiners > 0) {
        diag::say(diag::Level::info,
                  Message() << "grace: waiting for " << joiners << " process(es) that entered from outside");
    }
    waiting.follow(&first);
    if (waiting.wait_until(grace.milliseconds) == Ended::all) {
        report(pid1 ? left : first.total(), 0, grace.signal);
        return;
    }
    left = pid1 ? left : first.total();
    int killed = counting ? descendants::count() : -1;
    descendants::Sweep last(SIGKILL, false);
    waiting.follow(&last);
    last.more();
    bool sent = pid1 || last.total() > 0;
    killed = pid1 ? killed : last.total();
    if (waiting.wait_until(after_kill_ms) == Ended::deadline) {
        diag::say(diag::Level::warning, sent ? Message() << "grace: processes still there "
                                                         << static_cast<long>(after_kill_ms) << " ms after SIGKILL"
                                             : Message() << "grace: processes still there; none could be killed");
    }
    report(left, killed, grace.signal);
}

}  // namespace shutdown
