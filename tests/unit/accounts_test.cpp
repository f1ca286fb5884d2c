#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "accounts.hpp"

namespace {

const std::string passwd = "# users\n"
                           "root:x:0:0:root:/root:/bin/bash\n"
                           "\n"
                           "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
                           "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
                           "broken:x:1001\n"
                           "badnum:x:12x:100:Bad:/home/bad:/bin/sh\n"
                           "numbered:x:2000:2000::/srv/numbered:/bin/sh";  // no trailing newline
const std::string group = "root:x:0:\n"
                          "# comment:x:1:alice\n"
                          "nogroup:x:65534:\n"
                          "alice:x:1000:\n"
                          "audio:x:29:bob,alice,carol\n"
                          "video:x:44:alice\n"
                          "staff:x:50:bob\n"
                          "malformed:x:51\n"
                          "almost:x:52:alice2,xalice\n"
                          "last:x:53:carol,alice";

std::vector<gid_t> groups_of(const accounts::Identity& identity)
{
    return {identity.groups, identity.groups + identity.group_count};
}

}  // namespace

TEST_CASE("a user by name: uid, primary gid, home, and every group listing it", "[accounts]")
{
    accounts::Resolved alice = accounts::resolve("alice", passwd, group);
    REQUIRE(alice.ok());
    CHECK(alice.identity.uid == 1000);
    CHECK(alice.identity.gid == 1000);
    CHECK(alice.identity.home() == "/home/alice");
    // Not the commented-out line, not "alice2" or "xalice", not the malformed line.
    CHECK(groups_of(alice.identity) == std::vector<gid_t>{1000, 29, 44, 53});

    accounts::Resolved nobody = accounts::resolve("nobody", passwd, group);
    REQUIRE(nobody.ok());
    CHECK(nobody.identity.uid == 65534);
    CHECK(groups_of(nobody.identity) == std::vector<gid_t>{65534});

    accounts::Resolved last = accounts::resolve("numbered", passwd, group);  // the line without "\n"
    REQUIRE(last.ok());
    CHECK(last.identity.uid == 2000);
    CHECK(last.identity.home() == "/srv/numbered");
}

TEST_CASE("an explicit group is the only group, by name or number", "[accounts]")
{
    accounts::Resolved named = accounts::resolve("alice:staff", passwd, group);
    REQUIRE(named.ok());
    CHECK(named.identity.uid == 1000);
    CHECK(named.identity.gid == 50);
    CHECK(groups_of(named.identity) == std::vector<gid_t>{50});

    accounts::Resolved numbered = accounts::resolve("alice:777", passwd, group);
    REQUIRE(numbered.ok());
    CHECK(numbered.identity.gid == 777);
    CHECK(groups_of(numbered.identity) == std::vector<gid_t>{777});
}

TEST_CASE("numeric ids work without any entry; with an entry they take its groups", "[accounts]")
{
    accounts::Resolved bare = accounts::resolve("1234:5678", "", "");
    REQUIRE(bare.ok());
    CHECK(bare.identity.uid == 1234);
    CHECK(bare.identity.gid == 5678);
    CHECK(groups_of(bare.identity) == std::vector<gid_t>{5678});
    CHECK(bare.identity.home() == "/");  // as gosu: no entry, HOME=/

    accounts::Resolved no_group = accounts::resolve("1234", passwd, group);
    REQUIRE(no_group.ok());
    CHECK(no_group.identity.uid == 1234);
    CHECK(no_group.identity.gid == 0);  // as docker run --user 1234 and gosu
    CHECK(no_group.identity.group_count == 0);

    accounts::Resolved known = accounts::resolve("1000", passwd, group);
    REQUIRE(known.ok());
    CHECK(known.identity.gid == 1000);
    CHECK(known.identity.home() == "/home/alice");
    CHECK(groups_of(known.identity) == std::vector<gid_t>{1000, 29, 44, 53});
}

TEST_CASE("unknown, malformed and empty: one line each", "[accounts]")
{
    struct Case {
        std::string spec;
        std::string error;
    };
    for (const Case& c :
         {Case{"mallory", "unknown user 'mallory' (not in /etc/passwd)"},
          Case{"alice:nosuch", "unknown group 'nosuch' (not in /etc/group)"},
          Case{"alice:malformed", "unknown group 'malformed' (not in /etc/group)"},
          Case{"broken", "user 'broken': malformed line in /etc/passwd"},
          Case{"badnum", "user 'badnum': malformed line in /etc/passwd"},
          Case{"", "bad user '': expected USER[:GROUP]"}, Case{":0", "bad user ':0': expected USER[:GROUP]"},
          Case{"alice:", "bad user 'alice:': expected USER[:GROUP]"},
          Case{"4294967295", "unknown user '4294967295' (not in /etc/passwd)"},
          Case{"0:4294967295", "unknown group '4294967295' (not in /etc/group)"}}) {
        INFO(c.spec);
        accounts::Resolved resolved = accounts::resolve(c.spec, passwd, group);
        CHECK_FALSE(resolved.ok());
        CHECK(std::string(resolved.error.view()) == c.error);
    }
    // A malformed line of someone else does not matter.
    CHECK(accounts::resolve("alice", passwd + "\nzed:x\n", group).ok());
}

TEST_CASE("very long lines and member lists; more groups than fit", "[accounts]")
{
    std::string members;
    for (int i = 0; i < 20000; ++i) {
        members += "user" + std::to_string(i) + ",";
    }
    std::string long_group = "huge:x:900:" + members + "alice\n" + group;
    std::string long_passwd = "pad:x:5:5:" + std::string(100000, 'g') + ":/pad:/bin/sh\n" + passwd;
    accounts::Resolved alice = accounts::resolve("alice", long_passwd, long_group);
    REQUIRE(alice.ok());
    CHECK(groups_of(alice.identity) == std::vector<gid_t>{1000, 900, 29, 44, 53});

    std::string many;
    for (unsigned gid = 3000; gid < 3000 + accounts::max_groups + 5; ++gid) {
        many += "g" + std::to_string(gid) + ":x:" + std::to_string(gid) + ":alice\n";
    }
    accounts::Resolved crowded = accounts::resolve("alice", passwd, many);
    CHECK_FALSE(crowded.ok());
    CHECK(std::string(crowded.error.view()) == "user 'alice' is in more than 256 groups");
}

TEST_CASE("tolerant as libc: CRLF line ends, extra passwd fields", "[accounts]")
{
    std::string crlf_passwd = "root:x:0:0:root:/root:/bin/sh\r\nalice:x:1000:1000:Alice:/home/alice:/bin/sh\r\n";
    std::string crlf_group = "alice:x:1000:\r\naudio:x:29:bob,alice\r\nvideo:x:44:alice\r\n";
    accounts::Resolved alice = accounts::resolve("alice", crlf_passwd, crlf_group);
    REQUIRE(alice.ok());
    CHECK(alice.identity.home() == "/home/alice");
    // alice is the last member of both lines: the CR must not hide her.
    CHECK(groups_of(alice.identity) == std::vector<gid_t>{1000, 29, 44});
    CHECK(accounts::resolve("alice:video", crlf_passwd, crlf_group).identity.gid == 44);

    accounts::Resolved extra =
        accounts::resolve("carol", "carol:x:1500:1500:Carol:/home/carol:/bin/sh:extra:more\n", "");
    REQUIRE(extra.ok());
    CHECK(extra.identity.uid == 1500);
    CHECK(extra.identity.home() == "/home/carol");
}

TEST_CASE("line by line: UID:GID needs no file; the resolver stops reading once it has its answer", "[accounts]")
{
    accounts::Resolver numbers("1000:1000");
    CHECK_FALSE(numbers.wants_group());
    accounts::Resolver named("alice");
    REQUIRE(named.wants_passwd());
    accounts::for_each_line(passwd, [&](std::string_view line) { named.passwd_line(line); });
    CHECK_FALSE(named.wants_passwd());  // found
    CHECK(named.wants_group());         // supplementary groups still to be read
}
