#include "cli.hpp"

#include <cstddef>
#include <optional>

#include "parse.hpp"
#include "version.hpp"

namespace cli {
namespace {

// --help, rendered from the rows at compile time: the binary holds only the text.
constexpr std::string_view usage_head = "Usage: reaper [options] [--] COMMAND [ARG...]\n"
                                        "       reaper [options] --pause\n"
                                        "\n"
                                        "Runs COMMAND as its child, passes on every signal, reaps every zombie, and\n"
                                        "exits with COMMAND's status.\n"
                                        "\n"
                                        "Options:\n";
constexpr std::string_view usage_tail =
    "\n"
    "SIG: a name (TERM, SIGTERM, any case), a number, or RTMIN+N / RTMAX-N.\n"
    "\n"
    "Exit status: COMMAND's, or 128+N when signal N killed it; 126: COMMAND cannot\n"
    "be run; 127: not found; 2: usage error; 1: reaper failed. See man reaper.\n";
constexpr std::size_t help_column = 33;

template <typename Out>
constexpr void render_usage(Out& out)
{
    out.put(usage_head);
    for (const Setting& setting : settings) {
        std::size_t start = out.size;
        out.put("  ");
        if (setting.short_name != '\0') {
            out.put('-');
            out.put(setting.short_name);
            out.put(", ");
        } else {
            out.put("    ");
        }
        out.put("--");
        out.put(setting.long_name);
        if (!setting.value.empty()) {
            out.put(' ');
            out.put(setting.value);
        }
        do {
            out.put(' ');
        } while (out.size - start < help_column);
        for (char c : setting.help) {
            out.put(c);
            for (std::size_t i = 0; c == '\n' && i < help_column; ++i) {
                out.put(' ');
            }
        }
        out.put('\n');
    }
    out.put("\nEnvironment (an option on the command line wins over its variable):\n");
    for (const Setting& setting : settings) {
        if (setting.variable.empty()) {
            continue;
        }
        out.put("  ");
        out.put(setting.variable);
        out.put('=');
        bool list = setting.kind == Kind::exit_codes || setting.kind == Kind::rewrites;
        out.put(setting.kind == Kind::flag ? "1|0" : setting.kind == Kind::verbosity ? "N" : setting.value);
        if (list) {
            out.put("[,");
            out.put(setting.value);
            out.put("...]");
        }
        if (!setting.tini_variable.empty()) {
            out.put("  (tini's ");
            out.put(setting.tini_variable);
            out.put(setting.kind == Kind::flag ? ": on when set)" : ")");
        }
        out.put('\n');
    }
    out.put(usage_tail);
}

struct Counter {
    std::size_t size = 0;
    constexpr void put(char /*c*/) { ++size; }
    constexpr void put(std::string_view text) { size += text.size(); }
};

template <std::size_t N>
struct Writer {
    std::array<char, N> text{};
    std::size_t size = 0;
    constexpr void put(char c) { text[size++] = c; }
    constexpr void put(std::string_view part)
    {
        for (char c : part) {
            put(c);
        }
    }
};

constexpr std::size_t usage_size = [] {
    Counter counter;
    render_usage(counter);
    return counter.size;
}();
constexpr Writer<usage_size> usage_text = [] {
    Writer<usage_size> writer;
    render_usage(writer);
    return writer;
}();

constexpr std::size_t setting_count = settings.size();

// What parsing needs of each row at run time: the help texts stay in usage_text only.
struct Parsing {
    char short_name;
    Kind kind;
    bool takes_value;
    const char* long_name;
    const char* variable;       // "" for none
    const char* tini_variable;  // "" for none
    bool Config::*flag;
    int Config::*signal;
};

constexpr std::array<Parsing, setting_count> parsing = [] {
    std::array<Parsing, setting_count> rows{};
    for (std::size_t i = 0; i < setting_count; ++i) {
        const Setting& s = settings[i];
        rows[i] = {s.short_name,           s.kind, !s.value.empty(), s.long_name.data(), s.variable.data(),
                   s.tini_variable.data(), s.flag, s.signal};
    }
    return rows;
}();

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

    // For one setting, reaper's own variable before tini's; either only when the command
    // line did not give the setting. One pass over the environment, whatever its size
    // (a Kubernetes pod's holds hundreds of service variables): only REAPER_ and TINI_
    // names are looked up in the table.
    void read_variables(char* const* envp)
    {
        std::array<std::string_view, setting_count> reaper_values{};
        std::array<std::string_view, setting_count> tini_values{};
        std::array<bool, setting_count> reaper_set{};
        std::array<bool, setting_count> tini_set{};
        for (std::size_t e = 0; envp != nullptr && envp[e] != nullptr; ++e) {
            std::string_view entry = envp[e];
            if (entry.substr(0, 7) != "REAPER_" && entry.substr(0, 5) != "TINI_") {
                continue;
            }
            std::size_t equals = entry.find('=');
            std::string_view name = entry.substr(0, equals);
            std::string_view value = equals == std::string_view::npos ? std::string_view() : entry.substr(equals + 1);
            for (std::size_t i = 0; i < setting_count && equals != std::string_view::npos; ++i) {
                if (name == parsing[i].variable && !reaper_set[i]) {
                    reaper_set[i] = true;
                    reaper_values[i] = value;
                } else if (name == parsing[i].tini_variable && !tini_set[i]) {
                    tini_set[i] = true;
                    tini_values[i] = value;
                }
            }
        }
        for (std::size_t i = 0; i < setting_count && ok(); ++i) {
            if (given_[i] || !(reaper_set[i] || tini_set[i])) {
                continue;
            }
            given_[i] = true;
            bool tini = !reaper_set[i];
            read_variable(i, tini ? tini_values[i] : reaper_values[i],
                          tini ? parsing[i].tini_variable : parsing[i].variable, tini);
        }
    }

    [[nodiscard]] bool ok() const { return out_.ok(); }

private:
    // Returns whether the option took the following argument as its value.
    bool read_long(std::string_view text, char* const* next)
    {
        std::size_t equals = text.find('=');
        std::string_view name = text.substr(0, equals);
        for (std::size_t i = 0; i < setting_count; ++i) {
            if (parsing[i].long_name != name) {
                continue;
            }
            if (!parsing[i].takes_value) {
                if (equals != std::string_view::npos) {
                    fail() << "option '--" << name << "' takes no value";
                } else {
                    apply_flag(i);
                }
                return false;
            }
            if (equals != std::string_view::npos) {
                apply_value(i, text.substr(equals + 1), shown(i));
                return false;
            }
            return apply_next(i, next);
        }
        fail() << "unknown option '--" << name << "' (see reaper --help)";
        return false;
    }

    bool read_shorts(std::string_view letters, char* const* next)
    {
        for (std::size_t at = 0; at < letters.size() && ok(); ++at) {
            std::size_t i = 0;
            while (i < setting_count && (parsing[i].short_name != letters[at] || letters[at] == '\0')) {
                ++i;
            }
            if (i == setting_count) {
                fail() << "unknown option '-" << letters.substr(at, 1) << "' (see reaper --help)";
                return false;
            }
            if (!parsing[i].takes_value) {
                apply_flag(i);
                continue;
            }
            if (at + 1 < letters.size()) {
                apply_value(i, letters.substr(at + 1), shown(i));
                return false;
            }
            return apply_next(i, next);
        }
        return false;
    }

    static Message shown(std::size_t i) { return Message() << "--" << parsing[i].long_name; }

    bool apply_next(std::size_t i, char* const* next)
    {
        if (*next == nullptr) {
            fail() << "option '" << shown(i).view() << "' needs a value";
            return false;
        }
        apply_value(i, *next, shown(i));
        return true;
    }

    void apply_flag(std::size_t i)
    {
        Config& config = out_.config;
        switch (parsing[i].kind) {
        case Kind::help:
            config.action = Action::help;
            break;
        case Kind::version:
            config.action = Action::version;
            break;
        case Kind::verbosity:
            config.verbosity = given_[i] ? config.verbosity + 1 : default_verbosity + 1;
            break;
        default:
            config.*parsing[i].flag = true;
            break;
        }
        given_[i] = true;
    }

    // Options may repeat (-e, -r); the first use of a setting on the command line
    // replaces whatever a variable would have said, so variables are read afterwards.
    void apply_value(std::size_t i, std::string_view value, const Message& source)
    {
        given_[i] = true;
        const Parsing& setting = parsing[i];
        Config& config = out_.config;
        switch (setting.kind) {
        case Kind::signal:
            if (auto signal = signals::parse(value)) {
                config.*setting.signal = *signal;
            } else {
                bad_value(value, source) << ": not a signal";
            }
            break;
        case Kind::seconds:
            if (auto milliseconds = parse::milliseconds(value, max_grace_seconds)) {
                config.grace_ms = *milliseconds;
            } else {
                bad_value(value, source) << ": expected seconds from 0 to " << static_cast<long>(max_grace_seconds)
                                         << ", fractions allowed";
            }
            break;
        case Kind::exit_codes:
            if (auto code = parse::unsigned_number(value, 255)) {
                config.remap_exit.add(static_cast<int>(*code));
            } else {
                bad_value(value, source) << ": expected an exit code 0-255";
            }
            break;
        case Kind::rewrites:
            apply_rewrite(value, source);
            break;
        case Kind::user:
            // Names are looked up later, in the files of the system reaper runs on.
            if (value.empty()) {
                bad_value(value, source) << ": expected USER[:GROUP]";
            }
            config.user = value;
            break;
        case Kind::verbosity:
            if (auto level = parse::unsigned_number(value, max_verbosity)) {
                config.verbosity = static_cast<int>(*level);
            } else {
                bad_value(value, source) << ": expected a number 0-" << max_verbosity;
            }
            break;
        default:
            break;
        }
    }

    void apply_rewrite(std::string_view value, const Message& source)
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

    void read_variable(std::size_t i, std::string_view value, std::string_view name, bool tini)
    {
        Message source;
        source << name;
        switch (parsing[i].kind) {
        case Kind::flag:
            if (tini) {
                out_.config.*parsing[i].flag = true;  // tini's rule: set at all means on
            } else if (auto on = parse_on_off(value)) {
                out_.config.*parsing[i].flag = *on;
            } else {
                bad_value(value, source) << ": expected 1, 0, true, false, yes, no, on or off";
            }
            break;
        case Kind::verbosity:
            if (tini) {
                out_.config.verbosity = parse::leading_number(value, max_verbosity);  // tini's atoi
            } else {
                apply_value(i, value, source);
            }
            break;
        case Kind::exit_codes:
        case Kind::rewrites:
            for_each_item(value, [&](std::string_view item) { apply_value(i, item, source); });
            break;
        default:
            apply_value(i, value, source);
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

    Message& bad_value(std::string_view value, const Message& source)
    {
        return fail() << "bad value '" << value << "' for " << source.view();
    }

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

std::string_view usage() { return {usage_text.text.data(), usage_text.size}; }

std::string_view version() { return reaper_version_line; }

}  // namespace cli
