// The state and the parent from /proc/PID/stat (reaper reads the parent, its tests both).
// Pure: parses text it is given.
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

}  // namespace proc_stat
