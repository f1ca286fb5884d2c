#include "user.hpp"

#include <cerrno>
#include <fcntl.h>
#include <new>
#include <unistd.h>

#include "sys.hpp"
#include "unique_fd.hpp"

namespace user {
namespace {

// One line at a time, from a buffer that is refilled as the file is read: any size of
// file works, and nothing is allocated. A line longer than the buffer is cut at its end.
constexpr std::size_t line_capacity = std::size_t{1} << 16;
char buffer[line_capacity];
char home_entry[sizeof "HOME=" + PATH_MAX];

// Feeds every line of /etc/passwd (or, with `group`, /etc/group) to the resolver while it
// wants more. A missing or unreadable file reads as empty: numeric ids need none.
void read_lines(accounts::Resolver& resolver, bool group)
{
    auto wanted = [&] { return group ? resolver.wants_group() : resolver.wants_passwd(); };
    auto line = [&](std::string_view text) { group ? resolver.group_line(text) : resolver.passwd_line(text); };
    UniqueFd fd(sys::open(group ? "/etc/group" : "/etc/passwd", O_RDONLY | O_CLOEXEC));
    std::size_t used = 0;
    bool cut = false;  // passing over the rest of a line longer than the buffer
    while (fd.valid() && wanted()) {
        ssize_t got = read(fd.get(), buffer + used, line_capacity - used);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;
        }
        used += static_cast<std::size_t>(got);
        std::string_view text(buffer, used);
        std::size_t start = 0;
        for (std::size_t end = text.find('\n'); end != std::string_view::npos; end = text.find('\n', start)) {
            if (!cut) {
                line(text.substr(start, end - start));
            }
            cut = false;
            start = end + 1;
        }
        if (start == 0 && used == line_capacity) {
            line(text);  // its first 64 KiB
            cut = true;
            start = used;
        }
        __builtin_memmove(buffer, buffer + start, used - start);
        used -= start;
    }
    if (used > 0 && !cut && wanted()) {
        line(std::string_view(buffer, used));  // the last line, without its newline
    }
}

}  // namespace

const Prepared& prepare(std::string_view spec)
{
    alignas(Prepared) static unsigned char storage[sizeof(Prepared)];
    Prepared& prepared = *new (storage) Prepared(spec);
    accounts::Resolver& resolver = prepared.resolver;
    read_lines(resolver, false);
    read_lines(resolver, true);
    const accounts::Resolved& resolved = resolver.finish();
    prepared.resolved = &resolved;
    if (!resolved.ok()) {
        prepared.error = resolved.error;
        return prepared;
    }
    const accounts::Identity& identity = resolved.identity;
    // Only root can change who the child is; anyone may ask to stay who they are.
    prepared.change = geteuid() == 0;
    if (!prepared.change && (identity.uid != geteuid() || identity.gid != getegid())) {
        prepared.error << "--user " << spec << ": reaper is not root (uid " << static_cast<long>(geteuid())
                       << ") and cannot change to uid " << static_cast<long>(identity.uid) << " gid "
                       << static_cast<long>(identity.gid);
        return prepared;
    }
    std::string_view prefix = "HOME=";
    std::string_view home = identity.home();
    prefix.copy(home_entry, prefix.size());
    home.copy(home_entry + prefix.size(), home.size());
    home_entry[prefix.size() + home.size()] = '\0';
    prepared.home_entry = home_entry;
    return prepared;
}

}  // namespace user
