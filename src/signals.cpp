#include "signals.hpp"

#include <csignal>

#include "message.hpp"
#include "parse.hpp"

namespace signals {
namespace {

struct Entry {
    std::string_view name;
    int number;
};

// Aliases come after the canonical name so that name() finds the canonical one first.
constexpr std::array<Entry, 34> named = {{
    {"HUP", SIGHUP},       {"INT", SIGINT},       {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},     {"BUS", SIGBUS},       {"FPE", SIGFPE},
    {"KILL", SIGKILL},     {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},     {"USR2", SIGUSR2},
    {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},     {"TERM", SIGTERM},     {"STKFLT", SIGSTKFLT},
    {"CHLD", SIGCHLD},     {"CONT", SIGCONT},     {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU},     {"URG", SIGURG},       {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},     {"WINCH", SIGWINCH},
    {"IO", SIGIO},         {"PWR", SIGPWR},       {"SYS", SIGSYS},       {"IOT", SIGABRT},
    {"POLL", SIGIO},       {"CLD", SIGCHLD},
}};

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
    for (const Entry& entry : named) {
        if (entry.number == signal) {
            text << entry.name;
            break;
        }
    }
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
    for (const Entry& entry : named) {
        if (parse::equal_ignoring_case(text, entry.name)) {
            return entry.number;
        }
    }
    return parse_realtime(text);
}

bool is_forwarded(int signal)
{
    switch (signal) {
    case SIGKILL:
    case SIGSTOP:
    case SIGCHLD:
    case SIGSEGV:
    case SIGBUS:
    case SIGFPE:
    case SIGILL:
    case SIGTRAP:
    case SIGSYS:
        return false;
    default:
        return signal >= 1 && signal <= max_signal;
    }
}

Set forwarded()
{
    Set set;
    for (int signal = 1; signal <= max_signal; ++signal) {
        if (is_forwarded(signal)) {
            set.add(signal);
        }
    }
    return set;
}

Set handled()
{
    Set set = forwarded();
    set.add(SIGCHLD);
    return set;
}

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
