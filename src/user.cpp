#include "user.hpp"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fcntl.h>
#include <unistd.h>

#include "unique_fd.hpp"

namespace user {
namespace {

// Both files, one after the other. Static, not heap: only the pages a file fills are
// ever touched, so a usual /etc/group costs one page.
constexpr std::size_t files_capacity = std::size_t{1} << 20;
char files[files_capacity];
char home_entry[PATH_MAX + 6];

// Appends the file at `path` to `files`, from `used` on. A missing file reads as empty:
// numeric ids need none.
bool read_into(const char* path, std::size_t& used, std::string_view& text, Message& error)
{
    std::size_t start = used;
    UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
    while (fd.valid()) {
        if (used == files_capacity) {
            error << "/etc/passwd and /etc/group together are larger than 1 MiB";
            return false;
        }
        ssize_t got = read(fd.get(), files + used, files_capacity - used);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;
        }
        used += static_cast<std::size_t>(got);
    }
    text = std::string_view(files + start, used - start);
    return true;
}

}  // namespace

bool prepare(std::string_view spec, Prepared& prepared)
{
    Message& error = prepared.resolved.error;
    std::size_t used = 0;
    std::string_view passwd;
    std::string_view group;
    if (!read_into("/etc/passwd", used, passwd, error) || !read_into("/etc/group", used, group, error)) {
        return false;
    }
    prepared.resolved = accounts::resolve(spec, passwd, group);
    if (!prepared.resolved.ok()) {
        return false;
    }
    const accounts::Identity& identity = prepared.resolved.identity;
    // Only root can change who the child is; anyone may ask to stay who they are.
    prepared.change = geteuid() == 0;
    if (!prepared.change && (identity.uid != geteuid() || identity.gid != getegid())) {
        error << "--user " << spec << ": reaper is not root (uid " << static_cast<long>(geteuid())
              << ") and cannot change to uid " << static_cast<long>(identity.uid) << " gid "
              << static_cast<long>(identity.gid);
        return false;
    }
    std::string_view home = identity.home;
    if (!home.empty() && home.size() < PATH_MAX && std::getenv("HOME") == nullptr) {
        std::string_view prefix = "HOME=";
        prefix.copy(home_entry, prefix.size());
        home.copy(home_entry + prefix.size(), home.size());
        home_entry[prefix.size() + home.size()] = '\0';
        prepared.home_entry = home_entry;
    }
    return true;
}

}  // namespace user
