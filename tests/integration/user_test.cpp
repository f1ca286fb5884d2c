// --user and --no-new-privs on the real binary, as root, reaper as PID 1 of a new
// namespace; Debian's gosu is the reference for who the command ends up being.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "common.hpp"

namespace {

bool root_or_skip() { return support::environment_available(geteuid() == 0, "--user needs root to change ids"); }

harness::Finished run(const std::string& program, const std::vector<std::string>& args, bool pid1 = true)
{
    return common::run_to_end(program, args, pid1);
}

harness::Finished reaper(const std::vector<std::string>& args) { return run("", args); }

// A directory with passwd and group files, bind-mounted over /etc's in a mount namespace
// of the command's own, so that `id`, gosu and reaper all read the same accounts.
class Accounts {
public:
    Accounts()
        : Accounts("root:x:0:0:root:/root:/bin/sh\n"
                   "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
                   "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
                   "bob:x:1001:1001:Bob:/home/bob:/bin/sh\n",
                   "root:x:0:\n"
                   "nogroup:x:65534:\n"
                   "alice:x:1000:\n"
                   "bob:x:1001:\n"
                   "audio:x:29:bob,alice\n"
                   "video:x:44:alice\n"
                   "staff:x:50:bob\n"
                   "# games:x:60:alice\n"
                   "plugdev:x:46:carol,alice")
    {
    }
    Accounts(const std::string& passwd, const std::string& group)
    {
        char pattern[] = "/tmp/reaper-accounts-XXXXXX";
        dir_ = mkdtemp(pattern);
        std::ofstream(dir_ + "/passwd") << passwd;
        std::ofstream(dir_ + "/group") << group;
    }
    ~Accounts() { harness::run_program({"rm", "-rf", dir_}, 10); }
    [[nodiscard]] const std::string& dir() const { return dir_; }
    Accounts(const Accounts&) = delete;
    Accounts& operator=(const Accounts&) = delete;

    // `command...` run inside the mount namespace, as PID 1 of a new PID namespace.
    harness::Finished run_inside(const std::vector<std::string>& command) const
    {
        std::vector<std::string> args = {
            "--mount",
            "--",
            "sh",
            "-c",
            "mount --bind \"$0/passwd\" /etc/passwd && mount --bind \"$0/group\" /etc/group && exec \"$@\"",
            dir_};
        args.insert(args.end(), command.begin(), command.end());
        return run("unshare", args);
    }

private:
    std::string dir_;
};

}  // namespace

TEST_CASE("--user: reaper -u nobody -- id says what gosu nobody id says", "[user]")
{
    if (!root_or_skip()) {
        return;
    }
    harness::Finished ours = reaper({"-u", "nobody", "--", "id"});
    harness::Finished theirs = run("gosu", {"nobody", "id"}, false);
    REQUIRE(theirs.exit_code == 0);
    CHECK(ours.exit_code == 0);
    CHECK(ours.stdout_text == theirs.stdout_text);
    CHECK(ours.stdout_text.rfind("uid=65534(nobody) gid=65534(nogroup)", 0) == 0);
}

TEST_CASE("--user: names, groups and numbers agree with gosu for the same accounts", "[user]")
{
    if (!root_or_skip()) {
        return;
    }
    Accounts accounts;
    for (const std::string spec : {"alice", "bob", "alice:staff", "alice:50", "1000", "1234:5678", "1234", "bob:0"}) {
        INFO("-u " << spec);
        harness::Finished ours = accounts.run_inside({harness::reaper_binary(), "-u", spec, "--", "id"});
        harness::Finished theirs = accounts.run_inside({"gosu", spec, "id"});
        REQUIRE(theirs.exit_code == 0);
        CHECK(ours.exit_code == 0);
        CHECK(ours.stderr_text.empty());
        CHECK(ours.stdout_text == theirs.stdout_text);
    }
    harness::Finished alice = accounts.run_inside({harness::reaper_binary(), "-u", "alice", "--", "id"});
    CHECK(alice.stdout_text == "uid=1000(alice) gid=1000(alice) groups=1000(alice),29(audio),44(video),46(plugdev)\n");
    harness::Finished bare = accounts.run_inside({harness::reaper_binary(), "-u", "1234:5678", "--", "id"});
    CHECK(bare.stdout_text == "uid=1234 gid=5678 groups=5678\n");
}

TEST_CASE("--user sets HOME as gosu does: the entry's, whatever HOME was; / for a UID without one", "[user]")
{
    if (!root_or_skip()) {
        return;
    }
    // runc gives every container's first process HOME=/root: the dropped user must not keep it.
    for (std::string home : {"HOME=/root", "HOME=/custom"}) {
        for (std::string who : {"nobody", "65534", "1234", "1234:5678"}) {
            INFO(home << " " << who);
            harness::Finished ours =
                run("env", {home, harness::reaper_binary(), "-u", who, "--", "sh", "-c", "echo \"$HOME\""});
            harness::Finished gosu = run("env", {home, "gosu", who, "sh", "-c", "echo \"$HOME\""});
            CHECK(ours.exit_code == 0);
            CHECK(ours.stdout_text == gosu.stdout_text);
        }
    }
    harness::Finished unset =
        run("env", {"-u", "HOME", harness::reaper_binary(), "-u", "nobody", "--", "sh", "-c", "echo \"$HOME\""});
    CHECK(unset.stdout_text == "/nonexistent\n");
}

TEST_CASE("--user: passwd and group files of several MiB, CRLF ends and extra fields, as gosu reads them", "[user]")
{
    if (!root_or_skip()) {
        return;
    }
    Accounts accounts;
    std::string padding;
    for (int i = 0; i < 40000; ++i) {
        padding += "pad" + std::to_string(i) + ":x:" + std::to_string(100000 + i) + ":100000:" + std::string(40, 'g') +
                   ":/home/pad:/bin/sh\n";
    }
    // alice and bob after 2 MiB of others; alice's line has extra fields; CRLF ends.
    std::ofstream(accounts.dir() + "/passwd") << padding << "root:x:0:0:root:/root:/bin/sh\r\n"
                                              << "alice:x:1000:1000:Alice:/home/alice:/bin/sh:extra\r\n"
                                              << "bob:x:1001:1001:Bob:/home/bob:/bin/sh\r\n";
    std::string group_padding;
    for (int i = 0; i < 40000; ++i) {
        group_padding +=
            "grp" + std::to_string(i) + ":x:" + std::to_string(100000 + i) + ":" + std::string(40, 'm') + "\n";
    }
    std::ofstream(accounts.dir() + "/group") << group_padding << "alice:x:1000:\r\naudio:x:29:bob,alice\r\n"
                                             << "video:x:44:alice\r\n";
    for (std::string who : {"alice", "bob", "1000:1000", "alice:video"}) {
        INFO(who);
        harness::Finished ours = accounts.run_inside({harness::reaper_binary(), "-u", who, "--", "id"});
        harness::Finished gosu = accounts.run_inside({"gosu", who, "id"});
        CHECK(ours.exit_code == 0);
        CHECK(ours.stderr_text.empty());
        CHECK(ours.stdout_text == gosu.stdout_text);
    }
    // alice is the last member of audio's line, before its CR.
    CHECK(accounts.run_inside({harness::reaper_binary(), "-u", "alice", "--", "id", "-G"}).stdout_text ==
          "1000 29 44\n");
}

TEST_CASE("--no-new-privs: set in the child, and a setuid binary gains nothing", "[user]")
{
    if (!root_or_skip()) {
        return;
    }
    harness::Finished flag = reaper({"--no-new-privs", "--", "grep", "NoNewPrivs", "/proc/self/status"});
    CHECK(flag.stdout_text == "NoNewPrivs:\t1\n");
    harness::Finished without = reaper({"--", "grep", "NoNewPrivs", "/proc/self/status"});
    CHECK(without.stdout_text == "NoNewPrivs:\t0\n");

    char pattern[] = "/tmp/reaper-suid-XXXXXX";
    std::string dir = mkdtemp(pattern);
    chmod(dir.c_str(), 0755);
    std::string suid_id = dir + "/id";
    REQUIRE(harness::run_program({"cp", "/usr/bin/id", suid_id}, 10)->exit_code == 0);
    REQUIRE(chown(suid_id.c_str(), 0, 0) == 0);
    REQUIRE(chmod(suid_id.c_str(), 04755) == 0);
    harness::Finished gains = reaper({"-u", "nobody", "--", suid_id, "-u"});
    harness::Finished kept_out = reaper({"-u", "nobody", "--no-new-privs", "--", suid_id, "-u"});
    harness::run_program({"rm", "-rf", dir}, 10);
    CHECK(gains.stdout_text == "0\n");  // the setuid bit works here, so the check below means something
    CHECK(kept_out.stdout_text == "65534\n");
}

TEST_CASE("--user: the child cannot signal reaper, which keeps running", "[user]")
{
    if (!root_or_skip()) {
        return;
    }
    harness::Finished finished = reaper({"-u", "nobody", "--", "sh", "-c",
                                         "kill -TERM 1 2>/dev/null; echo kill=$?; kill -KILL 1 2>/dev/null; "
                                         "echo kill=$?; exit 3"});
    CHECK(finished.stdout_text == "kill=1\nkill=1\n");
    CHECK(finished.exit_code == 3);  // reaper lived to report the child's own status
}

TEST_CASE("--user errors: before anything starts, one line, exit 2; a failed change is 126", "[user]")
{
    if (!root_or_skip()) {
        return;
    }
    struct Case {
        std::vector<std::string> args;
        std::string line;
    };
    for (const Case& c :
         {Case{{"-u", "no-such-user", "--", "true"}, "reaper: unknown user 'no-such-user' (not in /etc/passwd)\n"},
          Case{{"-u", "nobody:no-such-group", "--", "true"},
               "reaper: unknown group 'no-such-group' (not in /etc/group)\n"},
          Case{{"-u", ":", "--", "true"}, "reaper: bad user ':': expected USER[:GROUP]\n"}}) {
        harness::Finished finished = reaper(c.args);
        CHECK(finished.exit_code == 2);
        CHECK(finished.stderr_text == c.line);
    }
    Accounts accounts;
    harness::Finished malformed =
        run("unshare", {"--mount", "--", "sh", "-c",
                        "printf 'root:x:0:0:root:/root:/bin/sh\\nodd:x:7\\n' > /tmp/reaper-passwd-$$ && "
                        "mount --bind /tmp/reaper-passwd-$$ /etc/passwd && rm /tmp/reaper-passwd-$$ && exec \"$@\"",
                        "sh", harness::reaper_binary(), "-u", "odd", "--", "true"});
    CHECK(malformed.exit_code == 2);
    CHECK(malformed.stderr_text == "reaper: user 'odd': malformed line in /etc/passwd\n");

    // Not root: it may only stay who it is.
    harness::Finished other = run("setpriv", {"--reuid=65534", "--regid=65534", "--clear-groups",
                                              harness::reaper_binary(), "-u", "root", "--", "true"});
    CHECK(other.exit_code == 2);
    CHECK(other.stderr_text ==
          "reaper: --user root: reaper is not root (uid 65534) and cannot change to uid 0 gid 0\n");
    harness::Finished same = run("setpriv", {"--reuid=65534", "--regid=65534", "--clear-groups",
                                             harness::reaper_binary(), "-u", "65534:65534", "--", "id", "-u"});
    CHECK(same.exit_code == 0);
    CHECK(same.stdout_text == "65534\n");

    // Root of a user namespace that maps no one else: the change itself fails, in the child.
    harness::Finished refused = run(
        "unshare", {"--user", "--map-root-user", "--", harness::reaper_binary(), "-u", "1234", "--", "true"}, false);
    CHECK(refused.exit_code == 126);
    CHECK(refused.stderr_text == "reaper: setgroups: Operation not permitted\n");
}

namespace {

// The Uid, Gid and Groups lines of /proc/self/status, with the primary group taken out of
// Groups: gosu leaves it out of the supplementary list, reaper puts it in (as login and
// initgroups(3) do), and the comparison is about everything else.
std::string without_primary_group(const std::string& status)
{
    std::istringstream lines(status);
    std::string line;
    std::string gid;
    std::string out;
    while (std::getline(lines, line)) {
        std::istringstream words(line);
        std::string field;
        words >> field;
        if (field == "Gid:") {
            words >> gid;
        } else if (field == "Groups:") {
            line = field;
            for (std::string group; words >> group;) {
                line += group != gid ? " " + group : "";
            }
        }
        out += line + "\n";
    }
    return out;
}

}  // namespace

// Ids that do not fit in 16 bits and a list of groups, where the old 16-bit system calls of
// i386 and 32-bit ARM would cut them short; tagged [user-ids] so that the real-kernel run of
// every architecture (tests/vm) takes it too. The kernel's own view of the command, in
// /proc/self/status (groups sorted, as the kernel keeps them), compared with gosu's.
TEST_CASE("--user: ids above 65535 and supplementary groups reach the command whole", "[user][user-ids]")
{
    if (!root_or_skip()) {
        return;
    }
    Accounts accounts("root:x:0:0:root:/root:/bin/sh\n"
                      "wide:x:70000:70001:Wide:/home/wide:/bin/sh\n",
                      "root:x:0:\n"
                      "wide:x:70001:\n"
                      "audio:x:29:wide\n"
                      "huge:x:2000000000:wide\n"
                      "other:x:131072:root\n");
    const std::vector<std::string> show = {"grep", "-E", "^(Uid|Gid|Groups):", "/proc/self/status"};
    struct Case {
        std::string spec;
        std::string status;
    };
    for (const Case& c : {Case{"wide", "Uid:\t70000\t70000\t70000\t70000\n"
                                       "Gid:\t70001\t70001\t70001\t70001\n"
                                       "Groups:\t29 70001 2000000000 \n"},
                          Case{"70000:70001", "Uid:\t70000\t70000\t70000\t70000\n"
                                              "Gid:\t70001\t70001\t70001\t70001\n"
                                              "Groups:\t70001 \n"},
                          Case{"wide:131072", "Uid:\t70000\t70000\t70000\t70000\n"
                                              "Gid:\t131072\t131072\t131072\t131072\n"
                                              "Groups:\t131072 \n"}}) {
        INFO("-u " << c.spec);
        std::vector<std::string> ours = {harness::reaper_binary(), "-u", c.spec, "--"};
        ours.insert(ours.end(), show.begin(), show.end());
        std::vector<std::string> theirs = {"gosu", c.spec};
        theirs.insert(theirs.end(), show.begin(), show.end());
        harness::Finished reaper_run = accounts.run_inside(ours);
        harness::Finished gosu_run = accounts.run_inside(theirs);
        CHECK(reaper_run.exit_code == 0);
        CHECK(reaper_run.stderr_text.empty());
        CHECK(reaper_run.stdout_text == c.status);
        REQUIRE(gosu_run.exit_code == 0);
        CHECK(without_primary_group(reaper_run.stdout_text) == without_primary_group(gosu_run.stdout_text));
    }
}
