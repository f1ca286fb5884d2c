#include "sandbox.hpp"

#include <cerrno>
#include <csignal>
#include <ctime>
#include <sys/wait.h>

#include "diag.hpp"
#include "reap.hpp"
#include "signals.hpp"
#include "sys.hpp"

namespace sandbox {
namespace {

class Holding {
public:
    explicit Holding(bool warn_on_reap) : warn_on_reap_(warn_on_reap) {}

    events::Next signal(const signalfd_siginfo& info)
    {
        auto signal = static_cast<int>(info.ssi_signo);
        if (signal == SIGCHLD) {
            reap::collect(nobody_, warn_on_reap_);
        } else if (signal == SIGTERM || signal == SIGINT) {
            diag::say(diag::Level::info, Message() << "pause: SIG" << signals::name(signal).view() << ", exiting");
            return events::Next::done;
        } else {
            diag::say(diag::Level::debug, Message() << "pause: ignored SIG" << signals::name(signal).view());
        }
        return events::Next::wait;
    }
    static events::Next process_gone() { return events::Next::wait; }
    static events::Next deadline() { return events::Next::wait; }

private:
    reap::MainChild nobody_{0};  // no process has PID 0: every reaped one is an adopted orphan
    bool warn_on_reap_;
};

// Without signals the sandbox can still reap, which is what keeps the pod's PIDs free;
// it then ends only by SIGKILL, as the runtime sends at the end of the pod anyway.
[[noreturn]] void reap_forever()
{
    for (;;) {
        int wait_status = 0;
        if (waitpid(-1, &wait_status, __WALL) < 0 && errno == ECHILD) {
            sys::sleep_ms(1000);
        }
    }
}

}  // namespace

void hold_until_stopped(events::Loop& loop, bool warn_on_reap)
{
    Holding holding(warn_on_reap);
    if (!loop.run(holding)) {
        diag::say(diag::Level::error, "signals cannot be read any more: reaping until killed");
        reap_forever();
    }
}

}  // namespace sandbox
