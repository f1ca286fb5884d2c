#include "terminal.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "diag.hpp"
#include "sigmask.hpp"
#include "sys.hpp"

namespace terminal {

void open_controlling(Foreground& foreground)
{
    int fd = sys::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    foreground.fd = sigmask::above_stderr(fd);
}

bool claim(Foreground& foreground)
{
    if (foreground.fd < 0 || tcgetpgrp(foreground.fd) != getpgrp()) {
        return false;
    }
    foreground.held = true;
    if (!foreground.saved) {
        foreground.saved = tcgetattr(foreground.fd, &foreground.settings) == 0;
    }
    return true;
}

void hand_to(const Foreground& foreground, pid_t group)
{
    if (tcsetpgrp(foreground.fd, group) != 0) {
        diag::failed(diag::Level::info, "tcsetpgrp", errno);
    }
}

void give_back(const Foreground& foreground, pid_t group)
{
    // Only from the child's group: after a Ctrl-Z the shell may have taken it already.
    if (!foreground.held || tcgetpgrp(foreground.fd) != group) {
        return;
    }
    // TCSANOW: draining could wait forever on a terminal nobody reads any more.
    if (foreground.saved && tcsetattr(foreground.fd, TCSANOW, &foreground.settings) != 0) {
        diag::failed(diag::Level::info, "tcsetattr", errno);
    }
    hand_to(foreground, getpgrp());  // the group that had it before: reaper's own (see claim)
}

bool is_job_stop(const Foreground& foreground, pid_t group, int signal)
{
    if (foreground.fd < 0 || !signals::is_job_control_stop(signal)) {
        return false;
    }
    // The kernel sends TSTP for Ctrl-Z to the foreground group only, and TTIN/TTOU to a
    // background group only; the foreground stays where it was until the shell moves it.
    bool child_in_front = tcgetpgrp(foreground.fd) == group;
    return signal == SIGTSTP ? child_in_front : !child_in_front;
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
