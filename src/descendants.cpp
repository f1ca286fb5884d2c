#include "descendants.hpp"

#include <array>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <optional>
#include <string_view>
#include <sys/syscall.h>
#include <unistd.h>

#include "diag.hpp"
#include "message.hpp"
#include "parse.hpp"
#include "proc_stat.hpp"
#include "sigmask.hpp"
#include "sys.hpp"

namespace descendants {
namespace {

// Bounds a walk up a parent chain, in case /proc changes under it into a loop.
constexpr int max_depth = 4096;

std::optional<pid_t> parse_pid(std::string_view text)
{
    auto number = parse::unsigned_number(text, 0x7fffffff);
    return number && *number > 0 ? std::optional<pid_t>(static_cast<pid_t>(*number)) : std::nullopt;
}

// reaper's own PID as /proc numbers it: a container's /proc, or the host's seen from inside.
std::optional<pid_t> self_in_proc()
{
    std::array<char, 32> link{};
    ssize_t length = readlink("/proc/self", link.data(), link.size());
    return length > 0 ? parse_pid(std::string_view(link.data(), static_cast<std::size_t>(length))) : std::nullopt;
}

// The parent, or nullopt when the process is gone -- or, with `unreadable` set, when
// /proc could not be read at all (no descriptor left, say).
std::optional<pid_t> parent_of(pid_t pid, bool* unreadable = nullptr)
{
    Message path;
    path << "/proc/" << pid << "/stat" << '\0';
    int fd = sys::open(path.view().data(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (unreadable != nullptr) {
            *unreadable = errno != ENOENT && errno != ESRCH;
        }
        return std::nullopt;
    }
    std::array<char, 1024> text{};
    ssize_t got = read(fd, text.data(), text.size());
    close(fd);
    if (got <= 0) {
        return std::nullopt;
    }
    auto fields = proc_stat::parse(std::string_view(text.data(), static_cast<std::size_t>(got)));
    return fields ? std::optional<pid_t>(fields->parent) : std::nullopt;
}

enum class Ancestry { descends, does_not, unknown };

Ancestry ancestry(pid_t pid, pid_t ancestor)
{
    for (int depth = 0; depth < max_depth && pid > 0 && pid != ancestor; ++depth) {
        bool unreadable = false;
        std::optional<pid_t> parent = parent_of(pid, &unreadable);
        if (!parent || *parent == pid) {
            return unreadable ? Ancestry::unknown : Ancestry::does_not;
        }
        if (*parent == ancestor) {
            return Ancestry::descends;
        }
        pid = *parent;
    }
    return Ancestry::does_not;
}

bool descends_from(pid_t pid, pid_t ancestor) { return ancestry(pid, ancestor) == Ancestry::descends; }

// Calls visit(pid, context) for each process listed in /proc; false if unreadable. One
// copy of the walk, not one per caller: the callers below adapt their lambdas to it.
bool walk_proc(void (*visit)(pid_t, void*), void* context)
{
    int directory = sys::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (directory < 0) {
        return false;
    }
    alignas(8) std::array<char, 4096> buffer{};
    for (;;) {
        long got = syscall(SYS_getdents64, directory, buffer.data(), buffer.size());
        if (got <= 0) {
            break;
        }
        for (long offset = 0; offset < got;) {
            // linux_dirent64: ino (8), off (8), reclen (2), type (1), name.
            const char* entry = buffer.data() + offset;
            unsigned short record_length = 0;
            __builtin_memcpy(&record_length, entry + 16, sizeof record_length);
            if (std::optional<pid_t> pid = parse_pid(std::string_view(entry + 19))) {
                visit(*pid, context);
            }
            offset += record_length;
        }
    }
    close(directory);
    return true;
}

template <typename Visit>
bool for_each_process(Visit visit)
{
    return walk_proc([](pid_t pid, void* context) { (*static_cast<Visit*>(context))(pid); }, &visit);
}

// Calls visit(pid) for each descendant of `self` listed in /proc; false if unreadable.
template <typename Visit>
bool for_each(pid_t self, Visit visit)
{
    return for_each_process([&](pid_t pid) {
        // As PID 1 of the namespace, every other process in it is in reaper's care.
        if (pid != self && (self == 1 || descends_from(pid, self))) {
            visit(pid);
        }
    });
}

// The PID may be reused between reading /proc and signalling: a pidfd pins the process,
// and the ancestry is checked again once it is pinned. Without a pidfd (old kernel,
// seccomp, no descriptor left) the check is made just before kill(2): the race is back,
// but narrow. When the check cannot be made again (no descriptor to read /proc with),
// the walk's own check, a moment earlier, stands.
void signal_descendant(pid_t pid, pid_t self, int signal, bool then_continue)
{
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    int error = pidfd < 0 ? errno : 0;
    if (error == ESRCH || ancestry(pid, self) == Ancestry::does_not) {
        if (pidfd >= 0) {
            close(pidfd);
        }
        return;
    }
    for (int sent : {signal, then_continue ? SIGCONT : 0}) {
        // pidfd_send_signal refused (seccomp, an old kernel): kill(2) by PID instead.
        if (sent != 0 && (pidfd < 0 || syscall(SYS_pidfd_send_signal, pidfd, sent, nullptr, 0) != 0)) {
            error = error != 0 ? error : errno;
            kill(pid, sent);
        }
    }
    static bool said = false;  // once per run: what was done instead, and why
    if (error != 0 && error != ESRCH && !said) {
        said = true;
        diag::failed(diag::Level::warning, "pidfd (signalling by PID instead, ancestry checked first)", error);
    }
    if (pidfd >= 0) {
        close(pidfd);
    }
}

// The PIDs one signal_all has signalled, so that a later sweep passes them by. Past its
// capacity the sweeps stop after the one that filled it.
class Signalled {
public:
    bool add(pid_t pid)
    {
        for (std::size_t i = 0; i < count_; ++i) {
            if (pids_[i] == pid) {
                return false;
            }
        }
        if (count_ < pids_.size()) {
            pids_[count_++] = pid;
        } else {
            full_ = true;
        }
        return true;
    }
    [[nodiscard]] bool full() const { return full_; }

private:
    std::array<pid_t, 4096> pids_{};
    std::size_t count_ = 0;
    bool full_ = false;
};

Signalled signalled;  // static: 16 KiB is too much for the stack of an init

int last_pid_fd = -1;  // /proc/loadavg, as PID 1

}  // namespace

int count()
{
    std::optional<pid_t> self = self_in_proc();
    int found = 0;
    return self && for_each(*self, [&](pid_t) { ++found; }) ? found : -1;
}

bool own_proc() { return self_in_proc() == 1; }

void open_last_pid()
{
    // Not in 0-2 when they were closed: reaper's diagnostics must not land in it.
    last_pid_fd = sigmask::above_stderr(sys::open("/proc/loadavg", O_RDONLY | O_CLOEXEC));
}

bool only_command_ever(pid_t command)
{
    if (command != 2 || last_pid_fd < 0) {
        return false;
    }
    std::array<char, 128> text{};
    ssize_t got = pread(last_pid_fd, text.data(), text.size(), 0);
    // Read once, at the end: its descriptor goes back for the grace's /proc walk, which
    // at a low descriptor limit needs every one it can get.
    close(last_pid_fd);
    last_pid_fd = -1;
    return got > 0 && proc_stat::last_pid(std::string_view(text.data(), static_cast<std::size_t>(got))) == command;
}

Sweep::Sweep(int signal, bool then_continue) : signal_(signal), then_continue_(then_continue), pid1_(getpid() == 1)
{
    signalled = Signalled();
}

int Sweep::more()
{
    if (pid1_) {
        if (total_ == 0) {
            kill(-1, signal_);  // every process of the namespace but reaper itself, atomically
            if (then_continue_) {
                kill(-1, SIGCONT);
            }
            total_ = -1;
        }
        return -1;
    }
    // A failed look at /proc (no descriptor free, say) is tried again, 10 ms apart, before
    // the sweep gives up: without it the leftovers get no grace signal at all.
    std::optional<pid_t> self;
    for (int attempt = 0; attempt < 3 && !(self = self_in_proc()); ++attempt) {
        sys::sleep_ms(10);
    }
    if (!self) {
        return -1;
    }
    int now = 0;
    for (int failures = 0, found_new = 1; found_new > 0 && !signalled.full();) {
        found_new = 0;
        bool readable = for_each(*self, [&](pid_t pid) {
            if (signalled.add(pid)) {
                signal_descendant(pid, *self, signal_, then_continue_);
                ++found_new;
            }
        });
        if (!readable) {
            if (++failures == 3) {
                return -1;
            }
            sys::sleep_ms(10);
            found_new = 1;  // look again
            continue;
        }
        now += found_new;
    }
    total_ += now;
    return now;
}

void signal_all(int signal)
{
    if (getpid() == 1) {
        kill(-1, signal);
    } else if (std::optional<pid_t> self = self_in_proc()) {
        for_each(*self, [&](pid_t pid) { signal_descendant(pid, *self, signal, false); });
    }
}

int watch_joiners(events::Loop& loop)
{
    std::optional<pid_t> self = self_in_proc();
    if (!self || *self != 1) {
        return -1;
    }
    int watched = 0;
    bool readable = for_each_process([&](pid_t pid) {
        // A process whose parent cannot be read (no descriptor left: each watched one holds
        // a pidfd) is watched too: watching a descendant costs nothing, missing a joiner
        // would SIGKILL it at reaper's exit.
        bool unreadable = false;
        std::optional<pid_t> parent = pid != 1 ? parent_of(pid, &unreadable) : std::nullopt;
        if (((parent && *parent == 0) || unreadable) && loop.watch(pid)) {
            ++watched;
        }
    });
    return readable ? watched : -1;
}

}  // namespace descendants
