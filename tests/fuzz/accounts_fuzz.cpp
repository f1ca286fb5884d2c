// libFuzzer target: --user's resolution from /etc/passwd and /etc/group text. The input
// is "SPEC\0PASSWD\0GROUP". Beyond not crashing: an error is one non-empty line; a success
// keeps to the group rules, and HOME is "/" or comes from the passwd text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "accounts.hpp"
#include "require.hpp"

using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::size_t first = input.find('\0');
    std::string_view spec = input.substr(0, first);
    std::string_view rest = first == std::string_view::npos ? std::string_view() : input.substr(first + 1);
    std::size_t second = rest.find('\0');
    std::string_view passwd = rest.substr(0, second);
    std::string_view group = second == std::string_view::npos ? std::string_view() : rest.substr(second + 1);

    accounts::Resolved resolved = accounts::resolve(spec, passwd, group);
    if (!resolved.ok()) {
        require(resolved.error.view().find('\n') == std::string_view::npos);
        return 0;
    }
    const accounts::Identity& identity = resolved.identity;
    require(identity.group_count <= accounts::max_groups);
    if (spec.find(':') != std::string_view::npos) {
        require(identity.group_count == 1 && identity.groups[0] == identity.gid);
    }
    for (std::size_t i = 0; i < identity.group_count; ++i) {
        for (std::size_t j = i + 1; j < identity.group_count; ++j) {
            require(identity.groups[i] != identity.groups[j]);
        }
    }
    require(identity.home() == "/" || passwd.find(identity.home()) != std::string_view::npos);
    return 0;
}
