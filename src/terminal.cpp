#include "terminal.hpp"

#include <cerrno>
#include <unistd.h>

#include "diag.hpp"

namespace terminal {

Foreground inspect()
{
    Foreground foreground;
    if (isatty(STDIN_FILENO) == 1) {
        pid_t group = tcgetpgrp(STDIN_FILENO);
        foreground.held = group >= 0 && group == getpgrp();
        foreground.previous_group = group;
    }
    return foreground;
}

void hand_to(const Foreground& foreground, pid_t group)
{
    if (foreground.held && tcsetpgrp(STDIN_FILENO, group) != 0) {
        diag::failed(diag::Level::info, "tcsetpgrp", errno);
    }
}

void give_back(const Foreground& foreground)
{
    if (foreground.held && tcsetpgrp(STDIN_FILENO, foreground.previous_group) != 0) {
        diag::failed(diag::Level::info, "tcsetpgrp", errno);
    }
}

}  // namespace terminal
