// Reading the signalfd: a blocking read, or one that also ends when a deadline timer
// (a timerfd) fires -- waiting for a deadline needs no polling loop.
#pragma once

#include <array>
#include <cstddef>
#include <sys/signalfd.h>

#include "unique_fd.hpp"

namespace signal_source {

using Batch = std::array<signalfd_siginfo, 16>;

enum class Result { signals, deadline, failed };

struct Read {
    Result result;
    std::size_t count = 0;
};

// A CLOCK_MONOTONIC timerfd that fires once, `milliseconds` from now; invalid on failure.
[[nodiscard]] UniqueFd deadline_after(unsigned long milliseconds);

// Blocks until at least one signal arrives or, given a deadline timer, until it fires.
[[nodiscard]] Read next(int signal_fd, Batch& batch, int deadline_fd = -1);

}  // namespace signal_source
