// Diagnostics: "reaper: ..." lines on stderr, each one write(2), filtered by verbosity.
#pragma once

#include "message.hpp"

namespace diag {

enum class Level { error = 0, warning = 1, info = 2, debug = 3 };

void set_verbosity(int verbosity);
[[nodiscard]] bool enabled(Level level);
void say(Level level, const Message& message);
void say(Level level, const char* text);

// "reaper: WHAT: <errno in words>" -- the form every failed system call is reported in;
// WHAT names the call, or what reaper was doing ("exec \"cmd\"", "forward SIGTERM to 7").
void failed(Level level, const Message& what, int error);
void failed(Level level, const char* call, int error);  // the same, for a call's name

}  // namespace diag
