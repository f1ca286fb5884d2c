// errno as words, for reaper's diagnostics. libc's strerror brings a table of every error
// (2 KB, the largest single thing in a musl reaper); reaper names only the ones its own
// calls can meet, with glibc's wording, and any other as "error N". Pure.
#pragma once

#include "message.hpp"

namespace errors {

// Appends the description of `error` to `message`.
Message& describe(Message& message, int error);

}  // namespace errors
