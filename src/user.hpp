// --user, the part that touches the system: reads the container's /etc/passwd and
// /etc/group, resolves USER[:GROUP] with accounts::resolve, and checks that reaper may
// become that identity at all. Everything happens before the command is started.
#pragma once

#include <string_view>

#include "accounts.hpp"

namespace user {

struct Prepared {
    accounts::Resolved resolved;
    bool change = false;         // false: the child already is that user (reaper not root)
    char* home_entry = nullptr;  // "HOME=..." when HOME is unset and the entry has a home
};

// False, with the one-line reason in prepared.resolved.error, when it cannot be done.
[[nodiscard]] bool prepare(std::string_view spec, Prepared& prepared);

}  // namespace user
