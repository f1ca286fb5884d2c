// The state and the parent from /proc/PID/stat (reaper reads the parent, its tests both),
// and the last PID allocated from /proc/loadavg. Pure: parses text it is given.
#pragma once

#include <optional>
#include <string_view>
#include <sys/types.h>

#include "parse.hpp"

namespace proc_stat {

struct Fields {
    char state;
    pid_t parent;
};

// "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses, so the fields are
// found after the last ')'.
[[nodiscard]] constexpr std::optional<Fields> parse(std::string_view stat)
{
    std::size_t close = stat.rfind(')');
    if (close == std::string_view::npos || stat.size() < close + 5 || stat[close + 1] != ' ' ||
        stat[close + 3] != ' ') {
        return std::nullopt;
    }
    std::string_view rest = stat.substr(close + 4);
    std::optional<unsigned long> parent = parse::unsigned_number(rest.substr(0, rest.find(' ')), 0x7fffffff);
    if (!parent) {
        return std::nullopt;
    }
    return Fields{stat[close + 2], static_cast<pid_t>(*parent)};
}

// "0.00 0.01 0.05 1/123 4567\n": the last field is the last PID the reader's own PID
// namespace allocated.
[[nodiscard]] constexpr std::optional<pid_t> last_pid(std::string_view loadavg)
{
    while (!loadavg.empty() && loadavg.back() == '\n') {
        loadavg.remove_suffix(1);
    }
    std::size_t space = loadavg.rfind(' ');
    if (space == std::string_view::npos) {
        return std::nullopt;
    }
    std::optional<unsigned long> pid = parse::unsigned_number(loadavg.substr(space + 1), 0x7fffffff);
    return pid ? std::optional<pid_t>(static_cast<pid_t>(*pid)) : std::nullopt;
}

}  // namespace proc_stat
