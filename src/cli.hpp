// Command line and environment -> Config. Pure: it never prints and never exits, so
// that every option, variable and error can be unit-tested. Each setting is one row of
// `settings`: parsing, the variables and --help all come from the rows.
#pragma once

#include <array>
#include <csignal>
#include <string_view>

#include "message.hpp"
#include "signals.hpp"
#include "status.hpp"

namespace cli {

enum class Action { run, help, version };

inline constexpr int default_verbosity = 1;  // errors and warnings
inline constexpr int max_verbosity = 99;
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

// What a setting's value is, which decides how its option and its variables are read.
enum class Kind : unsigned char {
    flag,        // no value; REAPER_ variable 1/0, true/false, yes/no, on/off; tini's: on when set
    verbosity,   // -v: one level more each time; variable: a number (tini's read as atoi reads it)
    signal,      // SIG
    seconds,     // seconds, fractions allowed
    exit_codes,  // CODE, repeatable; variable: a list
    rewrites,    // FROM:TO, repeatable; variable: a list
    user,        // USER[:GROUP]
    help,
    version,
};

struct Setting {
    char short_name;             // '\0': none
    std::string_view long_name;  // without "--"
    std::string_view value;      // the value's name in --help; empty: takes none
    Kind kind;
    std::string_view variable;       // REAPER_...; empty: none
    std::string_view tini_variable;  // the same setting under tini's name; empty: none
    std::string_view help;           // for --help; '\n' continues on the next line
    bool Config::*flag = nullptr;    // Kind::flag: the switch
    int Config::*signal = nullptr;   // Kind::signal: where the number goes
};

// clang-format off
inline constexpr std::array settings = {
    Setting{'s', "subreaper", "", Kind::flag, "REAPER_SUBREAPER", "TINI_SUBREAPER",
            "accepted for tini (reaper is one unless PID 1)", &Config::subreaper_requested},
    Setting{'p', "parent-death-signal", "SIG", Kind::signal, "REAPER_PARENT_DEATH_SIGNAL", "",
            "have the kernel send SIG when reaper's parent dies", nullptr, &Config::parent_death_signal},
    Setting{'g', "group", "", Kind::flag, "REAPER_GROUP", "TINI_KILL_PROCESS_GROUP",
            "forward signals to the child's process group", &Config::group},
    Setting{'e', "remap-exit", "CODE", Kind::exit_codes, "REAPER_REMAP_EXIT", "",
            "report child exit CODE as 0 (repeatable)"},
    Setting{'r', "rewrite", "FROM:TO", Kind::rewrites, "REAPER_REWRITE", "",
            "forward FROM as TO; TO = 0 drops it (repeatable)"},
    Setting{'w', "warn-on-reap", "", Kind::flag, "REAPER_WARN_ON_REAP", "",
            "a stderr line for every adopted zombie reaped", &Config::warn_on_reap},
    Setting{'v', "verbose", "", Kind::verbosity, "REAPER_VERBOSITY", "TINI_VERBOSITY",
            "more detail on stderr (repeatable; variable: 0-99, default 1)"},
    Setting{'t', "grace", "SECONDS", Kind::seconds, "REAPER_GRACE", "",
            "once the child has exited, give what is left\nthis long after the grace signal and SIGCONT,\n"
            "then SIGKILL (default 5; 0: exit at once)"},
    Setting{'\0', "grace-signal", "SIG", Kind::signal, "REAPER_GRACE_SIGNAL", "",
            "what the leftovers get first (default TERM)", nullptr, &Config::grace_signal},
    Setting{'u', "user", "USER[:GROUP]", Kind::user, "REAPER_USER", "",
            "run COMMAND as USER (name or number), from\n/etc/passwd and /etc/group; HOME from its entry"},
    Setting{'\0', "no-new-privs", "", Kind::flag, "REAPER_NO_NEW_PRIVS", "",
            "COMMAND cannot gain privileges (setuid files)", &Config::no_new_privs},
    Setting{'P', "pause", "", Kind::flag, "REAPER_PAUSE", "",
            "no command: reap until SIGTERM or SIGINT (a pod's\nsandbox, the pause container's role)", &Config::pause},
    Setting{'V', "version", "", Kind::version, "", "", "print the version"},
    Setting{'h', "help", "", Kind::help, "", "", "print this help"},
};
// clang-format on

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
