// Users and groups from the container's own /etc/passwd and /etc/group, parsed directly:
// the binary is static, so there is no NSS to ask. Pure: it works on the files' text,
// fed one line at a time, so that files of any size are read as a stream.
#pragma once

#include <array>
#include <climits>
#include <cstddef>
#include <optional>
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
    std::array<char, PATH_MAX> home_text{};
    std::size_t home_size = 0;
    // The passwd entry's home, or "/" for a UID without one (as gosu).
    [[nodiscard]] std::string_view home() const { return {home_text.data(), home_size}; }
};

struct Resolved {
    Identity identity;
    Message error;  // empty on success; else one line naming what is wrong
    [[nodiscard]] bool ok() const { return error.empty(); }
};

// USER is a name or a number, GROUP too. A named user (or a number with a passwd entry)
// gets its primary group and every group that lists it as a member; an explicit GROUP is
// the only group; a number without an entry gets GID 0 unless GROUP says otherwise, and no
// supplementary groups -- as docker run --user and gosu do. Lines are tolerated as libc
// reads them: CRLF ends, extra fields; blank and '#' lines are passed over.
class Resolver {
public:
    explicit Resolver(std::string_view spec);
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    // Whether a line of each file can still change the result: false once the entry is
    // found, and for numbers that need no file (UID:GID reads /etc/passwd for HOME only).
    [[nodiscard]] bool wants_passwd() const;
    [[nodiscard]] bool wants_group() const;
    void passwd_line(std::string_view line);
    void group_line(std::string_view line);  // only once /etc/passwd has been read

    // After both files (a missing file reads as empty). `resolved` lives in the resolver.
    [[nodiscard]] const Resolved& finish();

private:
    enum class Found { no, yes, malformed };
    std::string_view spec_;
    std::string_view user_;
    std::optional<std::string_view> group_name_;
    std::optional<unsigned long> uid_number_;
    std::optional<unsigned long> gid_number_;  // an explicit numeric GROUP
    std::optional<unsigned long> gid_found_;   // an explicit GROUP found by name
    Found entry_ = Found::no;
    std::array<char, 256> name_{};  // the entry's user name, for group membership
    std::size_t name_size_ = 0;
    bool groups_overflow_ = false;
    Resolved resolved_;
};

// The whole of both files at once: for tests and fuzzing.
[[nodiscard]] Resolved resolve(std::string_view spec, std::string_view passwd, std::string_view group);

// Calls line(text) for each line of `text`, the last one even without its newline.
template <typename Line>
void for_each_line(std::string_view text, Line line)
{
    while (!text.empty()) {
        std::size_t end = text.find('\n');
        line(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    }
}

}  // namespace accounts
