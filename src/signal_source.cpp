#include "signal_source.hpp"

#include <cerrno>
#include <poll.h>
#include <sys/timerfd.h>
#include <unistd.h>

namespace signal_source {

UniqueFd deadline_after(unsigned long milliseconds)
{
    UniqueFd timer(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC));
    itimerspec expiry{};
    expiry.it_value.tv_sec = static_cast<time_t>(milliseconds / 1000);
    expiry.it_value.tv_nsec = static_cast<long>(milliseconds % 1000) * 1000000L;
    if (expiry.it_value.tv_sec == 0 && expiry.it_value.tv_nsec == 0) {
        expiry.it_value.tv_nsec = 1;  // zero would disarm it
    }
    if (timer.valid() && timerfd_settime(timer.get(), 0, &expiry, nullptr) != 0) {
        timer.reset();
    }
    return timer;
}

Read next(int signal_fd, Batch& batch, int deadline_fd)
{
    for (;;) {
        if (deadline_fd >= 0) {
            pollfd watched[2] = {{signal_fd, POLLIN, 0}, {deadline_fd, POLLIN, 0}};
            if (poll(watched, 2, -1) < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return {Result::failed};
            }
            if ((watched[0].revents & POLLIN) == 0) {
                return {Result::deadline};
            }
        }
        ssize_t got = read(signal_fd, batch.data(), sizeof batch);
        if (got > 0) {
            return {Result::signals, static_cast<std::size_t>(got) / sizeof(signalfd_siginfo)};
        }
        if (got < 0 && errno != EINTR) {
            return {Result::failed};
        }
    }
}

}  // namespace signal_source
