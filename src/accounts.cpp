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

// Nothing for a blank line or a comment. A CR before the newline is not part of the
// last field (a file edited on Windows must not hide the last member of a group).
std::optional<Fields> split(std::string_view line)
{
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    if (line.empty() || line[0] == '#') {
        return std::nullopt;
    }
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

// A numeric field, or nothing.
std::optional<unsigned long> id_field(const Fields& fields, std::size_t index)
{
    return fields.count > index ? parse::unsigned_number(fields.field[index], max_id) : std::nullopt;
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

Resolver::Resolver(std::string_view spec) : spec_(spec)
{
    std::size_t colon = spec.find(':');
    user_ = spec.substr(0, colon);
    if (colon != std::string_view::npos) {
        group_name_ = spec.substr(colon + 1);
        gid_number_ = parse::unsigned_number(*group_name_, max_id);
    }
    if (user_.empty() || (group_name_ && group_name_->empty())) {
        resolved_.error << "bad user '" << spec << "': expected USER[:GROUP]";
    }
    uid_number_ = parse::unsigned_number(user_, max_id);
    resolved_.identity.home_text[0] = '/';
    resolved_.identity.home_size = 1;
}

bool Resolver::wants_passwd() const { return resolved_.ok() && entry_ == Found::no; }

bool Resolver::wants_group() const
{
    if (!resolved_.ok() || entry_ == Found::malformed) {
        return false;
    }
    if (group_name_) {
        return !gid_number_ && !gid_found_;  // a GROUP name still to be found
    }
    return entry_ == Found::yes && !groups_overflow_;  // supplementary groups
}

// name:password:UID:GID:gecos:home:shell, by name or by UID; fields past the seventh
// are passed over, as libc does.
void Resolver::passwd_line(std::string_view line)
{
    std::optional<Fields> fields = split(line);
    if (!fields || !wants_passwd()) {
        return;
    }
    std::optional<unsigned long> uid = id_field(*fields, 2);
    if (uid_number_ ? uid != uid_number_ : fields->field[0] != user_) {
        return;
    }
    std::optional<unsigned long> gid = id_field(*fields, 3);
    std::string_view name = fields->field[0];
    std::string_view home = fields->field[5];
    if (fields->count < 7 || !uid || !gid || name.size() > name_.size() ||
        home.size() >= resolved_.identity.home_text.size()) {
        entry_ = Found::malformed;
        return;
    }
    entry_ = Found::yes;
    name_size_ = name.copy(name_.data(), name_.size());
    resolved_.identity.uid = static_cast<uid_t>(*uid);
    resolved_.identity.gid = static_cast<gid_t>(*gid);
    resolved_.identity.home_size = home.copy(resolved_.identity.home_text.data(), home.size());
    if (!group_name_) {
        add_group(resolved_.identity, resolved_.identity.gid);
    }
}

// name:password:GID:member,member,...
void Resolver::group_line(std::string_view line)
{
    std::optional<Fields> fields = split(line);
    if (!fields || fields->count < 4 || !wants_group()) {
        return;
    }
    std::optional<unsigned long> gid = id_field(*fields, 2);
    if (!gid) {
        return;
    }
    if (group_name_) {
        if (fields->field[0] == *group_name_) {
            gid_found_ = gid;
        }
    } else if (lists_member(fields->field[3], std::string_view(name_.data(), name_size_))) {
        groups_overflow_ = !add_group(resolved_.identity, static_cast<gid_t>(*gid));
    }
}

const Resolved& Resolver::finish()
{
    Identity& identity = resolved_.identity;
    if (!resolved_.ok()) {
        return resolved_;
    }
    if (entry_ == Found::malformed) {
        resolved_.error << "user '" << user_ << "': malformed line in /etc/passwd";
    } else if (entry_ == Found::no && !uid_number_) {
        resolved_.error << "unknown user '" << user_ << "' (not in /etc/passwd)";
    } else if (group_name_ && !gid_number_ && !gid_found_) {
        resolved_.error << "unknown group '" << *group_name_ << "' (not in /etc/group)";
    } else if (groups_overflow_) {
        resolved_.error << "user '" << user_ << "' is in more than " << static_cast<long>(max_groups) << " groups";
    } else {
        if (entry_ == Found::no) {
            identity.uid = static_cast<uid_t>(*uid_number_);  // a bare number: GID 0, no groups
        }
        if (group_name_) {
            identity.gid = static_cast<gid_t>(gid_number_ ? *gid_number_ : *gid_found_);
            identity.group_count = 0;
            add_group(identity, identity.gid);
        }
    }
    return resolved_;
}

Resolved resolve(std::string_view spec, std::string_view passwd, std::string_view group)
{
    Resolver resolver(spec);
    for_each_line(passwd, [&](std::string_view line) { resolver.passwd_line(line); });
    for_each_line(group, [&](std::string_view line) { resolver.group_line(line); });
    return resolver.finish();
}

}  // namespace accounts
