// Users and groups from the container's own /etc/passwd and /etc/group, parsed directly:
// the binary is static, so there is no NSS to ask. Pure: it works on the files' text.
#pragma once

#include <cstddef>
#include <string_view>
#include <sys/types.h>

#include "message.hpp"

namespace accounts {

inline constexpr std::size_t max_groups = 256;

// Who the child becomes for `-u USER[:GROUP]`.
struct Identity {
    uid_t uid = 0;
    gid_t gid = 0;
    gid_t groups[max_groups] = {};  // supplementary groups, set with setgroups
    std::size_t group_count = 0;
    std::string_view home;  // from the passwd entry; empty when there is none
};

struct Resolved {
    Identity identity;
    Message error;  // empty on success; else one line naming what is wrong
    [[nodiscard]] bool ok() const { return error.empty(); }
};

// USER is a name or a number, GROUP too. A named user (or a number with a passwd entry)
// gets its primary group and every group that lists it as a member; an explicit GROUP is
// the only group; a number without an entry gets GID 0 unless GROUP says otherwise, and no
// supplementary groups -- as docker run --user and gosu do.
[[nodiscard]] Resolved resolve(std::string_view spec, std::string_view passwd, std::string_view group);

}  // namespace accounts
