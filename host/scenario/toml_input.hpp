// What the TOML readers share (the scenario's, host/scenario/scenario.cpp; the fabric's, host/fabric/):
// a file's text, and how a value's TOML type reads in a message.
#pragma once

#include <toml++/toml.h>

#include <string>

namespace ll {

// The whole text of the input file at `path` ("scenario", "fabric" ... names it in messages).
// Throws ScenarioError "PATH: is a folder; expected a WHAT TOML file" or "PATH: cannot open the
// WHAT file (REASON)".
std::string read_input_file(const std::string& path, const std::string& what);

// The TOML document in `text` (read from `path`); a syntax error throws ScenarioError
// "PATH:LINE: TOML syntax: WHAT".
toml::table parse_toml(const std::string& text, const std::string& path);

// "a string", "an integer", "a number", "a boolean", "an array", "a table", "a date or time".
std::string toml_type_name(const toml::node& n);

}  // namespace ll
