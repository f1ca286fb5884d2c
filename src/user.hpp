// --user, the part that touches the system: streams the container's /etc/passwd and
// /etc/group through accounts::Resolver, and checks that reaper may become that identity
// at all. Everything happens before the command is started.
#pragma once

#include <string_view>

#include "accounts.hpp"

namespace user {

struct Prepared {
    explicit Prepared(std::string_view spec) : resolver(spec) {}
    accounts::Resolver resolver;
    const accounts::Resolved* resolved = nullptr;  // once prepared, in `resolver`
    Message error;                                 // why it cannot be done, when it cannot
    bool change = false;                           // false: the child already is that user (reaper not root)
    char* home_entry = nullptr;                    // "HOME=..." for the child, as gosu sets it
};

// False, with the one-line reason in prepared.error, when it cannot be done.
[[nodiscard]] bool prepare(std::string_view spec, Prepared& prepared);

}  // namespace user
