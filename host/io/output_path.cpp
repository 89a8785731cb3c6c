#include "host/io/output_path.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace ll {

void check_output_path(const std::string& path, const std::vector<std::string>& inputs,
                       ExistingOutput existing, const std::string& option, bool resumable) {
  auto fail = [&](const std::string& why) {
    throw OutputPathError(path + ": " + option + ": " + why);
  };
  if (path.empty()) throw OutputPathError(option + ": expected a file path, got an empty one");
  struct stat out {};
  const bool exists = ::stat(path.c_str(), &out) == 0;
  if (exists) {
    // Device and inode: "./s.toml", "../run/s.toml" and a link to it are all the scenario.
    for (const std::string& input : inputs) {
      struct stat in {};
      if (::stat(input.c_str(), &in) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino)
        fail("is " + input + ", an input of this run; expected another path (it would be lost)");
    }
    if (S_ISDIR(out.st_mode)) fail("is a folder; expected a file path inside it");
    if (!S_ISREG(out.st_mode)) fail("is not a regular file; expected a file path");
    if (existing == ExistingOutput::refuse)
      fail(std::string("exists; expected a new file, or --overwrite to replace it") +
           (resumable ? ", or --resume to finish it" : ""));
    // Opened for writing without truncation: the file stays as it is until the first point.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) fail(std::string("cannot be written (") + std::strerror(errno) + ")");
    ::close(fd);
    return;
  }
  const std::filesystem::path p(path);
  const std::filesystem::path folder = p.has_parent_path() ? p.parent_path() : ".";
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec))
    fail("the folder " + folder.string() + " does not exist; expected an existing folder");
  // Created and removed again: what permissions, quotas and pseudo file systems allow is what
  // the writer will meet. O_EXCL: a file that appeared meanwhile is not removed.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) fail(std::string("cannot be created (") + std::strerror(errno) + ")");
  ::close(fd);
  ::unlink(path.c_str());
}

}  // namespace ll
