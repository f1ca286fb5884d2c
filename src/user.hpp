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

// What the child needs to become `spec`, in static storage (its pages are touched only
// when --user is given); `error` holds the one-line reason when it cannot be done.
[[nodiscard]] const Prepared& prepare(std::string_view spec);

}  // namespace user
