#include "diag.hpp"

#include <unistd.h>

#include "errors.hpp"

namespace diag {
namespace {
int current_verbosity = 1;
}

void set_verbosity(int verbosity) { current_verbosity = verbosity; }

bool enabled(Level level) { return static_cast<int>(level) <= current_verbosity; }

void say(Level level, const Message& message)
{
    if (!enabled(level)) {
        return;
    }
    Message line;
    line << "reaper: " << message.view() << '\n';
    // Nothing useful can be done when stderr is closed or full.
    [[maybe_unused]] ssize_t written = ::write(STDERR_FILENO, line.view().data(), line.view().size());
}

void failed(Level level, const Message& what, int error)
{
    Message message;
    message << what.view() << ": ";
    say(level, errors::describe(message, error));
}

void say(Level level, const char* text) { say(level, Message() << text); }

void failed(Level level, const char* call, int error) { failed(level, Message() << call, error); }

}  // namespace diag
