// Reading the fabric description's TOML tables (host/fabric/fabric_input.cpp and
// port_input.cpp): each key checked for type and range, unknown keys refused with the nearest
// known one, every refusal one line "FILE:LINE: TABLE.KEY: expected ..., got ...".
#pragma once

#include <toml++/toml.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "host/fabric/fabric_input.hpp"
#include "host/scenario/scenario.hpp"
#include "host/scenario/toml_input.hpp"

namespace ll::fabric::detail {

using ll::toml_type_name;

inline std::vector<std::string> qualified(const std::string& table,
                                          const std::vector<std::string>& keys) {
  std::vector<std::string> out;
  for (const std::string& k : keys) out.push_back(table + "." + k);
  return out;
}

// Reads the keys of one table, each checked for type and range, naming "TABLE.KEY".
class TableReader {
 public:
  TableReader(const toml::table& t, std::string table, SourceLocation where, std::string path,
              const std::vector<std::string>& allowed)
      : t_(t), table_(std::move(table)), where_(std::move(where)), path_(std::move(path)) {
    for (const auto& [name, node] : t) {
      const std::string key(name.str());
      bool known = false;
      for (const std::string& a : allowed) known = known || a == key;
      if (!known)
        fail_at(at(node), table_ + "." + key,
                "unknown key" + did_you_mean(table_ + "." + key, qualified(table_, allowed)));
    }
  }

  bool has(const char* key) const { return t_.contains(key); }
  std::string key(const char* k) const { return table_ + "." + k; }
  SourceLocation at(const toml::node& n) const {
    return {path_, static_cast<int>(n.source().begin.line)};
  }
  SourceLocation where(const char* k) const { return has(k) ? at(*t_.get(k)) : where_; }
  [[noreturn]] void missing(const char* k, const std::string& expected) const {
    fail_at(where_, key(k), "missing; expected " + expected);
  }
  [[noreturn]] void refuse(const char* k, const std::string& why) const {
    fail_at(where(k), key(k), why);
  }

  // A number in [lo, hi] (lo excluded when lo_open), described by `expected`.
  double real(const char* k, double lo, double hi, bool lo_open,
              const std::string& expected) const {
    const toml::node* n = t_.get(k);
    if (!n) missing(k, expected);
    std::optional<double> v = n->value_exact<double>();
    if (!v)
      if (auto i = n->value_exact<std::int64_t>()) v = static_cast<double>(*i);
    if (!v) fail_at(at(*n), key(k), "expected " + expected + ", got " + toml_type_name(*n));
    if (!std::isfinite(*v) || *v < lo || *v > hi || (lo_open && *v == lo))
      fail_at(at(*n), key(k), "expected " + expected + ", got " + format_number(*v, 10));
    return *v;
  }
  std::int64_t integer(const char* k, std::int64_t lo, std::int64_t hi,
                       const std::string& expected) const {
    const toml::node* n = t_.get(k);
    if (!n) missing(k, expected);
    const std::optional<std::int64_t> v = n->value_exact<std::int64_t>();
    if (!v) fail_at(at(*n), key(k), "expected " + expected + ", got " + toml_type_name(*n));
    if (*v < lo || *v > hi)
      fail_at(at(*n), key(k), "expected " + expected + ", got " + std::to_string(*v));
    return *v;
  }
  std::string text(const char* k, const std::vector<std::string>& choices,
                   const std::string& expected) const {
    const toml::node* n = t_.get(k);
    if (!n) missing(k, expected);
    const std::optional<std::string> v = n->value_exact<std::string>();
    if (!v) fail_at(at(*n), key(k), "expected " + expected + ", got " + toml_type_name(*n));
    bool ok = choices.empty() ? !v->empty() : false;
    for (const std::string& c : choices) ok = ok || c == *v;
    if (!ok) fail_at(at(*n), key(k), "expected " + expected + ", got \"" + *v + "\"");
    return *v;
  }
  const toml::node* node(const char* k) const { return t_.get(k); }

 private:
  const toml::table& t_;
  std::string table_;
  SourceLocation where_;
  std::string path_;
};

inline const toml::table& table_of(const toml::table& root, const char* name,
                                   const std::string& path) {
  const toml::node* n = root.get(name);
  if (!n) fail_at({path, 0}, name, std::string("missing; expected a [") + name + "] table");
  if (!n->is_table())
    fail_at({path, static_cast<int>(n->source().begin.line)}, name,
            "expected a table, got " + toml_type_name(*n));
  return *n->as_table();
}

// The [[port]] designs (port_input.cpp), after [fabric] and [switch] are read.
void read_ports(const toml::table& root, FabricSpec& f);

}  // namespace ll::fabric::detail
