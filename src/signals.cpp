#include "signals.hpp"

#include <csignal>

#include "message.hpp"
#include "parse.hpp"

namespace signals {
namespace {

// Signals 1 to 31 in Linux's numbering (x86, arm and most others; the unit tests check
// it against the C library's constants), one word each: smaller than a table of pairs.
constexpr std::string_view standard_names =
    "HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU "
    "URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS";
constexpr int standard_count = 31;

struct Alias {
    std::string_view name;
    int number;
};
constexpr std::array<Alias, 3> aliases = {{{"IOT", SIGABRT}, {"POLL", SIGIO}, {"CLD", SIGCHLD}}};

// Calls visit(number, name) for signals 1-31 until it returns true.
template <typename Visit>
constexpr void for_each_standard(Visit visit)
{
    std::string_view rest = standard_names;
    for (int number = 1; number <= standard_count; ++number) {
        std::size_t space = rest.find(' ');
        if (visit(number, rest.substr(0, space))) {
            return;
        }
        rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    }
}

// The last RTMIN+N name before names count down from RTMAX, as kill -l shows them.
constexpr int last_counted_from_min = rt_min + 15;

std::optional<int> parse_realtime(std::string_view text)
{
    for (auto [base, direction] : {std::pair{std::string_view("RTMIN"), 1}, std::pair{std::string_view("RTMAX"), -1}}) {
        if (!parse::starts_with_ignoring_case(text, base)) {
            continue;
        }
        std::string_view rest = text.substr(base.size());
        int anchor = direction > 0 ? rt_min : rt_max;
        if (rest.empty()) {
            return anchor;
        }
        if (rest[0] != (direction > 0 ? '+' : '-')) {
            return std::nullopt;
        }
        auto offset = parse::unsigned_number(rest.substr(1), rt_max - rt_min);
        if (!offset) {
            return std::nullopt;
        }
        return anchor + direction * static_cast<int>(*offset);
    }
    return std::nullopt;
}

}  // namespace

Name name(int signal)
{
    Message text;
    for_each_standard([&](int number, std::string_view standard) {
        if (number == signal) {
            text << standard;
        }
        return number == signal;
    });
    if (text.empty()) {
        if (signal == rt_min) {
            text << "RTMIN";
        } else if (signal > rt_min && signal <= last_counted_from_min) {
            text << "RTMIN+" << signal - rt_min;
        } else if (signal > last_counted_from_min && signal < rt_max) {
            text << "RTMAX-" << rt_max - signal;
        } else if (signal == rt_max) {
            text << "RTMAX";
        } else {
            text << signal;
        }
    }
    Name result;
    std::string_view view = text.view().substr(0, result.text.size());
    for (char c : view) {
        result.text[result.size++] = c;
    }
    return result;
}

std::optional<int> parse(std::string_view text)
{
    if (auto number = parse::unsigned_number(text, max_signal)) {
        return *number >= 1 ? std::optional<int>(static_cast<int>(*number)) : std::nullopt;
    }
    if (parse::starts_with_ignoring_case(text, "SIG")) {
        text.remove_prefix(3);
    }
    std::optional<int> found;
    for_each_standard([&](int number, std::string_view standard) {
        if (parse::equal_ignoring_case(text, standard)) {
            found = number;
        }
        return found.has_value();
    });
    for (const Alias& alias : aliases) {
        if (!found && parse::equal_ignoring_case(text, alias.name)) {
            found = alias.number;
        }
    }
    return found ? found : parse_realtime(text);
}

bool is_job_control_stop(int signal) { return signal == SIGTSTP || signal == SIGTTIN || signal == SIGTTOU; }

void Rewrite::set(int from, int to)
{
    if (from >= 1 && from <= max_signal && to >= 0 && to <= max_signal) {
        to_[static_cast<std::size_t>(from)] = static_cast<unsigned char>(to);
    }
}

int Rewrite::apply(int signal) const
{
    return signal >= 1 && signal <= max_signal ? to_[static_cast<std::size_t>(signal)] : signal;
}

}  // namespace signals
