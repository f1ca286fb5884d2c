#include "terminal.hpp"

#include <cerrno>
#include <csignal>
#include <unistd.h>

#include "diag.hpp"
#include "sigmask.hpp"

namespace terminal {

bool claim(Foreground& foreground)
{
    if (isatty(STDIN_FILENO) != 1 || tcgetpgrp(STDIN_FILENO) != getpgrp()) {
        return false;
    }
    foreground.held = true;
    if (!foreground.saved) {
        foreground.saved = tcgetattr(STDIN_FILENO, &foreground.settings) == 0;
    }
    return true;
}

void hand_to(pid_t group)
{
    if (tcsetpgrp(STDIN_FILENO, group) != 0) {
        diag::failed(diag::Level::info, "tcsetpgrp", errno);
    }
}

void give_back(const Foreground& foreground, pid_t group)
{
    // Only from the child's group: after a Ctrl-Z the shell may have taken it already.
    if (!foreground.held || tcgetpgrp(STDIN_FILENO) != group) {
        return;
    }
    // TCSANOW: draining could wait forever on a terminal nobody reads any more.
    if (foreground.saved && tcsetattr(STDIN_FILENO, TCSANOW, &foreground.settings) != 0) {
        diag::failed(diag::Level::info, "tcsetattr", errno);
    }
    hand_to(getpgrp());  // the group that had it before: reaper's own (see claim)
}

void stop_self(int signal)
{
    signals::Set just_this;
    just_this.add(signal);
    signals::Set unused;
    // Raised while blocked, it waits; unblocking delivers it, and its default action
    // stops reaper until SIGCONT. The SIGCONT itself then arrives on the signalfd.
    if (kill(getpid(), signal) != 0 || !sigmask::unblock(just_this) || !sigmask::block(just_this, unused)) {
        diag::failed(diag::Level::warning, "stop like the child", errno);
    }
}

}  // namespace terminal
