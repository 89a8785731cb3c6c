// The file a run or a merge writes, checked before anything runs: no input of the run can be lost
// to it, an existing file is replaced only when the user says so, and a path that cannot be
// written is refused in one line (exit code 2) instead of after the simulation.
#pragma once

#include <string>
#include <vector>

#include "host/scenario/scenario.hpp"

namespace ll {

// A refused output path: bad input, so exit code 2. The message starts with the path.
class OutputPathError : public ScenarioError {
 public:
  using ScenarioError::ScenarioError;
};

// What to do with an output file that already exists.
enum class ExistingOutput {
  refuse,     // the default: refused, naming --overwrite and --resume
  overwrite,  // --overwrite: replaced (when the run writes its first point)
  resume,     // --resume: kept and completed
};
// From the command line's flags (--resume wins; they exclude each other there anyway).
inline ExistingOutput existing_output(bool resume, bool overwrite) {
  return resume ? ExistingOutput::resume
                : (overwrite ? ExistingOutput::overwrite : ExistingOutput::refuse);
}

// Throws OutputPathError "PATH: OPTION: what was expected" when the path
//   - is one of `inputs` (the same file by device and inode, however it is spelt: a link, a
//     relative path), whatever `existing` says;
//   - names a folder, or a file in a folder that does not exist;
//   - exists and `existing` is refuse;
//   - cannot be written: an existing file is opened for writing (not truncated); an absent one
//     is created and removed again, so a read-only folder or a full /proc is found here.
// `option` names where the path was given ("--output", "merge OUTPUT"); `resumable`: whether
// --resume is a way on for an existing file (a run's; not a merge's).
void check_output_path(const std::string& path, const std::vector<std::string>& inputs,
                       ExistingOutput existing, const std::string& option, bool resumable = true);

}  // namespace ll
