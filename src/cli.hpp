// Command line and environment -> Config. Pure: it never prints and never exits, so
// that every option, variable and error can be unit-tested.
#pragma once

#include <csignal>
#include <string_view>

#include "message.hpp"
#include "signals.hpp"
#include "status.hpp"

namespace cli {

enum class Action { run, help, version };

inline constexpr int default_verbosity = 1;  // errors and warnings
inline constexpr unsigned long default_grace_ms = 5000;
inline constexpr unsigned long max_grace_seconds = 86400;

struct Config {
    Action action = Action::run;
    bool subreaper_requested = false;  // -s: accepted for tini; reaper decides by itself
    int parent_death_signal = 0;       // 0: none
    bool group = false;
    status::CodeSet remap_exit;
    signals::Rewrite rewrite;
    bool warn_on_reap = false;
    bool pause = false;         // -P: no command; reap until SIGTERM/SIGINT, as a pod's pause container
    std::string_view user;      // -u USER[:GROUP], as given; empty: stay who reaper is
    bool no_new_privs = false;  // PR_SET_NO_NEW_PRIVS in the child
    int verbosity = default_verbosity;
    unsigned long grace_ms = default_grace_ms;  // 0: exit as soon as the child has
    int grace_signal = SIGTERM;
    char* const* command = nullptr;  // points into argv; null-terminated; empty with -P
};

struct Parsed {
    Config config;
    Message error;  // empty when parsing succeeded
    [[nodiscard]] bool ok() const { return error.empty(); }
};

// argv and envp as main() receives them (both null-terminated).
[[nodiscard]] Parsed parse(char* const* argv, char* const* envp);

[[nodiscard]] std::string_view usage();
[[nodiscard]] std::string_view version();

}  // namespace cli
