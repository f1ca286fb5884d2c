// The only parts of the C++ runtime that header-only library code asks for. Defining
// them here keeps libstdc++.a (built against glibc) out of the static musl link.
// They are reached only by a programming error (std::string_view::substr past the end):
// stop at once rather than carry on with a wrong value.
// NOLINTBEGIN(cert-dcl58-cpp,bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp,cert-dcl50-cpp):
// libstdc++'s own name and signature, which this must match to replace it.
namespace std {

[[noreturn]] void __throw_out_of_range_fmt(const char* /*format*/, ...) { __builtin_trap(); }

}  // namespace std
// NOLINTEND(cert-dcl58-cpp,bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp,cert-dcl50-cpp)
