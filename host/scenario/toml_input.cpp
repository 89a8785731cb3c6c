// What the TOML readers share (host/scenario/toml_input.hpp): a file's text, its parse, and a
// value's TOML type in words.
#include "host/scenario/toml_input.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "host/scenario/scenario.hpp"

namespace ll {

toml::table parse_toml(const std::string& text, const std::string& path) {
  try {
    return toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    const SourceLocation where{path, static_cast<int>(e.source().begin.line)};
    throw ScenarioError(where.describe() + ": TOML syntax: " + std::string(e.description()), where,
                        "");
  }
}

std::string read_input_file(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw ScenarioError(path + ": is a folder; expected a " + what + " TOML file");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw ScenarioError(path + ": cannot open the " + what + " file (" +
                        std::string(std::strerror(errno)) + ")");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string toml_type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date or time";
  }
}

}  // namespace ll
