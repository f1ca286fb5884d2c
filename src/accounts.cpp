#include "accounts.hpp"

#include "parse.hpp"

namespace accounts {
namespace {

constexpr unsigned long max_id = 4294967294UL;  // (uid_t)-1 means "unchanged" to the kernel

// The colon-separated fields of one line; `count` is how many there were.
struct Fields {
    static constexpr std::size_t capacity = 7;
    std::string_view field[capacity];
    std::size_t count = 0;
};

Fields split(std::string_view line)
{
    Fields fields;
    for (;;) {
        std::size_t colon = line.find(':');
        if (fields.count < Fields::capacity) {
            fields.field[fields.count] = line.substr(0, colon);
        }
        ++fields.count;
        if (colon == std::string_view::npos) {
            return fields;
        }
        line.remove_prefix(colon + 1);
    }
}

// Calls `visit` with the fields of every line that is neither blank nor a comment, until
// it returns true. A last line without its newline counts too.
template <typename Visit>
void for_each_entry(std::string_view text, Visit visit)
{
    while (!text.empty()) {
        std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        if (!line.empty() && line[0] != '#' && visit(split(line))) {
            return;
        }
    }
}

enum class Found { no, yes, malformed };

struct Entry {
    Found found = Found::no;
    std::string_view name;
    unsigned long uid = 0;
    unsigned long gid = 0;
    std::string_view home;
};

// A numeric field, or nothing: -1 stands for "not a number" (it is never a valid id).
long long id_field(const Fields& fields, std::size_t index)
{
    std::optional<unsigned long> id =
        fields.count > index ? parse::unsigned_number(fields.field[index], max_id) : std::nullopt;
    return id ? static_cast<long long>(*id) : -1;
}

// name:password:UID:GID:gecos:home:shell, by name or (when `by_uid`) by UID.
Entry find_user(std::string_view passwd, std::string_view name, unsigned long uid, bool by_uid)
{
    Entry entry;
    for_each_entry(passwd, [&](const Fields& fields) {
        long long line_uid = id_field(fields, 2);
        if (by_uid ? line_uid != static_cast<long long>(uid) : fields.field[0] != name) {
            return false;
        }
        long long line_gid = id_field(fields, 3);
        if (fields.count != 7 || line_uid < 0 || line_gid < 0) {
            entry.found = Found::malformed;
            return true;
        }
        entry = {Found::yes, fields.field[0], static_cast<unsigned long>(line_uid),
                 static_cast<unsigned long>(line_gid), fields.field[5]};
        return true;
    });
    return entry;
}

// name:password:GID:member,member,...
std::optional<unsigned long> find_group(std::string_view group, std::string_view name)
{
    std::optional<unsigned long> gid;
    for_each_entry(group, [&](const Fields& fields) {
        long long line_gid = id_field(fields, 2);
        if (fields.count == 4 && fields.field[0] == name && line_gid >= 0) {
            gid = static_cast<unsigned long>(line_gid);
        }
        return gid.has_value();
    });
    return gid;
}

bool lists_member(std::string_view members, std::string_view user)
{
    while (!members.empty()) {
        std::size_t comma = members.find(',');
        if (members.substr(0, comma) == user) {
            return true;
        }
        members = comma == std::string_view::npos ? std::string_view() : members.substr(comma + 1);
    }
    return false;
}

bool add_group(Identity& identity, gid_t gid)
{
    for (std::size_t i = 0; i < identity.group_count; ++i) {
        if (identity.groups[i] == gid) {
            return true;
        }
    }
    if (identity.group_count == max_groups) {
        return false;
    }
    identity.groups[identity.group_count++] = gid;
    return true;
}

}  // namespace

Resolved resolve(std::string_view spec, std::string_view passwd, std::string_view group)
{
    Resolved resolved;
    Identity& identity = resolved.identity;
    std::size_t colon = spec.find(':');
    std::string_view user = spec.substr(0, colon);
    std::optional<std::string_view> group_name;
    if (colon != std::string_view::npos) {
        group_name = spec.substr(colon + 1);
    }
    if (user.empty() || (group_name && group_name->empty())) {
        resolved.error << "bad user '" << spec << "': expected USER[:GROUP]";
        return resolved;
    }

    std::optional<unsigned long> number = parse::unsigned_number(user, max_id);
    unsigned long uid = number.value_or(0);
    Entry entry = find_user(passwd, user, uid, number.has_value());
    if (entry.found == Found::malformed) {
        resolved.error << "user '" << user << "': malformed line in /etc/passwd";
        return resolved;
    }
    if (entry.found == Found::no && !number) {
        resolved.error << "unknown user '" << user << "' (not in /etc/passwd)";
        return resolved;
    }
    identity.uid = static_cast<uid_t>(entry.found == Found::yes ? entry.uid : uid);
    identity.gid = static_cast<gid_t>(entry.gid);  // 0 for a number without an entry
    identity.home = entry.home;

    if (group_name) {
        std::optional<unsigned long> gid = parse::unsigned_number(*group_name, max_id);
        if (!gid) {
            gid = find_group(group, *group_name);
        }
        if (!gid) {
            resolved.error << "unknown group '" << *group_name << "' (not in /etc/group)";
            return resolved;
        }
        identity.gid = static_cast<gid_t>(*gid);
        add_group(identity, identity.gid);
        return resolved;
    }
    if (entry.found == Found::no) {
        return resolved;  // a bare number: no groups
    }
    add_group(identity, identity.gid);
    bool fits = true;
    for_each_entry(group, [&](const Fields& fields) {
        long long gid = id_field(fields, 2);
        if (fields.count == 4 && gid >= 0 && lists_member(fields.field[3], entry.name)) {
            fits = add_group(identity, static_cast<gid_t>(gid));
        }
        return !fits;
    });
    if (!fits) {
        resolved.error << "user '" << user << "' is in more than " << static_cast<long>(max_groups) << " groups";
    }
    return resolved;
}

}  // namespace accounts
