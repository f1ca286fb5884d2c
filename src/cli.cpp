#include "cli.hpp"

#include <array>
#include <cstddef>
#include <optional>

#include "parse.hpp"
#include "version.hpp"

namespace cli {
namespace {

enum class Setting {
    subreaper,
    parent_death_signal,
    group,
    remap_exit,
    rewrite,
    warn_on_reap,
    verbosity,
    grace,
    grace_signal,
    pause,
    user,
    no_new_privs,
    version,
    help
};
constexpr std::size_t setting_count = 14;

struct Option {
    char short_name;
    std::string_view long_name;
    bool takes_value;
    Setting setting;
};

// '\0': no short form.
constexpr std::array<Option, 14> options = {{
    {'s', "subreaper", false, Setting::subreaper},
    {'p', "parent-death-signal", true, Setting::parent_death_signal},
    {'g', "group", false, Setting::group},
    {'e', "remap-exit", true, Setting::remap_exit},
    {'r', "rewrite", true, Setting::rewrite},
    {'w', "warn-on-reap", false, Setting::warn_on_reap},
    {'v', "verbose", false, Setting::verbosity},
    {'t', "grace", true, Setting::grace},
    {'\0', "grace-signal", true, Setting::grace_signal},
    {'P', "pause", false, Setting::pause},
    {'u', "user", true, Setting::user},
    {'\0', "no-new-privs", false, Setting::no_new_privs},
    {'V', "version", false, Setting::version},
    {'h', "help", false, Setting::help},
}};

enum class Form {
    on_off,   // 1/0, true/false, yes/no, on/off
    present,  // tini's rule: set at all means on
    value,    // one value, parsed as the option's value
    list,     // values separated by commas or spaces
};

struct Variable {
    std::string_view name;
    Setting setting;
    Form form;
};

// For one setting, the earlier variable wins: reaper's own names before tini's.
constexpr std::array<Variable, 15> variables = {{
    {"REAPER_SUBREAPER", Setting::subreaper, Form::on_off},
    {"TINI_SUBREAPER", Setting::subreaper, Form::present},
    {"REAPER_PARENT_DEATH_SIGNAL", Setting::parent_death_signal, Form::value},
    {"REAPER_GROUP", Setting::group, Form::on_off},
    {"TINI_KILL_PROCESS_GROUP", Setting::group, Form::present},
    {"REAPER_REMAP_EXIT", Setting::remap_exit, Form::list},
    {"REAPER_REWRITE", Setting::rewrite, Form::list},
    {"REAPER_WARN_ON_REAP", Setting::warn_on_reap, Form::on_off},
    {"REAPER_VERBOSITY", Setting::verbosity, Form::value},
    {"TINI_VERBOSITY", Setting::verbosity, Form::value},
    {"REAPER_GRACE", Setting::grace, Form::value},
    {"REAPER_GRACE_SIGNAL", Setting::grace_signal, Form::value},
    {"REAPER_PAUSE", Setting::pause, Form::on_off},
    {"REAPER_USER", Setting::user, Form::value},
    {"REAPER_NO_NEW_PRIVS", Setting::no_new_privs, Form::on_off},
}};

constexpr unsigned long max_verbosity = 99;

class Parser {
public:
    explicit Parser(Parsed& out) : out_(out) {}

    // Reads options up to the first non-option; returns the index of the command.
    std::size_t read_options(char* const* argv)
    {
        std::size_t index = 1;
        while (ok() && argv[index] != nullptr && out_.config.action == Action::run) {
            std::string_view arg = argv[index];
            if (arg == "--") {
                return index + 1;
            }
            if (arg.size() < 2 || arg[0] != '-') {
                return index;
            }
            char* const* next = &argv[index + 1];
            bool used_next = arg[1] == '-' ? read_long(arg.substr(2), next) : read_shorts(arg.substr(1), next);
            index += used_next ? 2 : 1;
        }
        return index;
    }

    void read_variables(char* const* envp)
    {
        for (const Variable& variable : variables) {
            std::optional<std::string_view> value = lookup(envp, variable.name);
            if (!ok() || !value || given(variable.setting)) {
                continue;
            }
            mark_given(variable.setting);
            read_variable(variable, *value);
        }
    }

    [[nodiscard]] bool ok() const { return out_.ok(); }

private:
    static std::optional<std::string_view> lookup(char* const* envp, std::string_view name)
    {
        for (std::size_t i = 0; envp != nullptr && envp[i] != nullptr; ++i) {
            std::string_view entry = envp[i];
            if (entry.size() > name.size() && entry.substr(0, name.size()) == name && entry[name.size()] == '=') {
                return entry.substr(name.size() + 1);
            }
        }
        return std::nullopt;
    }

    // Returns whether the option took the following argument as its value.
    bool read_long(std::string_view text, char* const* next)
    {
        std::size_t equals = text.find('=');
        std::string_view name = text.substr(0, equals);
        for (const Option& option : options) {
            if (option.long_name != name) {
                continue;
            }
            Message shown;
            shown << "--" << name;
            if (!option.takes_value) {
                if (equals != std::string_view::npos) {
                    fail() << "option '" << shown.view() << "' takes no value";
                } else {
                    apply_flag(option.setting);
                }
                return false;
            }
            if (equals != std::string_view::npos) {
                apply_value(option.setting, text.substr(equals + 1), shown.view());
                return false;
            }
            return apply_next(option.setting, next, shown.view());
        }
        fail() << "unknown option '--" << text.substr(0, equals) << "' (see reaper --help)";
        return false;
    }

    bool read_shorts(std::string_view letters, char* const* next)
    {
        for (std::size_t i = 0; i < letters.size() && ok(); ++i) {
            const Option* option = find_short(letters[i]);
            if (option == nullptr) {
                fail() << "unknown option '-" << letters.substr(i, 1) << "' (see reaper --help)";
                return false;
            }
            if (!option->takes_value) {
                apply_flag(option->setting);
                continue;
            }
            Message shown;
            shown << "--" << option->long_name;
            if (i + 1 < letters.size()) {
                apply_value(option->setting, letters.substr(i + 1), shown.view());
                return false;
            }
            return apply_next(option->setting, next, shown.view());
        }
        return false;
    }

    static const Option* find_short(char letter)
    {
        for (const Option& option : options) {
            if (option.short_name == letter && letter != '\0') {
                return &option;
            }
        }
        return nullptr;
    }

    bool apply_next(Setting setting, char* const* next, std::string_view shown)
    {
        if (*next == nullptr) {
            fail() << "option '" << shown << "' needs a value";
            return false;
        }
        apply_value(setting, *next, shown);
        return true;
    }

    void apply_flag(Setting setting)
    {
        Config& config = out_.config;
        switch (setting) {
        case Setting::help:
            config.action = Action::help;
            break;
        case Setting::version:
            config.action = Action::version;
            break;
        case Setting::verbosity:
            config.verbosity = given(setting) ? config.verbosity + 1 : default_verbosity + 1;
            break;
        default:
            switch_on(setting, true);
            break;
        }
        mark_given(setting);
    }

    void switch_on(Setting setting, bool on)
    {
        Config& config = out_.config;
        if (setting == Setting::subreaper) {
            config.subreaper_requested = on;
        } else if (setting == Setting::group) {
            config.group = on;
        } else if (setting == Setting::warn_on_reap) {
            config.warn_on_reap = on;
        } else if (setting == Setting::pause) {
            config.pause = on;
        } else if (setting == Setting::no_new_privs) {
            config.no_new_privs = on;
        }
    }

    // Options may repeat (-e, -r); the first use of a setting on the command line
    // replaces whatever a variable would have said, so variables are read afterwards.
    void apply_value(Setting setting, std::string_view value, std::string_view source)
    {
        mark_given(setting);
        Config& config = out_.config;
        switch (setting) {
        case Setting::parent_death_signal:
        case Setting::grace_signal:
            if (auto signal = signals::parse(value)) {
                (setting == Setting::grace_signal ? config.grace_signal : config.parent_death_signal) = *signal;
            } else {
                bad_value(value, source) << ": not a signal";
            }
            break;
        case Setting::grace:
            if (auto milliseconds = parse::milliseconds(value, max_grace_seconds)) {
                config.grace_ms = *milliseconds;
            } else {
                bad_value(value, source) << ": expected seconds from 0 to " << static_cast<long>(max_grace_seconds)
                                         << ", fractions allowed";
            }
            break;
        case Setting::remap_exit:
            if (auto code = parse::unsigned_number(value, 255)) {
                config.remap_exit.add(static_cast<int>(*code));
            } else {
                bad_value(value, source) << ": expected an exit code 0-255";
            }
            break;
        case Setting::rewrite:
            apply_rewrite(value, source);
            break;
        case Setting::user:
            // Names are looked up later, in the files of the system reaper runs on.
            if (value.empty()) {
                bad_value(value, source) << ": expected USER[:GROUP]";
            }
            config.user = value;
            break;
        case Setting::verbosity:
            if (auto level = parse::unsigned_number(value, max_verbosity)) {
                config.verbosity = static_cast<int>(*level);
            } else {
                bad_value(value, source) << ": expected a number 0-" << static_cast<int>(max_verbosity);
            }
            break;
        default:
            break;
        }
    }

    void apply_rewrite(std::string_view value, std::string_view source)
    {
        std::size_t colon = value.find(':');
        if (colon == std::string_view::npos) {
            bad_value(value, source) << ": expected FROM:TO";
            return;
        }
        std::string_view from_text = value.substr(0, colon);
        std::string_view to_text = value.substr(colon + 1);
        std::optional<int> from = signals::parse(from_text);
        std::optional<int> to = to_text == "0" ? std::optional<int>(0) : signals::parse(to_text);
        if (!from) {
            bad_value(value, source) << ": '" << from_text << "' is not a signal";
        } else if (!to) {
            bad_value(value, source) << ": '" << to_text << "' is not a signal";
        } else if (!signals::is_forwarded(*from)) {
            bad_value(value, source) << ": " << signals::name(*from).view() << " is never forwarded";
        } else {
            out_.config.rewrite.set(*from, *to);
        }
    }

    void read_variable(const Variable& variable, std::string_view value)
    {
        switch (variable.form) {
        case Form::present:
            switch_on(variable.setting, true);
            break;
        case Form::on_off:
            if (auto on = parse_on_off(value)) {
                switch_on(variable.setting, *on);
            } else {
                bad_value(value, variable.name) << ": expected 1, 0, true, false, yes, no, on or off";
            }
            break;
        case Form::value:
            apply_value(variable.setting, value, variable.name);
            break;
        case Form::list:
            for_each_item(value, [&](std::string_view item) { apply_value(variable.setting, item, variable.name); });
            break;
        }
    }

    template <typename Apply>
    void for_each_item(std::string_view list, Apply apply)
    {
        while (!list.empty() && ok()) {
            std::size_t end = list.find_first_of(", ");
            std::string_view item = list.substr(0, end);
            if (!item.empty()) {
                apply(item);
            }
            list = end == std::string_view::npos ? std::string_view() : list.substr(end + 1);
        }
    }

    static std::optional<bool> parse_on_off(std::string_view value)
    {
        for (std::string_view on : {"1", "true", "yes", "on"}) {
            if (parse::equal_ignoring_case(value, on)) {
                return true;
            }
        }
        for (std::string_view off : {"", "0", "false", "no", "off"}) {
            if (parse::equal_ignoring_case(value, off)) {
                return false;
            }
        }
        return std::nullopt;
    }

    Message& fail() { return out_.error; }

    Message& bad_value(std::string_view value, std::string_view source)
    {
        return fail() << "bad value '" << value << "' for " << source;
    }

    [[nodiscard]] bool given(Setting setting) const { return given_[static_cast<std::size_t>(setting)]; }
    void mark_given(Setting setting) { given_[static_cast<std::size_t>(setting)] = true; }

    Parsed& out_;
    std::array<bool, setting_count> given_{};
};

}  // namespace

Parsed parse(char* const* argv, char* const* envp)
{
    Parsed parsed;
    Parser parser(parsed);
    std::size_t command = argv[0] == nullptr ? 0 : parser.read_options(argv);
    if (!parser.ok() || parsed.config.action != Action::run) {
        return parsed;
    }
    parser.read_variables(envp);
    parsed.config.command = &argv[command];
    if (!parser.ok()) {
        return parsed;
    }
    if (parsed.config.pause && argv[command] != nullptr) {
        parsed.error << "--pause takes no command, got '" << argv[command] << "'";
    } else if (!parsed.config.pause && argv[command] == nullptr) {
        parsed.error << "no command given (see reaper --help)";
    }
    return parsed;
}

std::string_view usage()
{
    return "Usage: reaper [options] [--] COMMAND [ARG...]\n"
           "       reaper [options] --pause\n"
           "\n"
           "Runs COMMAND as its child, passes on every signal, reaps every zombie, and\n"
           "exits with COMMAND's status.\n"
           "\n"
           "Options:\n"
           "  -s, --subreaper                accepted for tini (reaper is one unless PID 1)\n"
           "  -p, --parent-death-signal SIG  have the kernel send SIG when reaper's parent dies\n"
           "  -g, --group                    forward signals to the child's process group\n"
           "  -e, --remap-exit CODE          report child exit CODE as 0 (repeatable)\n"
           "  -r, --rewrite FROM:TO          forward FROM as TO; TO = 0 drops it (repeatable)\n"
           "  -w, --warn-on-reap             a stderr line for every adopted zombie reaped\n"
           "  -v, --verbose                  more detail on stderr (repeatable)\n"
           "  -t, --grace SECONDS            once the child has exited, give what it left\n"
           "                                 this long after --grace-signal, then SIGKILL\n"
           "                                 (default 5, fractions allowed; 0: exit at once)\n"
           "      --grace-signal SIG         what the leftovers get first (default TERM)\n"
           "  -u, --user USER[:GROUP]        run COMMAND as USER (name or number), from\n"
           "                                 /etc/passwd and /etc/group\n"
           "      --no-new-privs             COMMAND cannot gain privileges (setuid files)\n"
           "  -P, --pause                    no command: reap until SIGTERM or SIGINT (a pod's\n"
           "                                 pause container)\n"
           "  -V, --version                  print the version\n"
           "  -h, --help                     print this help\n"
           "\n"
           "SIG: a name (TERM, SIGTERM, any case), a number, or RTMIN+N / RTMAX-N.\n"
           "\n"
           "Environment (a command-line option wins over its variable):\n"
           "  REAPER_SUBREAPER, REAPER_GROUP, REAPER_WARN_ON_REAP, REAPER_PAUSE,\n"
           "  REAPER_NO_NEW_PRIVS: 1/0, true/false, yes/no, on/off\n"
           "  REAPER_PARENT_DEATH_SIGNAL=SIG     REAPER_VERBOSITY=N (default 1)\n"
           "  REAPER_GRACE=SECONDS               REAPER_GRACE_SIGNAL=SIG\n"
           "  REAPER_REMAP_EXIT=CODE[,CODE...]   REAPER_REWRITE=FROM:TO[,FROM:TO...]\n"
           "  REAPER_USER=USER[:GROUP]\n"
           "  TINI_SUBREAPER, TINI_KILL_PROCESS_GROUP (on when set), TINI_VERBOSITY=N\n"
           "\n"
           "Exit status: COMMAND's, or 128+N when signal N killed it; 126: COMMAND cannot\n"
           "be run; 127: not found; 2: usage error; 1: reaper failed.\n";
}

std::string_view version() { return reaper_version_line; }

}  // namespace cli
